# frozen_string_literal: true

module WechatWork
  # Base class of everything the gem raises on purpose. Rescue this to catch them all.
  class Error < StandardError
    # Called by the native extension to turn a core error into the right Ruby exception.
    # kind is a Symbol naming the family, attributes a Hash of what the family exposes.
    def self.from_native(kind, message, attributes = {})
      case kind
      when :api then ApiError.build(**attributes)
      when :network then NetworkError.new(message, **attributes)
      when :timeout then TimeoutError.new(message, **attributes)
      when :protocol then ProtocolError.new(message, **attributes)
      when :configuration then ConfigurationError.new(message)
      when :argument then ArgumentError.new(message)
      when :callback then CallbackRefused.build(message, **attributes)
      else Error.new(message)
      end
    end
  end

  # The native library is not there: a `path:` gem or a checkout that was never compiled, a
  # precompiled gem for another Ruby, a source gem whose build was removed. A LoadError (not an
  # Error), so `rescue LoadError` keeps working; the message says what to run.
  class NativeExtensionMissingError < ::LoadError
    attr_reader :gem_dir

    def initialize(gem_dir:, ruby_minor: RUBY_VERSION[/\d+\.\d+/])
      @gem_dir = gem_dir
      super(build_message(ruby_minor))
    end

    private

    def build_message(ruby_minor)
      require "shellwords"
      dir = gem_dir.shellescape
      built = Dir[File.join(gem_dir, "lib/wechat_work/*/wechat_work.#{RbConfig::CONFIG["DLEXT"]}")]
              .map { |f| File.basename(File.dirname(f)) }.grep(/\A\d+\.\d+\z/).sort
      if File.file?(File.join(gem_dir, "Rakefile"))
        <<~MSG.chomp
          wechat_work: the native extension is not built in #{gem_dir} (Bundler does not compile `path:` gems).
          Build it once; it needs Rust (rustup) and libclang-dev:

              cd #{dir} && rake compile

          Or use a `git:` source (bundle install compiles it) or the precompiled platform gem: see the README's Install section.
        MSG
      elsif built.any?
        "wechat_work: this precompiled gem has the native extension for Ruby #{built.join(", ")}, not #{ruby_minor} " \
          "(#{gem_dir}). Install the source gem instead (needs Rust and libclang-dev), or a platform gem built for #{ruby_minor}."
      else
        "wechat_work: the native extension is missing from #{gem_dir}. Rebuild it (needs Rust and libclang-dev): " \
          "gem pristine wechat_work --version #{VERSION}"
      end
    end
  end

  # Settings that cannot work: missing corp id or secret, a malformed base URL, ...
  class ConfigurationError < Error; end

  # A keyword the method does not take, or a required one that is missing (an ArgumentError,
  # like Ruby's own): "send_textcard does not take btntext: (did you mean btntxt:?); it takes
  # ..." or "send_textcard: description: is missing: the card's text, under the title".
  #   method_name  how the method was named ("send_textcard", "TemplateCard.text_notice")
  #   unknown      the keywords it does not take (Symbols)
  #   suggestions  { unknown => the keyword it most likely misspells }
  #   missing      the required keywords that were not given (or were nil)
  class KeywordError < ::ArgumentError
    attr_reader :method_name, :unknown, :suggestions, :missing

    def initialize(message, method_name:, unknown:, suggestions:, missing:)
      super(message)
      @method_name = method_name
      @unknown = unknown
      @suggestions = suggestions
      @missing = missing
    end
  end

  # The request never got a WeCom answer: DNS, connect, TLS, reset. `path` is the API path.
  class NetworkError < Error
    attr_reader :path

    # connect: no connection was made (nothing listening, DNS, TLS handshake): the request
    # certainly did not reach WeCom.
    def initialize(message = nil, path: nil, connect: false)
      @path = path
      @connect = connect ? true : false
      super(message)
    end

    def connect_failed? = @connect
  end

  # The call, retries included, did not finish within the client's `timeout:`.
  class TimeoutError < NetworkError
    attr_reader :timeout

    def initialize(message = nil, path: nil, timeout: nil)
      @timeout = timeout
      super(message, path: path)
    end
  end

  # The server answered with something that is not WeCom's JSON (an HTML error page, a proxy's 404, ...).
  class ProtocolError < Error
    attr_reader :path, :http_status

    def initialize(message = nil, path: nil, http_status: nil)
      @path = path
      @http_status = http_status
      super(message)
    end
  end

  # Every error of a refused callback (or URL verification) includes this. `reason` says why,
  # as a Symbol: :signature, :timestamp, :receive_id, :decrypt, :malformed or :too_large (the
  # core's reasons); `http_status` is what the endpoint answers (403, 400, 413).
  #   rescue WechatWork::CallbackRefused => e
  #     head e.http_status
  module CallbackRefused
    attr_reader :reason, :http_status

    # The class for each of the core's reasons.
    def self.classes
      { signature: SignatureError, timestamp: TimestampError, receive_id: ReceiveIdError, decrypt: DecryptError,
        malformed: MalformedCallbackError, too_large: MalformedCallbackError }
    end

    def self.build(message, reason:, http_status:)
      classes.fetch(reason, MalformedCallbackError).new(message, reason: reason, http_status: http_status)
    end
  end

  # Callback signature mismatch: the request did not come from WeCom, is for another app, or
  # the callback token is wrong. The endpoint answers 403.
  class SignatureError < Error
    include CallbackRefused

    def initialize(message = nil, reason: :signature, http_status: 403)
      @reason = reason
      @http_status = http_status
      super(message)
    end
  end

  # A correctly signed callback whose timestamp is outside the window (callback_timestamp_window):
  # a replay, or this server's clock is off. A SignatureError (403): the request is not fresh.
  class TimestampError < SignatureError
    def initialize(message = nil, reason: :timestamp, http_status: 403) = super
  end

  # Callback ciphertext that does not decrypt for this app: wrong EncodingAESKey, corrupt data.
  # The endpoint answers 400.
  class DecryptError < Error
    include CallbackRefused

    def initialize(message = nil, reason: :decrypt, http_status: 400)
      @reason = reason
      @http_status = http_status
      super(message)
    end
  end

  # A callback that decrypts, but for another receive id: another corp's, or a suite's (pass
  # receive_id: for third-party suites). A DecryptError (400).
  class ReceiveIdError < DecryptError
    def initialize(message = nil, reason: :receive_id, http_status: 400) = super
  end

  # A body that is not a WeCom callback (not UTF-8 or XML, no <Encrypt>, DOCTYPE or entities),
  # reason :malformed, 400; or one over the size limit, reason :too_large, 413. A ProtocolError
  # with path "callback".
  class MalformedCallbackError < ProtocolError
    include CallbackRefused

    def initialize(message = nil, reason: :malformed, http_status: 400, path: "callback")
      @reason = reason
      super(message, path: path, http_status: http_status)
    end
  end

  # WeCom answered with a non-zero errcode. Subclasses name the families people handle;
  # `ApiError.build` picks the class from the core's errcode table, which also gives the
  # English text, the hint (what usually fixes it) and whether a later retry can help.
  class ApiError < Error
    attr_reader :errcode, :errmsg, :path, :body

    class << self
      def build(errcode:, errmsg: nil, path: nil, body: nil)
        klass = FAMILIES.fetch(ApiError.info(errcode)&.fetch(:family, nil), ApiError)
        klass.new(errcode: errcode, errmsg: errmsg, path: path, body: body)
      end

      # The core's row for an errcode: {code:, text:, family:, retry:, refresh:, hint:}, or nil.
      def info(errcode)
        table[errcode]
      end

      # Every errcode the gem knows, by code.
      def table
        @table ||= Native.errcodes.to_h { |row| [row[:code], row.freeze] }.freeze
      end
    end

    def initialize(errcode:, errmsg: nil, path: nil, body: nil)
      @errcode = errcode
      @errmsg = errmsg.to_s
      @path = path
      @body = body || {}
      super(compose_message)
    end

    # What usually fixes this errcode, or nil.
    def hint
      ApiError.info(errcode)&.fetch(:hint, nil)
    end

    # May the same call succeed later (a rate limit, WeCom busy)? Jobs retry these and give up
    # on the rest (a wrong secret, an unknown user, a missing permission).
    def transient?
      %i[now later].include?(ApiError.info(errcode)&.fetch(:retry, nil))
    end

    # WeCom's own explanation page for this code.
    def more_info_url
      "https://open.work.weixin.qq.com/devtool/query?e=#{errcode}"
    end

    def invalid_users = split_ids("invaliduser")
    def invalid_parties = split_ids("invalidparty")
    def invalid_tags = split_ids("invalidtag")

    private

    def split_ids(key)
      value = @body.fetch(key, "")
      (value.is_a?(Array) ? value : value.to_s.split("|")).map { |id| id.to_s.strip }.reject(&:empty?)
    end

    def compose_message
      # WeCom appends ", hint: [...], from ip: ..., more info at ..." to errmsg; keep the English part.
      short = @errmsg.split(", hint:").first.to_s.strip
      short = ApiError.info(errcode)&.fetch(:text, nil).to_s if short.empty?
      msg = +"WeCom error #{errcode}"
      msg << " (#{short})" unless short.empty?
      msg << " on #{path}" if path
      msg << ". #{hint}" if hint
      msg
    end
  end

  # 40001 / 40091 / 41004 / 93000: the corp secret (or the robot's key) is wrong, or the app is disabled.
  class InvalidCredentialError < ApiError; end
  # 40014 / 42001: the access token is invalid or expired (already refetched and retried once).
  class InvalidTokenError < ApiError; end
  # 40013 / 41002: wrong corp id.
  class InvalidCorpIdError < ApiError; end
  # 40056 / 41011: the agent id is wrong or missing.
  class InvalidAgentError < ApiError; end
  # 40029 / 42022 / 60140 / 84014: an OAuth code, response_code or user ticket that is invalid,
  # used or expired.
  class InvalidCodeError < ApiError; end
  # 45009 / 45033: rate limited. Not retried within the call: WeCom blocks for 60 s to 60 min.
  class RateLimitError < ApiError
    # Seconds to wait before trying again (WeCom blocks per-minute limits for 60 s).
    def retry_after = 60
  end
  # 60020: this server's IP is not one of the app's trusted IPs.
  class IpNotAllowedError < ApiError; end
  # 48002 / 50002 / 60011 / ...: the app lacks permission or the target is outside its visible range.
  class PermissionError < ApiError; end
  # 81013: no recipient is valid.
  class NoValidRecipientError < ApiError; end
  # 301002 / 42015: the agent id belongs to another app than the secret.
  class WrongAgentError < ApiError; end
  # 46004 / 60111 / 86003 / ...: what was asked for does not exist.
  class NotFoundError < ApiError; end
  # 40004-40011 / 44001 / 45001: a media file WeCom refuses (type, size, unknown media_id).
  class MediaError < ApiError; end
  # 40058 / 44004 / ...: WeCom refused the parameters (the client checks most of them first).
  class InvalidRequestError < ApiError; end
  # -1: WeCom was busy and stayed busy through the retries.
  class SystemBusyError < ApiError; end

  class ApiError
    # The core's errcode families and their classes.
    FAMILIES = {
      system_busy: SystemBusyError, invalid_credential: InvalidCredentialError, invalid_corp_id: InvalidCorpIdError,
      invalid_token: InvalidTokenError, invalid_agent: InvalidAgentError, invalid_code: InvalidCodeError,
      rate_limit: RateLimitError, ip_not_allowed: IpNotAllowedError, permission: PermissionError,
      no_valid_recipient: NoValidRecipientError, wrong_agent: WrongAgentError, not_found: NotFoundError,
      media: MediaError, invalid_argument: InvalidRequestError
    }.freeze
  end
end
