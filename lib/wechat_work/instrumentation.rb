# frozen_string_literal: true

module WechatWork
  # ActiveSupport::Notifications events around calls (when ActiveSupport is loaded and someone
  # subscribes; nothing is built otherwise), and logging that can never break a call.
  #
  # A logger or subscriber that raises is reported once (to stderr) and otherwise ignored: a
  # message that was delivered must not turn into an exception a job would retry.
  module Instrumentation
    REQUEST = "request.wechat_work"

    @warned = {}
    @lock = Mutex.new

    module_function

    def listening?(event = REQUEST)
      defined?(::ActiveSupport::Notifications) && ::ActiveSupport::Notifications.notifier.listening?(event)
    rescue StandardError
      false
    end

    # Runs the block inside the event `event`, so `event.duration` is the call's duration. The
    # block fills `payload` in (attempts, errcode...). An exception of the block propagates,
    # with `:exception` and `:exception_object` in the payload, as ActiveSupport does; one of a
    # subscriber does not.
    def instrument(event, payload)
      return yield(payload) unless listening?(event)

      ran = false
      result = nil
      failure = nil
      begin
        ::ActiveSupport::Notifications.instrument(event, payload) do
          ran = true
          begin
            result = yield(payload)
          rescue Exception => e # rubocop:disable Lint/RescueException -- re-raised below, after the event closes
            payload[:exception] = [e.class.name, e.message]
            payload[:exception_object] = e
            failure = e
          end
        end
      rescue StandardError => e
        report_failure(:subscriber, e)
        return yield(payload) unless ran
      end
      raise failure if failure

      result
    end

    # Calls `logger.public_send(level) { text }`; a failing logger is reported once.
    def log(logger, level, &block)
      return unless logger

      logger.public_send(level, &block)
    rescue StandardError => e
      report_failure(:logger, e)
    end

    def report_failure(kind, error)
      key = [kind, error.class]
      first = @lock.synchronize { @warned[key] ? false : (@warned[key] = true) }
      return unless first

      what = kind == :logger ? "the logger" : "an ActiveSupport::Notifications subscriber of #{REQUEST}"
      Kernel.warn("[wechat_work] #{what} raised #{error.class}: #{error.message}; the call went on " \
                  "(this is reported once)")
    end
  end
end
