# frozen_string_literal: true

module WechatWork
  # A test mode in which nothing leaves the process (WebMock cannot see requests made from
  # Rust, so the gem intercepts them itself). Calls are still checked by the core, exactly as
  # in production; sends are recorded, like ActionMailer::Base.deliveries; other calls answer
  # what you stubbed.
  #
  #   require "wechat_work/rspec"      # or "wechat_work/minitest": turns this on, clears per test
  #
  #   WechatWork::Testing.deliveries                 # what was sent
  #   WechatWork.stub_responses("user/get", { "userid" => "lilei", "name" => "Li Lei" })
  #   WechatWork.stub_responses("message/send", WechatWork::RateLimitError)   # or an errcode: 45009
  #   WechatWork::Testing.disable { ... }            # real calls (e.g. against the simulator)
  module Testing
    # One recorded send.
    Delivery = Struct.new(:app, :endpoint, :body, :response, keyword_init: true) do
      def msgtype = body["msgtype"]
      def payload = body[msgtype] || {}
      def channel = endpoint == "message/send" ? :app : endpoint.split("/").first.to_sym
      # message/send joins ids with "|"; update_template_card gives Arrays.
      def users = split(body["touser"]) + Array(body["userids"]).map(&:to_s)
      def parties = split(body["toparty"]) + Array(body["partyids"]).map(&:to_s)
      def tags = split(body["totag"]) + Array(body["tagids"]).map(&:to_s)
      def chatid = body["chatid"]

      # The text a person reads, for `content:` matching: text and markdown content, card
      # titles and descriptions, article titles.
      def text
        p = payload
        parts = [p["content"], p["title"], p["description"], p["url"]]
        Array(p["articles"]).each { |a| parts.push(a["title"], a["description"]) }
        if (card = body["template_card"] || p["template_card"])
          parts.push(card.dig("main_title", "title"), card.dig("main_title", "desc"), card["sub_title_text"])
          Array(card["horizontal_content_list"]).each { |h| parts.push("#{h["keyname"]}: #{h["value"]}") }
        end
        parts.compact.map(&:to_s).join("\n")
      end

      def to_h = super.merge(msgtype: msgtype, text: text)

      def inspect = "#<WechatWork delivery #{endpoint} #{msgtype} to=#{(users + parties).join("|").inspect} #{text[0, 60].inspect}>"

      private

      def split(list) = list.to_s.split("|").map(&:strip).reject(&:empty?)
    end

    # Sends: recorded and answered with a fake msgid unless stubbed.
    SENDS = %w[message/send appchat/send webhook/send message/update_template_card message/recall].freeze
    # Answers good enough for the client's own methods when nothing is stubbed.
    DEFAULTS = {
      "media/upload" => ->(params, seq) { { "type" => params["type"], "media_id" => "test-media-#{seq}", "created_at" => Time.now.to_i.to_s } },
      "webhook/upload_media" => ->(params, seq) { { "type" => params["type"], "media_id" => "test-media-#{seq}", "created_at" => Time.now.to_i.to_s } },
      "media/uploadimg" => ->(_, seq) { { "url" => "https://wework.qpic.cn/test/#{seq}/0" } }
    }.freeze

    class UnstubbedCall < Error; end

    @lock = Mutex.new
    @enabled = false
    @deliveries = []
    @stubs = {}
    @seq = 0

    class << self
      def enabled? = @enabled

      # Turns the test mode on (with a block: only for the block).
      def enable!(&block) = switch(true, &block)

      # Real calls again (with a block: only for the block), e.g. with the simulator.
      def disable!(&block) = switch(false, &block)
      alias disable disable!

      def deliveries = @lock.synchronize { @deliveries.dup }

      # Forgets deliveries and stubs (the RSpec and Minitest helpers call this per test).
      def reset!
        @lock.synchronize do
          @deliveries.clear
          @stubs.clear
          @seq = 0
        end
      end

      # Answers for `endpoint` ("user/get"), used in order, the last one repeating. Each is a
      # Hash (the fields of WeCom's answer), an errcode Integer, an exception class or instance,
      # or a Proc called with the parameters (a Hash with String keys).
      def stub_responses(endpoint, *answers)
        name = endpoint.to_s.delete_prefix("/").delete_prefix("cgi-bin/")
        raise ::ArgumentError, "stub_responses(#{name.inspect}) needs at least one answer" if answers.empty?

        @lock.synchronize { @stubs[name] = answers }
      end

      # What the client does instead of a request: the core checks the call, then the stub or
      # the default answers (a Hash with String keys, like the native layer returns).
      def perform(client, kind, name, params_json)
        Native::Client._validate(name, params_json) if kind == :call && registered?(name)
        params = JSON.parse(params_json)
        answer = next_answer(name, params)
        body = { "errcode" => 0, "errmsg" => "ok" }.merge(answer)
        record(client, name, params, body) if SENDS.include?(name)
        body
      end

      private

      def switch(on)
        previous = @enabled
        @enabled = on
        return self unless block_given?

        begin
          yield
        ensure
          @enabled = previous
        end
      end

      def registered?(name)
        @registered ||= Native.endpoints.map { |e| e[:name] }.freeze
        @registered.include?(name)
      end

      def next_answer(name, params)
        stub, seq = @lock.synchronize do
          list = @stubs[name]
          [list && (list.size > 1 ? list.shift : list.first), @seq += 1]
        end
        return resolve(stub, name, params) if stub
        return default_send(name, params, seq) if SENDS.include?(name)
        return DEFAULTS.fetch(name).call(params, seq) if DEFAULTS.key?(name)

        raise UnstubbedCall, "#{name} is not stubbed in WechatWork's test mode: " \
                             "WechatWork.stub_responses(#{name.inspect}, { ...WeCom's answer... }), " \
                             "or run it against the simulator (with_wechat_work_simulator)"
      end

      def resolve(stub, name, params)
        value = stub.respond_to?(:call) ? stub.call(params) : stub
        case value
        when Hash then value.transform_keys(&:to_s)
        when Integer then raise ApiError.build(errcode: value, errmsg: "stubbed", path: name, body: { "errcode" => value })
        when Class then raise value <= ApiError ? value.new(errcode: stub_errcode(value), path: name) : value
        when Exception then raise value
        else raise ::ArgumentError, "stub for #{name} must be a Hash, an errcode, an exception or a Proc, got #{value.class}"
        end
      end

      # The first errcode of the class's family, so a stubbed RateLimitError has 45009.
      def stub_errcode(klass)
        family = ApiError::FAMILIES.key(klass)
        ApiError.table.values.find { |row| row[:family] == family }&.fetch(:code) || -1
      end

      def default_send(name, params, seq)
        return {} unless %w[message/send appchat/send].include?(name)

        answer = { "msgid" => "test-msgid-#{seq}" }
        card_type = params.dig("template_card", "card_type")
        answer["response_code"] = "test-response-code-#{seq}" if %w[button_interaction vote_interaction multiple_interaction].include?(card_type)
        answer
      end

      def record(client, name, params, body)
        app = client.respond_to?(:app_name) ? client.app_name || :default : :robot
        delivery = Delivery.new(app: app, endpoint: name, body: params.freeze, response: body.freeze)
        @lock.synchronize { @deliveries << delivery }
      end
    end
  end

  class << self
    # See Testing.stub_responses.
    def stub_responses(endpoint, *answers) = Testing.stub_responses(endpoint, *answers)
  end
end
