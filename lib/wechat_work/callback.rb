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
  class Callback
    include Arguments::Keywords

    attr_reader :receive_id, :corp_id, :app

    # What the query parameters of WeCom's requests are for, in "is missing" messages.
    QUERY = { msg_signature: "the msg_signature query parameter of WeCom's request",
              timestamp: "the timestamp query parameter of WeCom's request",
              nonce: "the nonce query parameter of WeCom's request" }.freeze

    def initialize(app = nil, token: nil, encoding_aes_key: nil, corp_id: nil, receive_id: nil, verify_receive_id: true,
                   **unknown)
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

      @native = Native::Callback.new(token, encoding_aes_key, @receive_id, @verify_receive_id)
    end

    def verify_receive_id? = @verify_receive_id

    # The GET that WeCom sends when the URL is saved in the admin console. Returns the plaintext
    # the endpoint must answer with (body exactly that, no quotes or newline, within 1 s).
    required_keywords :verify_url, **QUERY, echostr: "the echostr query parameter (what to answer, decrypted)"
    def verify_url(msg_signature: required(binding), timestamp: required(binding), nonce: required(binding),
                   echostr: required(binding))
      @native._verify_url(text(msg_signature), text(timestamp), text(nonce), text(echostr))
    end

    # A POSTed callback body: checks the signature, decrypts, parses. => Callback::Message
    required_keywords :decrypt_message, **QUERY
    def decrypt_message(body_xml, msg_signature: required(binding), timestamp: required(binding), nonce: required(binding))
      xml, fields = @native._decrypt_message(text(body_xml), text(msg_signature), text(timestamp), text(nonce))
      Message.build(fields, xml: xml)
    end

    # The encrypted passive reply envelope. reply: a Callback::Reply (bound to its message with
    # Message#reply_text etc., or given to: here) or a plaintext reply XML String.
    def encrypt_reply(reply, timestamp: Time.now.to_i.to_s, nonce: self.class.nonce, to: nil)
      xml = reply.is_a?(Reply) ? reply.to_xml(to_user: to, from_user: @receive_id) : reply.to_s
      @native._encrypt_reply(xml, text(timestamp), text(nonce))
    end

    # Parses a plaintext callback XML (no crypto): for tests and for messages stored earlier.
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
        "token=[FILTERED] encoding_aes_key=[FILTERED]>"
    end
    alias to_s inspect

    # WeCom's nonces are decimal digits.
    def self.nonce
      SecureRandom.random_number(10**9...10**10).to_s
    end

    private

    def env_settings
      { token: ENV.fetch("WECHAT_WORK_CALLBACK_TOKEN", nil), encoding_aes_key: ENV.fetch("WECHAT_WORK_ENCODING_AES_KEY", nil),
        corp_id: ENV.fetch("WECHAT_WORK_CORP_ID", nil) }
    end

    # Where the missing setting comes from, for the error message.
    def setting_hint(setting, keyword)
      return "#{keyword} or #{Configuration::ENV_NAMES.fetch(setting)}" if @app.nil?
      return "#{keyword} or c.#{setting} = ... (the default app)" if @app == :default

      "#{keyword} or c.app #{@app.inspect}, #{setting}: ..."
    end

    def text(value)
      value.is_a?(String) ? value : value.to_s
    end
  end
end

require_relative "callback/message"
require_relative "callback/reply"
require_relative "callback/dedupe"
require_relative "callback/router"
require_relative "callback/rack_app"
require_relative "callback/sender"
