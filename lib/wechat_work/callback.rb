# frozen_string_literal: true

require "securerandom"

module WechatWork
  # WeCom callbacks (接收消息与事件) for one app: URL verification, signature check, AES
  # decryption of messages and events, encrypted passive replies. The crypto runs in the Rust core.
  #
  #   cb = WechatWork::Callback.new(token: "...", encoding_aes_key: "...", corp_id: "ww...")
  #   cb.verify_url(msg_signature:, timestamp:, nonce:, echostr:)          # => plaintext to answer
  #   msg = cb.decrypt_message(body, msg_signature:, timestamp:, nonce:)   # => Callback::Message
  #   cb.encrypt_reply(msg.reply_text("hi"), timestamp:, nonce:)           # => <xml><Encrypt/>...</xml>
  #
  # The receive id inside every ciphertext is the corp id for self-built apps and the suite id
  # for third-party suites (pass receive_id:). It is checked unless verify_receive_id: false.
  #
  # A configured app's callback settings (c.app :approvals, callback_token:, encoding_aes_key:)
  # are used when its name is given; keywords still override them:
  #   cb = WechatWork::Callback.new(:approvals)
  #
  # Replays: a request (POST or GET) whose signed timestamp is further than timestamp_window:
  # seconds from Time.now is refused (TimestampError); the default is the configuration's
  # callback_timestamp_window (600). timestamp_window: false turns the check off, for tools that
  # replay stored requests. Every refusal raises a CallbackRefused error, whose reason says why.
  class Callback
    include Arguments::Keywords

    # The largest body an endpoint reads (the core's limit): longer is answered 413 unread.
    MAX_BODY = LIMITS.fetch(:callback_body_bytes)

    # Why a callback can be refused, from the core: reason => { http_status:, summary: }.
    REFUSALS = Native::Callback.rejections.to_h { |r| [r[:reason], { http_status: r[:http_status], summary: r[:summary] }.freeze] }
                                          .freeze

    # The default of timestamp_window:: the configuration's callback_timestamp_window.
    CONFIGURED = Object.new.tap { |o| o.define_singleton_method(:inspect) { "the configured callback_timestamp_window" } }.freeze
    private_constant :CONFIGURED

    attr_reader :receive_id, :corp_id, :app

    # What the query parameters of WeCom's requests are for, in "is missing" messages.
    QUERY = { msg_signature: "the msg_signature query parameter of WeCom's request",
              timestamp: "the timestamp query parameter of WeCom's request",
              nonce: "the nonce query parameter of WeCom's request" }.freeze

    def initialize(app = nil, token: nil, encoding_aes_key: nil, corp_id: nil, receive_id: nil, verify_receive_id: true,
                   timestamp_window: CONFIGURED, **unknown)
      Arguments.only!(unknown, Arguments::NOTHING, "Callback.new") { Arguments.keywords_of(method(:initialize)) }
      configured = app.nil? ? env_settings : WechatWork.configuration.callback_options(app)
      @app = app&.to_sym
      token = (token || configured[:token]).to_s
      encoding_aes_key = (encoding_aes_key || configured[:encoding_aes_key]).to_s
      corp_id ||= configured[:corp_id]
      raise ConfigurationError, "the callback token is missing (#{setting_hint(:callback_token, "token:")})" if token.empty?
      if encoding_aes_key.empty?
        raise ConfigurationError, "the EncodingAESKey is missing (#{setting_hint(:encoding_aes_key, "encoding_aes_key:")})"
      end

      @corp_id = corp_id&.to_s
      @receive_id = (receive_id || corp_id).to_s
      @verify_receive_id = verify_receive_id ? true : false
      if @receive_id.empty? && @verify_receive_id
        raise ConfigurationError, "the corp id is missing (corp_id:, receive_id: or WECHAT_WORK_CORP_ID)"
      end

      window = timestamp_window.equal?(CONFIGURED) ? configured[:timestamp_window] : timestamp_window
      window = Options.callback_timestamp_window(window, :timestamp_window)
      @native = Native::Callback.new(token, encoding_aes_key, @receive_id, @verify_receive_id, window)
    end

    def verify_receive_id? = @verify_receive_id

    # Seconds either side of Time.now a request's timestamp may be; nil when the check is off.
    def timestamp_window = @native.timestamp_window

    # The GET that WeCom sends when the URL is saved in the admin console. Returns the plaintext
    # the endpoint must answer with (body exactly that, no quotes or newline, within 1 s).
    # Checks the signature, then the timestamp window, then decrypts echostr.
    required_keywords :verify_url, **QUERY, echostr: "the echostr query parameter (what to answer, decrypted)"
    def verify_url(msg_signature: required(binding), timestamp: required(binding), nonce: required(binding),
                   echostr: required(binding))
      @native._verify_url(text(msg_signature), text(timestamp), text(nonce), text(echostr), Time.now.to_i)
    end

    # A POSTed callback body: checks the signature, the timestamp window, decrypts, checks the
    # receive id, parses. => Callback::Message
    required_keywords :decrypt_message, **QUERY
    def decrypt_message(body_xml, msg_signature: required(binding), timestamp: required(binding), nonce: required(binding))
      xml, fields = @native._decrypt_message(text(body_xml), text(msg_signature), text(timestamp), text(nonce),
                                             Time.now.to_i)
      Message.build(fields, xml: xml)
    end

    # What a log line says about a refusal (a CallbackRefused error's reason): the core's
    # summary and what to check, naming settings, never their values.
    #   cb.explain(:signature)  # => "signature mismatch (check callback_token of app :default: ...)"
    def explain(reason)
      summary = REFUSALS.dig(reason, :summary) || reason.to_s.tr("_", " ")
      hint = refusal_hint(reason)
      hint ? "#{summary} (#{hint})" : summary
    end

    # The encrypted passive reply envelope. reply: a Callback::Reply (bound to its message with
    # Message#reply_text etc., or given to: here) or a plaintext reply XML String.
    def encrypt_reply(reply, timestamp: Time.now.to_i.to_s, nonce: self.class.nonce, to: nil)
      xml = reply.is_a?(Reply) ? reply.to_xml(to_user: to, from_user: @receive_id) : reply.to_s
      @native._encrypt_reply(xml, text(timestamp), text(nonce))
    end

    # Parses a plaintext callback XML (no crypto, so no timestamp window): for tests and for
    # messages stored earlier.
    def parse(xml)
      Message.build(Native::Callback.parse_xml(text(xml)), xml: xml.to_s)
    end

    # The msg_signature of these parameters (for tests and tools).
    required_keywords :signature, timestamp: "the timestamp signed with it (Unix seconds, as a String)",
                                  nonce: "the nonce signed with it", encrypt: "the Encrypt text signed with it"
    def signature(timestamp: required(binding), nonce: required(binding), encrypt: required(binding))
      @native._sign(text(timestamp), text(nonce), text(encrypt))
    end

    # What WeCom would POST for a plaintext callback XML: [query params, body] (tests, tools).
    # Signed with the current time, so it passes the timestamp window now.
    def encrypted_request(xml, timestamp: Time.now.to_i.to_s, nonce: self.class.nonce)
      encrypt = @native._encrypt(text(xml))
      params = { "msg_signature" => signature(timestamp: timestamp, nonce: nonce, encrypt: encrypt),
                 "timestamp" => text(timestamp), "nonce" => text(nonce) }
      body = "<xml><ToUserName><![CDATA[#{@receive_id}]]></ToUserName><Encrypt><![CDATA[#{encrypt}]]></Encrypt></xml>"
      [params, body]
    end

    # The passive reply an endpoint answered (its encrypted envelope), checked and decrypted,
    # as a Message (tests, tools).
    def decrypt_reply(envelope)
      xml = @native._decrypt_reply(text(envelope))
      Message.build(Native::Callback.parse_xml(xml), xml: xml)
    end

    def inspect
      "#<#{self.class} receive_id=#{@receive_id.inspect} verify_receive_id=#{@verify_receive_id} " \
        "timestamp_window=#{timestamp_window.inspect} token=[FILTERED] encoding_aes_key=[FILTERED]>"
    end
    alias to_s inspect

    # WeCom's nonces are decimal digits.
    def self.nonce
      SecureRandom.random_number(10**9...10**10).to_s
    end

    private

    def env_settings
      { token: ENV.fetch("WECHAT_WORK_CALLBACK_TOKEN", nil), encoding_aes_key: ENV.fetch("WECHAT_WORK_ENCODING_AES_KEY", nil),
        corp_id: ENV.fetch("WECHAT_WORK_CORP_ID", nil), timestamp_window: WechatWork.configuration.callback_timestamp_window }
    end

    # Where the missing setting comes from, for the error message.
    def setting_hint(setting, keyword)
      return "#{keyword} or #{Configuration::ENV_NAMES.fetch(setting)}" if @app.nil?
      return "#{keyword} or c.#{setting} = ... (the default app)" if @app == :default

      "#{keyword} or c.app #{@app.inspect}, #{setting}: ..."
    end

    def refusal_hint(reason)
      case reason
      when :signature
        "check #{setting_name(:callback_token, "token:")}: the Token in the app's 接收消息 API settings, " \
          "and that the request is for this app"
      when :timestamp
        "outside #{timestamp_window} s either side of this server's clock: check the clock, or it is a replay"
      when :receive_id
        suite = @receive_id != @corp_id.to_s
        suite ? "check receive_id: (the suite id)" : "check #{setting_name(:corp_id, "corp_id:")}, or receive_id: for a third-party suite"
      when :decrypt then "check #{setting_name(:encoding_aes_key, "encoding_aes_key:")}"
      when :malformed then "not a WeCom callback body"
      when :too_large then "WeCom's callbacks are a few KB"
      end
    end

    # "callback_token of app :default", or "token: (or WECHAT_WORK_CALLBACK_TOKEN)" without an app.
    def setting_name(setting, keyword)
      return "#{setting} of app #{@app.inspect}" if @app

      "#{keyword} (or #{Configuration::ENV_NAMES.fetch(setting)})"
    end

    def text(value)
      value.is_a?(String) ? value : value.to_s
    end
  end
end

require_relative "callback/message"
require_relative "callback/reply"
require_relative "callback/dedupe"
require_relative "callback/body"
require_relative "callback/router"
require_relative "callback/rack_app"
require_relative "callback/sender"
