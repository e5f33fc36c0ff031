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
      when :signature then SignatureError.new(message)
      when :decrypt then DecryptError.new(message)
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
      built = Dir[File.join(gem_dir, "lib/wechat_work/*/wechat_work.*")].map { |f| File.basename(File.dirname(f)) }.sort
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

  # The request never got a WeCom answer: DNS, connect, TLS, reset. `path` is the API path.
  class NetworkError < Error
    attr_reader :path

    def initialize(message = nil, path: nil)
      @path = path
      super(message)
    end
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

  # Callback signature mismatch: the request did not come from WeCom, or the token is wrong.
  class SignatureError < Error; end

  # Callback ciphertext that does not decrypt for this app: wrong EncodingAESKey, corrupt data, other receive id.
  class DecryptError < Error; end

  # WeCom answered with a non-zero errcode. Subclasses name the codes people handle;
  # `ApiError.build` picks the class from the code.
  class ApiError < Error
    attr_reader :errcode, :errmsg, :path, :body

    # errcode => [class name, what usually fixes it]
    HINTS = {
      -1 => "WeCom is busy; the call was retried with backoff. Try again later.",
      40001 => "The secret is wrong for this corp id, or the app is disabled. Check the app's Secret in the admin console.",
      40013 => "The corp id is wrong. It is shown under My Company > Company Info > Company ID.",
      40014 => "The access token is invalid; the client refetches it once automatically.",
      42001 => "The access token expired; the client refetches it once automatically.",
      40056 => "The agent id is wrong, or belongs to another app.",
      41004 => "The secret is missing.",
      45009 => "WeCom's rate limit was hit; blocked for 60 s (per-minute limit) or 60 min (per-hour limit). Slow down or spread the calls.",
      45033 => "Too many concurrent calls to WeCom; reduce concurrency and retry.",
      48002 => "The app has no permission for this API; grant it in the admin console.",
      60011 => "The member, department or tag is outside the app's visible range.",
      60020 => "This server's IP is not in the app's trusted IPs (企业可信IP). Add it in the app's settings; it takes about a minute to apply.",
      81013 => "None of the recipients is valid (unknown or outside the app's visible range). See #invalid_users / #invalid_parties / #invalid_tags.",
      301002 => "The agent id does not belong to the app whose secret issued the token. Pair each agent id with its own secret."
    }.freeze

    def self.build(errcode:, errmsg: nil, path: nil, body: nil)
      klass = CODES.fetch(errcode, ApiError)
      klass.new(errcode: errcode, errmsg: errmsg, path: path, body: body)
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
      HINTS[errcode]
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
      @body.fetch(key, "").to_s.split("|").map(&:strip).reject(&:empty?)
    end

    def compose_message
      # WeCom appends ", hint: [...], from ip: ..., more info at ..." to errmsg; keep the English part.
      short = @errmsg.split(", hint:").first.to_s.strip
      msg = +"WeCom error #{errcode}"
      msg << " (#{short})" unless short.empty?
      msg << " on #{path}" if path
      msg << ". #{hint}" if hint
      msg
    end
  end

  # 40001: the corp secret is wrong (at gettoken), or a token WeCom no longer accepts.
  class InvalidCredentialError < ApiError; end
  # 40014 / 42001: the access token is invalid or expired (already refetched and retried once).
  class InvalidTokenError < ApiError; end
  # 40013: wrong corp id.
  class InvalidCorpIdError < ApiError; end
  # 40056 / 41011: the agent id is wrong or missing.
  class InvalidAgentError < ApiError; end
  # 45009 / 45033: rate limited. Not retried automatically: WeCom blocks for 60 s to 60 min.
  class RateLimitError < ApiError; end
  # 60020: this server's IP is not one of the app's trusted IPs.
  class IpNotAllowedError < ApiError; end
  # 48002 / 60011 / 50002: the app lacks permission or the target is outside its visible range.
  class PermissionError < ApiError; end
  # 81013: no recipient is valid.
  class NoValidRecipientError < ApiError; end
  # 301002: the agent id belongs to another app than the secret.
  class WrongAgentError < ApiError; end
  # -1: WeCom was busy and stayed busy through the retries.
  class SystemBusyError < ApiError; end

  class ApiError
    CODES = {
      -1 => SystemBusyError,
      40001 => InvalidCredentialError,
      40013 => InvalidCorpIdError,
      40014 => InvalidTokenError,
      42001 => InvalidTokenError,
      40056 => InvalidAgentError,
      41011 => InvalidAgentError,
      45009 => RateLimitError,
      45033 => RateLimitError,
      60020 => IpNotAllowedError,
      48002 => PermissionError,
      50002 => PermissionError,
      60011 => PermissionError,
      81013 => NoValidRecipientError,
      301002 => WrongAgentError
    }.freeze
  end
end
