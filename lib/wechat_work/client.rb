# frozen_string_literal: true

module WechatWork
  # A WeCom app (corp id + app secret + agent id). Thread-safe and fork-safe: build one and
  # share it, or use WechatWork.client.
  #
  #   client = WechatWork::Client.new(corp_id: "ww...", secret: "...", agent_id: 1000002)
  #   client.send_textcard(to: "zhangsan", title: "Interview at 15:00",
  #                        description: "Room 3, with Li Lei", url: "https://example.com/rooms/3")
  class Client
    MESSAGE_OPTIONS = %i[safe enable_id_trans enable_duplicate_check duplicate_check_interval].freeze

    attr_reader :corp_id, :agent_id, :base_url, :timeout, :logger

    def initialize(corp_id: WechatWork.configuration.corp_id, secret: WechatWork.configuration.secret,
                   agent_id: WechatWork.configuration.agent_id, base_url: WechatWork.configuration.base_url,
                   timeout: WechatWork.configuration.timeout, open_timeout: WechatWork.configuration.open_timeout,
                   max_retries: WechatWork.configuration.max_retries, logger: WechatWork.configuration.logger,
                   token_store: WechatWork.configuration.token_store,
                   duplicate_check_interval: WechatWork.configuration.duplicate_check_interval)
      @corp_id = corp_id.to_s
      @agent_id = agent_id && Integer(agent_id)
      @base_url = (base_url || Configuration::DEFAULT_BASE_URL).to_s
      @timeout = timeout
      @logger = logger
      @duplicate_check_interval = duplicate_check_interval
      check_token_store!(token_store)
      @native = Native::Client._new(
        "corp_id" => @corp_id, "secret" => secret.to_s, "agent_id" => @agent_id, "base_url" => @base_url,
        "timeout" => Float(timeout), "open_timeout" => Float(open_timeout), "max_retries" => Integer(max_retries),
        "token_store" => token_store
      )
    rescue ::ArgumentError, TypeError => e
      raise ConfigurationError, e.message
    end

    # The app's access token: cached per corp and secret in this process (and in token_store:),
    # fetched by one thread while the others wait, refreshed before it expires.
    def access_token
      traced { |trace| @native._access_token(trace) }
    end

    # Forgets the cached token, here and in the token store.
    def invalidate_token!
      @native._invalidate_token
      nil
    end

    def send_text(to:, content:, **options)
      send_message(to: to, msgtype: "text", text: { content: content }, **options)
    end

    def send_markdown(to:, content:, **options)
      send_message(to: to, msgtype: "markdown", markdown: { content: content }, **options)
    end

    # A card with a link: the usual "you have an interview" notification.
    def send_textcard(to:, title:, description:, url:, btntxt: nil, **options)
      card = { title: title, description: description, url: url }
      card[:btntxt] = btntxt if btntxt
      send_message(to: to, msgtype: "textcard", textcard: card, **options)
    end

    # articles: 1 to 8 Hashes with title:, url:, and optionally description:, picurl:.
    def send_news(to:, articles:, **options)
      send_message(to: to, msgtype: "news", news: { articles: Array(articles) }, **options)
    end

    # Any msgtype. The content goes under the msgtype's key, or as the remaining keywords:
    #
    #   send_message(to: "zhangsan", msgtype: "template_card", template_card: { card_type: "text_notice", ... })
    #   send_message(to: "zhangsan", msgtype: "image", media_id: "MEDIA_ID")
    #
    # options: safe:, enable_id_trans:, enable_duplicate_check:, duplicate_check_interval:, agent_id:.
    # Retries are made safe by WeCom's duplicate check, on by default with a short window;
    # pass enable_duplicate_check: false to turn it off (then a send is only retried when it
    # certainly did not reach WeCom).
    def send_message(to:, msgtype:, agent_id: self.agent_id, **payload)
      msgtype = msgtype.to_s
      options = payload.slice(*MESSAGE_OPTIONS)
      content = payload.except(*MESSAGE_OPTIONS)
      content = content.key?(msgtype.to_sym) && content.size == 1 ? content[msgtype.to_sym] : content
      body = Recipients.to_fields(to).merge("msgtype" => msgtype, "agentid" => agent_id, msgtype => content)
      body.merge!(message_flags(options))
      response(traced { |trace| @native._send_message(JSON.generate(body), trace) }, "message/send")
    end

    # Any /cgi-bin API: GET with query params. The token, retries and errors are handled.
    #   client.get("user/get", userid: "zhangsan")
    def get(path, params = {})
      response(traced { |trace| @native._call("GET", path.to_s, JSON.generate(params), nil, false, trace) }, path)
    end

    # Any /cgi-bin API: POST with a JSON body. Retried after a possible delivery only when
    # idempotent: true (or the body sets enable_duplicate_check).
    #   client.post("message/recall", msgid: "...")
    def post(path, body = nil, idempotent: false, **fields)
      body = (body || {}).merge(fields)
      result = traced { |trace| @native._call("POST", path.to_s, nil, JSON.generate(body), idempotent, trace) }
      response(result, path)
    end

    def inspect
      "#<#{self.class} corp_id=#{corp_id.inspect} agent_id=#{agent_id.inspect} base_url=#{base_url.inspect} secret=[FILTERED]>"
    end
    alias to_s inspect

    private

    def response(body, path)
      Response.new(body, path: path.to_s.delete_prefix("/").delete_prefix("cgi-bin/"))
    end

    def message_flags(options)
      flags = {}
      flags["safe"] = safe_level(options[:safe]) if options.key?(:safe)
      flags["enable_id_trans"] = flag(options[:enable_id_trans]) if options.key?(:enable_id_trans)
      dedupe = options.fetch(:enable_duplicate_check, true)
      flags["enable_duplicate_check"] = flag(dedupe)
      if flags["enable_duplicate_check"] == 1
        interval = Integer(options.fetch(:duplicate_check_interval, @duplicate_check_interval))
        raise ::ArgumentError, "duplicate_check_interval must be 1..14400 seconds, got #{interval}" unless (1..14_400).cover?(interval)

        flags["duplicate_check_interval"] = interval
      end
      flags
    end

    def safe_level(value)
      level = Integer(value, exception: false)
      raise ::ArgumentError, "safe: must be 0 (shareable), 1 (no sharing, watermark) or 2 (inside the corp, mpnews only), got #{value.inspect}" unless [0, 1, 2].include?(level)

      level
    end

    def flag(value)
      value == true || value == 1 || value.to_s == "1" ? 1 : 0
    end

    # Runs a native call with a trace Array the core fills with one entry per HTTP attempt,
    # then logs and instruments them (even when the call raised).
    def traced
      trace = observed? ? [] : nil
      yield trace
    ensure
      report(trace) if trace && !trace.empty?
    end

    def observed?
      !@logger.nil? || Instrumentation.listening?
    end

    def report(trace)
      trace.each do |event|
        Instrumentation.instrument(event.merge(corp_id: corp_id, agent_id: agent_id))
        next unless @logger

        @logger.debug do
          format("[wechat_work] %<method>s %<path>s status=%<status>s errcode=%<errcode>s attempt=%<attempt>d %<outcome>s (%<ms>.1fms)",
                 **event, ms: event[:duration] * 1000)
        end
      end
    end

    def check_token_store!(store)
      return if store.nil? || (store.respond_to?(:read) && store.respond_to?(:write))

      raise ConfigurationError, "token_store: must respond to read and write (Rails.cache does), got #{store.class}"
    end
  end
end
