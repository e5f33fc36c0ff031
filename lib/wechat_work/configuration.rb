# frozen_string_literal: true

module WechatWork
  # Settings for WechatWork.client and the defaults of every WechatWork::Client. Read from the
  # environment when first used; set in an initializer. Every setter checks its value and
  # raises ConfigurationError naming the setting, so a typo fails at boot.
  #
  #   WechatWork.configure do |c|
  #     c.corp_id  = Rails.application.credentials.dig(:wechat_work, :corp_id)
  #     c.secret   = Rails.application.credentials.dig(:wechat_work, :secret)
  #     c.agent_id = 1000002
  #     c.token_store = Rails.cache
  #     c.logger = Rails.logger
  #     # more apps of the same corp, each with its own secret (and tokens):
  #     c.app :approvals, secret: ENV["APPROVALS_SECRET"], agent_id: 1000003
  #     c.app :contacts, secret: ENV["CONTACTS_SYNC_SECRET"]     # the contact-sync secret
  #   end
  #   WechatWork.client               # the default app
  #   WechatWork.client(:approvals)
  class Configuration
    DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"

    # Seconds. Bounds a whole call, retries and token fetch included.
    DEFAULT_TIMEOUT = 10
    DEFAULT_OPEN_TIMEOUT = 5
    DEFAULT_MAX_RETRIES = 3
    # WeCom drops a repeat of the same message/send body within this window, which is what
    # makes retrying a send safe. Short on purpose: a legitimately repeated message later is kept.
    DEFAULT_DUPLICATE_CHECK_INTERVAL = 300
    # A JS-SDK ticket refresh a page asks for (anyone can) is honoured only for a ticket at least
    # this old: a younger one is almost surely valid, and the page's signature is what is wrong
    # (the URL signed is not the page's), which a new ticket would not fix.
    DEFAULT_JS_SDK_REFRESH_MIN_AGE = 300
    # ...and at most once in this many seconds per kind of ticket, corp and app: 6 forced
    # fetches an hour at most, against WeCom's 100 an hour per app (400 per corp), so the
    # quota is never what an attacker (or a misconfigured page) takes.
    DEFAULT_JS_SDK_REFRESH_INTERVAL = 600

    # Settings each app has (an app is a secret and its agent id; the corp id is shared).
    APP_SETTINGS = %i[corp_id secret agent_id callback_token encoding_aes_key].freeze
    # Seconds either side of this server's clock within which a callback's timestamp must be
    # (against replays; clocks drift). The core's default.
    DEFAULT_CALLBACK_TIMESTAMP_WINDOW = LIMITS.fetch(:callback_timestamp_window)

    # Settings every app shares.
    SHARED_SETTINGS = %i[base_url timeout open_timeout max_retries logger token_store duplicate_check_interval
                         callback_timestamp_window allow_insecure_base_url js_sdk_refresh_min_age
                         js_sdk_refresh_interval].freeze
    # The shared settings that are the callbacks', not the client's.
    CALLBACK_SHARED_SETTINGS = %i[callback_timestamp_window].freeze

    # The variables read when nothing is configured.
    ENV_NAMES = {
      corp_id: "WECHAT_WORK_CORP_ID", secret: "WECHAT_WORK_SECRET", agent_id: "WECHAT_WORK_AGENT_ID",
      base_url: "WECHAT_WORK_BASE_URL", callback_token: "WECHAT_WORK_CALLBACK_TOKEN",
      encoding_aes_key: "WECHAT_WORK_ENCODING_AES_KEY"
    }.freeze

    attr_reader(*APP_SETTINGS, *SHARED_SETTINGS)

    def initialize(env: ENV)
      @timeout = DEFAULT_TIMEOUT
      @open_timeout = DEFAULT_OPEN_TIMEOUT
      @max_retries = DEFAULT_MAX_RETRIES
      @duplicate_check_interval = DEFAULT_DUPLICATE_CHECK_INTERVAL
      @callback_timestamp_window = DEFAULT_CALLBACK_TIMESTAMP_WINDOW
      @allow_insecure_base_url = false
      @js_sdk_refresh_min_age = DEFAULT_JS_SDK_REFRESH_MIN_AGE
      @js_sdk_refresh_interval = DEFAULT_JS_SDK_REFRESH_INTERVAL
      @base_url = DEFAULT_BASE_URL
      @logger = nil
      @token_store = nil
      @apps = {}
      ENV_NAMES.each do |setting, variable|
        value = env[variable]
        next if value.nil? || value.empty?

        begin
          public_send(:"#{setting}=", value)
        rescue ConfigurationError => e
          raise ConfigurationError, "#{variable}: #{e.message}"
        end
      end
    end

    def corp_id=(value)
      @corp_id = Options.corp_id(value)
    end

    def secret=(value)
      @secret = Options.secret(value)
    end

    def agent_id=(value)
      @agent_id = Options.agent_id(value)
    end

    def callback_token=(value)
      @callback_token = Options.callback_token(value)
    end

    def encoding_aes_key=(value)
      @encoding_aes_key = Options.encoding_aes_key(value)
    end

    def base_url=(value)
      @base_url = Options.base_url(value)
    end

    # true lets production use an http:// or loopback base_url (a staging app on the
    # simulator); production refuses one otherwise (Client.new, and the Rails boot check).
    def allow_insecure_base_url=(value)
      @allow_insecure_base_url = Options.allow_insecure_base_url(value)
    end

    def js_sdk_refresh_min_age=(value)
      @js_sdk_refresh_min_age = Options.js_sdk_refresh_min_age(value)
    end

    def js_sdk_refresh_interval=(value)
      @js_sdk_refresh_interval = Options.js_sdk_refresh_interval(value)
    end

    def timeout=(value)
      @timeout = Options.seconds(value, :timeout)
    end

    def open_timeout=(value)
      @open_timeout = Options.seconds(value, :open_timeout)
    end

    def max_retries=(value)
      @max_retries = Options.max_retries(value)
    end

    def logger=(value)
      @logger = Options.logger(value)
    end

    def token_store=(value)
      @token_store = Options.token_store(value)
    end

    def duplicate_check_interval=(value)
      @duplicate_check_interval = Options.duplicate_check_interval(value)
    end

    # Seconds (default 600); false or nil turn the check off (then the reader says nil).
    def callback_timestamp_window=(value)
      @callback_timestamp_window = Options.callback_timestamp_window(value)
    end

    # Declares (or changes) a named app of the corp: its secret, agent id and callback settings.
    # The corp id, base URL, timeouts, store and logger are shared with the default app.
    def app(name, **settings)
      name = app_name(name)
      raise ConfigurationError, "configure the default app with c.secret=, c.agent_id= ..." if name == :default

      Arguments.only!(settings, APP_SETTINGS, "app(#{name.inspect})")
      current = @apps.fetch(name, {})
      checked = settings.to_h { |key, value| [key, Options.public_send(key, value)] }
      @apps[name] = current.merge(checked).freeze
      self
    end

    # The names of the configured apps, :default first.
    def app_names = [:default, *@apps.keys]

    # Everything Client.new needs for the app `name`.
    def client_options(name = :default)
      own = own_settings(name)
      shared = (SHARED_SETTINGS - CALLBACK_SHARED_SETTINGS).to_h { |key| [key, public_send(key)] }
      shared.merge(corp_id: own[:corp_id] || corp_id, secret: own[:secret], agent_id: own[:agent_id],
                   app_name: app_name(name))
    end

    # Callback settings (token:, encoding_aes_key:, corp_id:, timestamp_window:) of the app `name`.
    def callback_options(name = :default)
      own = own_settings(name)
      { token: own[:callback_token], encoding_aes_key: own[:encoding_aes_key], corp_id: own[:corp_id] || corp_id,
        timestamp_window: callback_timestamp_window }
    end

    # The configured app whose agent id this is (for "wrong app" errors), or nil.
    def app_for_agent(agent_id)
      return :default if agent_id && agent_id == self.agent_id

      @apps.find { |_, settings| settings[:agent_id] == agent_id }&.first
    end

    def inspect
      apps = @apps.keys.map(&:inspect).join(", ")
      "#<#{self.class} corp_id=#{corp_id.inspect} agent_id=#{agent_id.inspect} base_url=#{base_url.inspect} " \
        "secret=#{secret ? "[FILTERED]" : "nil"}#{" apps=[#{apps}]" unless apps.empty?}>"
    end

    private

    def own_settings(name)
      name = app_name(name)
      return { secret: secret, agent_id: agent_id, callback_token: callback_token, encoding_aes_key: encoding_aes_key } if name == :default

      @apps.fetch(name) do
        raise ConfigurationError, "no app named #{name.inspect}; configured: #{app_names.map(&:inspect).join(", ")}"
      end
    end

    def app_name(name)
      raise ConfigurationError, "an app name is a Symbol or String, got #{name.inspect}" unless name.is_a?(Symbol) || name.is_a?(String)

      name.to_sym
    end
  end

  class << self
    def configuration
      @lock.synchronize { @configuration ||= Configuration.new }
    end

    # Yields the configuration; the shared clients are rebuilt with the new settings on next use.
    def configure
      config = configuration
      yield config
      @lock.synchronize { @clients = {} }
      config
    end

    # A client for a configured app (default: the default app), shared by all threads.
    def client(name = :default)
      config = configuration
      key = name.to_sym
      @lock.synchronize do
        @clients[key] ||= Client.new(**config.client_options(key))
      end
    end

    # Forgets the configuration and the shared clients (tests).
    def reset!
      @lock.synchronize do
        @configuration = nil
        @clients = {}
      end
    end

    # A warning for the people running the app: to the configured logger, else to stderr.
    def warn(message)
      logger = @configuration&.logger
      text = "[wechat_work] #{message}"
      if logger
        logger.warn(text)
      else
        Kernel.warn(text)
      end
    rescue StandardError
      Kernel.warn(text)
    end
  end

  @lock = Mutex.new
  @clients = {}
end
