# frozen_string_literal: true

module WechatWork
  class Callback
    # Dispatches callbacks to handlers, and implements the endpoint both RackApp and the Rails
    # concern use (GET verification, POST delivery, dedupe, reply, status codes).
    #
    #   router = WechatWork::Callback::Router.new(cb) do
    #     on(:text, content: /^interview/) { |msg| reply_text "Which day suits you?" }
    #     on(:event, "enter_agent") { |msg| reply_text "Welcome back" }
    #     on(:event, "template_card_event") { |msg| InterviewVoteJob.perform_later(msg.to_h); update_button "Voted" }
    #     on(:click, event_key: "MY_SCHEDULE") { |msg| ... }     # an event name works as the type too
    #     otherwise { |msg| nil }                                 # nil: answer an empty 200
    #   end
    #
    # The first rule that matches runs. A handler answers with reply_text / reply_image /
    # reply_news / update_button / update_template_card (or returns a Reply); anything else
    # answers an empty 200. WeCom waits 5 s, then retries: do slow work in a job.
    class Router
      # What `settings` (in a subclass) takes.
      SETTINGS = %i[app dedupe logger on_error].freeze
      MESSAGE_TYPES = %i[text image voice video location link file event].freeze
      # WeCom gives up on an answer after 5 s (and retries).
      DEADLINE = 5.0

      # What a handler block runs in: the reply helpers, and the message.
      class Context
        attr_reader :message, :callback, :reply

        def initialize(message, callback)
          @message = message
          @callback = callback
          @reply = nil
        end

        def reply_text(content) = (@reply = message.reply_text(content))
        def reply_image(media_id) = (@reply = message.reply_image(media_id))
        def reply_voice(media_id) = (@reply = message.reply_voice(media_id))
        def reply_video(media_id, **opts) = (@reply = message.reply_video(media_id, **opts))
        def reply_news(articles) = (@reply = message.reply_news(articles))
        def update_button(replace_name) = (@reply = message.update_button(replace_name))
        def update_template_card(card) = (@reply = message.update_template_card(card))
      end

      Rule = Struct.new(:type, :event, :conditions, :handler)

      # Handlers can also be declared in a subclass, which reads well in a Rails app
      # (app/callbacks/interview_callbacks.rb) and mounts by name:
      #   class InterviewCallbacks < WechatWork::Callback::Router
      #     settings app: :default, dedupe: -> { Rails.cache }
      #     on(:event, "template_card_event") { |msg| CardAnsweredJob.perform_later(msg.to_h) }
      #   end
      #   # config/routes.rb
      #   wechat_work_callback "/wechat_work/callback", to: "InterviewCallbacks"
      class << self
        def on(*args, **conditions, &handler) = declarations << [:on, args, conditions, handler]
        def otherwise(&handler) = declarations << [:otherwise, [], {}, handler]

        # app: the configured app whose callback settings to use (WechatWork.configure's
        # callback_token / encoding_aes_key); dedupe, logger, on_error: as for #new (a Proc is
        # called when the router is built).
        def settings(**options)
          Arguments.only!(options, SETTINGS, "settings")

          class_settings.merge!(options)
        end

        def declarations = (@declarations ||= [])
        def class_settings = (@class_settings ||= {})

        def inherited(subclass)
          super
          subclass.declarations.concat(declarations)
          subclass.class_settings.merge!(class_settings)
        end
      end

      attr_reader :callback, :dedupe, :logger

      # callback: a Callback (default: one built from ENV). dedupe: a Dedupe, a store for one
      # (Rails.cache), or false to turn it off. When a handler raises, the exception is logged,
      # reported to Rails' error reporter (Rails.error, Rails 7+) when there is one, and given
      # to on_error (called with (exception, message)); the endpoint then answers 500 so WeCom
      # retries.
      #
      # The dedupe store also stops replays the timestamp window lets through: a store or the
      # default one keeps each delivery for replay_ttl (twice the window), and a Dedupe given
      # with a shorter ttl is warned about.
      def initialize(callback = nil, dedupe: nil, logger: nil, on_error: nil, &block)
        settings = self.class.class_settings.transform_values { |v| v.is_a?(Proc) && v.arity.zero? ? v.call : v }
        callback ||= settings.key?(:app) ? Callback.new(settings[:app]) : Callback.new
        dedupe = settings[:dedupe] if dedupe.nil?
        logger ||= settings[:logger]
        on_error ||= settings[:on_error]
        @callback = callback
        @dedupe = case dedupe
                  when nil then Dedupe.new(ttl: replay_ttl)
                  when false then nil
                  when Dedupe then dedupe.tap { warn_short_ttl(_1) }
                  else Dedupe.new(dedupe, ttl: replay_ttl)
                  end
        @logger = logger
        @on_error = on_error
        @rules = []
        @fallback = nil
        self.class.declarations.each { |kind, args, conditions, handler| public_send(kind, *args, **conditions, &handler) }
        instance_eval(&block) if block
      end

      # How long the dedupe store must remember a delivery: a request is accepted while its
      # timestamp is within the window of now, so up to twice the window after the first one
      # (and at least Dedupe::DEFAULT_TTL, for WeCom's retries).
      def replay_ttl
        window = callback.timestamp_window
        window ? [Dedupe::DEFAULT_TTL, 2 * window].max : Dedupe::DEFAULT_TTL
      end

      # on(:text, content: /re/) / on(:event, "enter_agent") / on(:enter_agent) / on(:any).
      # Conditions match fields by snake_case name with ===: a String, Regexp, Array, Range or Proc.
      def on(type, event = nil, **conditions, &handler)
        raise ArgumentError, "on(#{type.inspect}) needs a block" unless handler

        type = type.to_s.downcase.to_sym
        unless MESSAGE_TYPES.include?(type) || type == :any
          event = type.to_s
          type = :event
        end
        @rules << Rule.new(type, event&.to_s&.downcase, conditions, handler)
        self
      end

      # The handler when no rule matches.
      def otherwise(&handler)
        raise ArgumentError, "otherwise needs a block" unless handler

        @fallback = handler
        self
      end

      # Runs the first matching handler. => Reply or nil
      def dispatch(message)
        handler = @rules.find { |rule| match?(rule, message) }&.handler || @fallback
        return nil unless handler

        context = Context.new(message, callback)
        result = context.instance_exec(message, &handler)
        context.reply || (result.is_a?(Reply) ? result : nil)
      end

      CALLBACK_EVENT = "callback.wechat_work"

      # GET: URL verification. params: the query (String keys). => [status, content_type, body].
      # Publishes callback.wechat_work (method "GET", status; reason and refusal when refused).
      def verify(params)
        traced("GET") do |payload|
          echo = callback.verify_url(msg_signature: param(params, "msg_signature"), timestamp: param(params, "timestamp"),
                                     nonce: param(params, "nonce"), echostr: param(params, "echostr"))
          payload[:message] = "URL verification"
          log(:info, "URL verification answered")
          [200, "text/plain", echo]
        rescue CallbackRefused => e
          refuse("GET", e.reason, e.message, payload)
        end
      end

      # POST: a message or event. => [status, content_type, body]. Publishes callback.wechat_work
      # (method "POST", message, status, duplicate; reason and refusal when refused) around the
      # whole handling.
      def receive(params, body)
        traced("POST") { |payload| receive_untraced(params, body, payload) }
      end

      # The answer to a POST whose body is over the endpoint's limit (Callback::MAX_BODY unless
      # configured), which it does not read: 413, logged and published like every refusal.
      # declared: the Content-Length when that is what said so.
      def refuse_too_large(declared = nil, limit: Callback::MAX_BODY)
        detail = declared ? "Content-Length #{declared} is over #{limit} bytes" : "the body runs past #{limit} bytes"
        traced("POST") { |payload| refuse("POST", :too_large, detail, payload) }
      end

      private def traced(verb)
        Instrumentation.instrument(CALLBACK_EVENT, { method: verb, app: callback.app }) do |payload|
          answer = yield(payload)
          payload[:status] = answer.first
          answer
        end
      end

      private def receive_untraced(params, body, payload)
        started = now
        timestamp = param(params, "timestamp")
        nonce = param(params, "nonce")
        message = callback.decrypt_message(body.to_s, msg_signature: param(params, "msg_signature"),
                                                      timestamp: timestamp, nonce: nonce)
        payload[:message] = "#{describe(message)} from #{message.from_user_name}"
        key = message.dedupe_key
        unless claim(key)
          payload[:duplicate] = true
          log(:info, "duplicate #{describe(message)} not dispatched again")
          earlier = safely { dedupe.reply_for(key) }
          return earlier ? encrypted(earlier) : [200, "text/plain", ""]
        end

        reply_xml = handle(message, key)
        return [500, "text/plain", ""] if reply_xml == :error

        safely { dedupe&.finish(key, reply_xml) }
        elapsed = now - started
        if elapsed > DEADLINE
          log(:warn, "#{describe(message)} took #{elapsed.round(1)} s: WeCom stopped waiting after #{DEADLINE.to_i} s " \
                     "and retries; enqueue slow work in a job")
        end
        log(:info, "#{describe(message)} answered #{reply_xml ? "a reply" : "empty"} in #{(elapsed * 1000).round} ms")
        reply_xml ? encrypted(reply_xml) : [200, "text/plain", ""]
      rescue CallbackRefused => e
        refuse("POST", e.reason, e.message, payload)
      end

      def inspect = "#<#{self.class.name} rules=#{@rules.size} callback=#{callback.inspect}>"

      private

      def handle(message, key)
        reply = dispatch(message)
        reply&.to_xml(to_user: message.from_user_name, from_user: message.to_user_name || callback.receive_id)
      rescue StandardError => e
        safely { dedupe&.release(key) }
        report(e, message)
        :error
      end

      # A failing handler: the log, Rails' error reporter, on_error. None of them may stop the
      # 500 that makes WeCom retry.
      def report(error, message)
        log(:error, "handler for #{describe(message)} raised #{error.class}: #{error.message}")
        reporter = ::Rails.error if defined?(::Rails) && ::Rails.respond_to?(:error)
        reporter&.report(error, handled: false, context: { wechat_work_callback: describe(message), msg_id: message.msg_id })
        @on_error&.call(error, message)
      rescue StandardError => e
        log(:error, "reporting a handler failure raised #{e.class}: #{e.message}")
      end

      def encrypted(reply_xml)
        [200, "application/xml", callback.encrypt_reply(reply_xml, timestamp: Time.now.to_i.to_s, nonce: Callback.nonce)]
      end

      def claim(key)
        return true unless dedupe

        dedupe.claim(key)
      rescue StandardError => e
        # The store is down: dispatching twice beats dropping a message.
        log(:warn, "dedupe store failed (#{e.class}); dispatching without dedupe")
        true
      end

      def safely
        yield
      rescue StandardError => e
        log(:warn, "dedupe store failed (#{e.class})")
        nil
      end

      def match?(rule, message)
        return false unless rule.type == :any || message.type == rule.type
        return false if rule.event && message.event_name != rule.event

        rule.conditions.all? do |name, matcher|
          value = message.respond_to?(name) ? message.public_send(name) : message[name]
          matcher === value # rubocop:disable Style/CaseEquality
        end
      end

      def param(params, name)
        value = params[name] || params[name.to_sym]
        value.is_a?(Array) ? value.first.to_s : value.to_s
      end

      # What the response body says: no more than the status.
      STATUS_BODIES = { 400 => "bad request", 403 => "forbidden", 413 => "payload too large" }.freeze

      # The reason and what to check go to the log and the event (they name settings, never a
      # secret); the response says no more than the status.
      def refuse(verb, reason, detail, payload)
        status = Callback::REFUSALS.dig(reason, :http_status) || 400
        refusal = callback.explain(reason)
        payload[:reason] = reason
        payload[:refusal] = refusal
        log(:warn, "#{verb} refused #{status}: #{refusal}: #{detail}")
        [status, "text/plain", STATUS_BODIES.fetch(status, "bad request")]
      end

      def warn_short_ttl(dedupe)
        return if dedupe.ttl.nil? || dedupe.ttl >= replay_ttl

        WechatWork.warn("the callback dedupe ttl (#{dedupe.ttl} s) is shorter than twice the timestamp window " \
                        "(#{replay_ttl} s): a replay inside the window but after the ttl would be dispatched again")
      end

      def describe(message)
        message.event? ? "event #{message.event}" : "#{message.msg_type} message"
      end

      def log(level, text)
        logger&.public_send(level, "[wechat_work] callback: #{text}")
      end

      def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end
  end
end
