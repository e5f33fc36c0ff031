# frozen_string_literal: true

module WechatWork
  # Background delivery that loses nothing and sends nothing twice.
  #
  #   Interview.transaction do
  #     interview = Interview.create!(...)
  #     WechatWork.deliver_later(to: interview.interviewer.wecom_userid, msgtype: :textcard,
  #                              title: "Interview #{interview.starts_at:%H:%M}", description: "...",
  #                              url: interview_url(interview))
  #   end   # rolled back: nothing is sent; committed: the job is enqueued after commit
  #
  # Transient failures (network, -1, 5xx, rate limits) are retried with backoff; permanent ones
  # (40001, 81013, 60020, ...) give up at once and are reported (deliver.wechat_work, the log,
  # Rails.error). A crash mid-send leaves the row in `sending`; the sweeper sends it again
  # within WeCom's duplicate-check window, so WeCom drops the repeat.
  module Outbox
    # How long a row may stay in `sending` before the sweeper considers its worker dead. A send
    # takes at most the client's timeout (10 s by default).
    DEFAULT_STALE_AFTER = 120
    # The duplicate-check window of outbox sends: WeCom's default. The sweeper resends a stuck
    # row only within it; past it the row becomes `uncertain` (reported, not resent).
    DEFAULT_DUPLICATE_WINDOW = 1800
    # Attempts before a transiently failing delivery gives up (status failed).
    MAX_ATTEMPTS = 25
    DELIVER_EVENT = "deliver.wechat_work"

    class << self
      # The job system: :active_job (default when ActiveJob is loaded) or :sidekiq.
      attr_writer :job_adapter
      # The queue of the outbox's jobs (default "default", which every Sidekiq processes).
      attr_writer :queue
      # Seconds after which a row in `sending` counts as abandoned (its worker died).
      attr_writer :stale_after

      def stale_after = @stale_after || DEFAULT_STALE_AFTER

      def queue = @queue || "default"

      def job_adapter
        @job_adapter || (defined?(::ActiveJob::Base) ? :active_job : :sidekiq)
      end

      # Writes the delivery row(s) (one per 1000 users, WeCom's per-call limit) in the current
      # transaction. The message is checked now: bad arguments raise here, in the caller.
      # => the Delivery (the first one when the recipients were split)
      def deliver_later(app = :default, **message)
        client = WechatWork.client(app)
        message = message.dup
        message[:duplicate_check_interval] ||= DEFAULT_DUPLICATE_WINDOW
        message.delete(:enable_duplicate_check) == false &&
          raise(::ArgumentError, "deliver_later always uses WeCom's duplicate check: it is what makes a retry safe")
        bodies = batches(message).map { |m| client.message_body(**m) }
        rows = bodies.map do |body|
          Delivery.create!(app: app.to_s, msgtype: body["msgtype"], payload: body, digest: Delivery.digest_of(body),
                           recipients: recipients_of(body), status: "pending", attempts: 0)
        end
        rows.first
      end

      # Called after commit: hands the row to the job system.
      def enqueue(delivery, wait_until: nil)
        case job_adapter
        when :active_job
          job = DeliveryJob
          job = job.set(wait_until: wait_until) if wait_until
          job.perform_later(delivery.id)
        when :sidekiq
          wait_until ? SidekiqDeliveryJob.perform_at(wait_until, delivery.id) : SidekiqDeliveryJob.perform_async(delivery.id)
        else
          raise ConfigurationError, "WechatWork::Outbox.job_adapter must be :active_job or :sidekiq, got #{job_adapter.inspect}"
        end
      end

      # One sending attempt of the row `id`, from a job. Returns the row, or nil when there was
      # nothing to do. A transient failure schedules the next attempt (backoff); a permanent one
      # is recorded and reported. Nothing is raised for WeCom's answers, so the job system's own
      # retries never send on their own.
      def perform(id, stale_after: self.stale_after)
        delivery = Delivery.claim(id, stale_after: stale_after)
        return nil unless delivery

        if delivery.resend_unsafe?
          error = UncertainDelivery.new(delivery)
          delivery.mark_failed!(error, status: "uncertain")
          report(delivery, error)
          return delivery
        end
        if (wait = Throttle.current&.reserve(delivery))
          delivery.update!(status: "pending", next_attempt_at: Time.now + wait)
          enqueue(delivery, wait_until: Time.now + wait)
          return delivery
        end
        send_now(delivery)
      end

      # Rows stuck in pending or sending for more than `older_than` seconds are enqueued again:
      # a pending row whose job was lost, a sending row whose worker died. The job then sends it
      # again if WeCom's duplicate check still covers an earlier attempt that may have reached
      # WeCom, and marks it uncertain (reported, not resent) otherwise. => count re-enqueued
      def sweep(older_than: stale_after, now: Time.now)
        cutoff = now - older_than
        count = 0
        Delivery.where(status: %w[pending sending]).where("updated_at < ?", cutoff)
                .where("next_attempt_at IS NULL OR next_attempt_at < ?", now).find_each do |delivery|
          delivery.touch
          enqueue(delivery)
          count += 1
        end
        count
      end

      # Recalls a delivered row (WeCom allows it for 24 hours).
      def recall(delivery)
        raise ::ArgumentError, "delivery #{delivery.id} is #{delivery.status}, not delivered: nothing to recall" unless delivery.delivered?

        WechatWork.client(delivery.app_name).recall(delivery.msgid)
        delivery.update!(status: "recalled", recalled_at: Time.now)
        delivery
      end

      private

      def send_now(delivery)
        response = instrument(delivery) { WechatWork.client(delivery.app_name).deliver_body(delivery.body) }
        delivery.mark_delivered!(response)
        delivery
      rescue Error, ::ArgumentError => e
        if transient?(e) && delivery.attempts < MAX_ATTEMPTS
          at = Time.now + backoff(delivery.attempts, e)
          delivery.retry_later!(e, at: at, ambiguous: ambiguous?(e))
          enqueue(delivery, wait_until: at)
          return delivery
        end
        delivery.mark_failed!(e)
        report(delivery, e)
        delivery
      end

      def transient?(error)
        case error
        when ApiError then error.transient?
        when ProtocolError then error.http_status.to_i >= 500
        when NetworkError then true
        else false
        end
      end

      # Might the failed attempt have reached WeCom? -1 and rate limits: WeCom did nothing.
      def ambiguous?(error) = !error.is_a?(ApiError)

      # 10 s, 20 s, 40 s ... capped at an hour; a rate limit waits at least its block (60 s).
      def backoff(attempts, error)
        base = [10 * (2**[attempts - 1, 0].max), 3600].min
        error.respond_to?(:retry_after) ? [base, error.retry_after].max : base
      end

      def instrument(delivery, &block)
        payload = { delivery_id: delivery.id, app: delivery.app, msgtype: delivery.msgtype, attempt: delivery.attempts }
        Instrumentation.instrument(DELIVER_EVENT, payload, &block)
      end

      def report(delivery, error)
        WechatWork.warn("delivery #{delivery.id} (#{delivery.msgtype} to #{delivery.users.first(3).join("|")}) " \
                        "#{delivery.status}: #{error.class}: #{error.message}")
        reporter = ::Rails.error if defined?(::Rails) && ::Rails.respond_to?(:error)
        reporter&.report(error, handled: true, context: { wechat_work_delivery: delivery.id })
      rescue StandardError
        nil
      end

      def recipients_of(body)
        { users: body["touser"].to_s.split("|"), parties: body["toparty"].to_s.split("|"), tags: body["totag"].to_s.split("|") }
          .reject { |_, v| v.empty? }
      end

      # WeCom takes 1000 users a call: split a longer user list into several deliveries.
      def batches(message)
        to = message[:to]
        users = to.is_a?(Array) ? to : (to.is_a?(Hash) && Array(to[:users] || to["users"]))
        return [message] unless users && users.size > 1000

        users.each_slice(1000).each_with_index.map do |slice, i|
          slice_to = to.is_a?(Array) ? slice : { users: slice }
          # Parties and tags go with the first batch only.
          slice_to = to.merge(users: slice).then { |h| i.zero? ? h : h.slice(:users, "users") } if to.is_a?(Hash)
          message.merge(to: slice_to)
        end
      end
    end

    # An attempt may have reached WeCom and its duplicate check no longer covers a resend.
    class UncertainDelivery < Error
      def initialize(delivery)
        super("delivery #{delivery.id} may have reached WeCom at #{delivery.ambiguous_since} (the answer was lost); " \
              "it is not sent again, since WeCom's #{delivery.duplicate_window} s duplicate check no longer covers it")
      end
    end
  end
end
