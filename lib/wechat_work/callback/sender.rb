# frozen_string_literal: true

require "json"
require "securerandom"

module WechatWork
  class Callback
    # Plays WeCom's side: delivers signed, encrypted callbacks to an app's URL, the way WeCom
    # does, so an endpoint is tested end to end. The HTTP waits run in the Rust core without
    # the GVL (and stop on Thread#kill / Timeout).
    #
    #   sender = WechatWork::Callback::Sender.new(url: "http://127.0.0.1:3000/wechat_work/callback",
    #                                             token:, encoding_aes_key:, corp_id:, timeout: 5, retries: 3)
    #   sender.verify_url                                   # => the echoed plaintext (raises if wrong)
    #   r = sender.deliver(content: "interview", from_user_name: "zhangsan")
    #   r.ok?; r.attempts.size; r.reply.content             # the decrypted passive reply
    #
    # A POST that gets no 200 within timeout: (WeCom: 5 s) is retried up to retries: times
    # (WeCom: 3) with the same body and MsgId. Every request is signed with Time.now, the clock
    # the endpoint's timestamp window is checked against (not a simulator's advanced clock).
    class Sender
      include Arguments::Keywords

      Attempt = Struct.new(:status, :error, :elapsed, keyword_init: true) do
        def timeout? = error == "timeout"
      end

      # reply: the decrypted passive reply as a Message (nil when the app answered empty);
      # reply_xml its plaintext; reply_error why WeCom would refuse it.
      Result = Struct.new(:attempts, :status, :body, :reply, :reply_xml, :reply_error, :message, :ok,
                          keyword_init: true) do
        def ok? = ok
        def retried? = attempts.size > 1
      end

      # The snake_case names whose WeCom spelling is not plain CamelCase.
      SPECIAL_KEYS = {
        "agent_id" => "AgentID", "user_id" => "UserID", "new_user_id" => "NewUserID",
        "location_x" => "Location_X", "location_y" => "Location_Y", "msg_id" => "MsgId"
      }.freeze

      attr_reader :url, :corp_id, :agent_id, :timeout, :retries

      required_keywords :initialize, url: "the app's callback endpoint (\"http://127.0.0.1:3000/wechat_work/callback\")",
                                     token: "the app's callback Token", encoding_aes_key: "the app's EncodingAESKey",
                                     corp_id: "the corp id WeCom puts in every message (the receive id)"
      def initialize(url: required(binding), token: required(binding), encoding_aes_key: required(binding),
                     corp_id: required(binding), timeout: 5, retries: 3, agent_id: 1000002)
        @url = url.to_s
        @corp_id = corp_id.to_s
        @agent_id = agent_id
        @timeout = Float(timeout)
        @retries = Integer(retries)
        raise ConfigurationError, "retries must be 0 or more" if @retries.negative?

        @native = Native::CallbackSender.new(@url, token.to_s, encoding_aes_key.to_s, @corp_id, @timeout, @retries)
      rescue ::ArgumentError, TypeError => e
        raise ConfigurationError, e.message
      end

      # The URL verification GET. => the plaintext the endpoint echoed (it is checked).
      def verify_url
        @native._verify_url(Time.now.to_i)
      end

      # Delivers a message or event: a plaintext callback XML String, or a Hash of fields
      # (WeCom's names or snake_case: { msg_type: "event", event: "enter_agent" }). Missing
      # ToUserName, FromUserName, CreateTime, MsgId (messages), AgentID are filled in.
      def deliver(message)
        xml = message.is_a?(String) ? message : to_xml(message)
        raw = @native._deliver(xml, Time.now.to_i)
        reply = raw[:reply] && Message.build(Native::Callback.parse_xml(raw[:reply]), xml: raw[:reply])
        Result.new(attempts: raw[:attempts].map { |a| Attempt.new(**a) }, status: raw[:status], body: raw[:body],
                   reply: reply, reply_xml: raw[:reply], reply_error: raw[:reply_error], message: raw[:message],
                   ok: raw[:ok])
      end

      # The plaintext XML deliver would send for these fields.
      def to_xml(fields)
        self.class.to_xml(fields, corp_id: corp_id, agent_id: agent_id)
      end

      # The plaintext callback XML for fields given with WeCom's names or snake_case
      # ({ msg_type: "event", event: "template_card_event", event_key: "accept" }); ToUserName,
      # FromUserName, CreateTime, MsgId (messages) and AgentID are filled in when missing.
      def self.to_xml(fields, corp_id:, agent_id: nil)
        f = fields.to_h { |k, v| [wecom_key(k), v.is_a?(Time) ? v.to_i : v] }
        f["MsgType"] ||= if f.key?("Event") then "event"
                         elsif f.key?("Content") then "text"
                         else raise ArgumentError, "msg_type: is missing"
                         end
        f["ToUserName"] ||= corp_id
        f["FromUserName"] ||= "zhangsan"
        f["CreateTime"] ||= Time.now.to_i
        f["MsgId"] ||= SecureRandom.random_number(10**18...10**19).to_s unless f["MsgType"].to_s == "event"
        f["AgentID"] ||= agent_id if agent_id
        Native::Callback.build_xml(JSON.generate(f), %w[ToUserName FromUserName CreateTime MsgType])
      end

      def self.wecom_key(key)
        return key if key.is_a?(String)

        name = key.to_s
        SPECIAL_KEYS.fetch(name) { name.split("_").map(&:capitalize).join }
      end

      def inspect = "#<#{self.class.name} url=#{@url.inspect} corp_id=#{@corp_id.inspect} token=[FILTERED] " \
                    "encoding_aes_key=[FILTERED]>"

    end
  end
end
