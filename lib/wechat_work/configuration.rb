# frozen_string_literal: true

module WechatWork
  # Settings for WechatWork.client and the defaults of every WechatWork::Client.
  # Read from the environment when first used; override in an initializer:
  #
  #   WechatWork.configure do |c|
  #     c.corp_id  = Rails.application.credentials.dig(:wechat_work, :corp_id)
  #     c.secret   = Rails.application.credentials.dig(:wechat_work, :secret)
  #     c.agent_id = 1000002
  #     c.token_store = Rails.cache
  #     c.logger = Rails.logger
  #   end
  class Configuration
    DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"

    # Seconds. Bounds a whole call, retries and token fetch included.
    DEFAULT_TIMEOUT = 10
    DEFAULT_OPEN_TIMEOUT = 5
    DEFAULT_MAX_RETRIES = 3
    # WeCom drops a repeat of the same message/send body within this window, which is what
    # makes retrying a send safe. Short on purpose: a legitimately repeated message later is kept.
    DEFAULT_DUPLICATE_CHECK_INTERVAL = 300

    attr_accessor :corp_id, :secret, :agent_id, :base_url, :timeout, :open_timeout, :max_retries,
                  :logger, :token_store, :duplicate_check_interval

    def initialize(env: ENV)
      @corp_id = env["WECHAT_WORK_CORP_ID"]
      @secret = env["WECHAT_WORK_SECRET"]
      @agent_id = env["WECHAT_WORK_AGENT_ID"]&.then { |v| Integer(v, 10) }
      @base_url = env.fetch("WECHAT_WORK_BASE_URL", DEFAULT_BASE_URL)
      @timeout = DEFAULT_TIMEOUT
      @open_timeout = DEFAULT_OPEN_TIMEOUT
      @max_retries = DEFAULT_MAX_RETRIES
      @duplicate_check_interval = DEFAULT_DUPLICATE_CHECK_INTERVAL
      @logger = nil
      @token_store = nil
    rescue ::ArgumentError
      raise ConfigurationError, "WECHAT_WORK_AGENT_ID must be an integer, got #{env["WECHAT_WORK_AGENT_ID"].inspect}"
    end

    # The options WechatWork::Client.new takes, as set here.
    def client_options
      {
        corp_id: corp_id, secret: secret, agent_id: agent_id, base_url: base_url, timeout: timeout,
        open_timeout: open_timeout, max_retries: max_retries, logger: logger, token_store: token_store,
        duplicate_check_interval: duplicate_check_interval
      }
    end

    def inspect
      "#<#{self.class} corp_id=#{corp_id.inspect} agent_id=#{agent_id.inspect} base_url=#{base_url.inspect} " \
        "secret=#{secret ? "[FILTERED]" : "nil"}>"
    end
  end

  class << self
    def configuration
      @configuration ||= Configuration.new
    end

    # Yields the configuration; the shared client is rebuilt with the new settings on next use.
    def configure
      yield configuration
      reset_client!
      configuration
    end

    # A client built from the configuration, shared by all threads (it is thread-safe).
    def client
      @client_lock.synchronize { @client ||= Client.new(**configuration.client_options) }
    end

    # Forgets the configuration and the shared client (tests).
    def reset!
      @client_lock.synchronize do
        @configuration = nil
        @client = nil
      end
    end

    private

    def reset_client!
      @client_lock.synchronize { @client = nil }
    end
  end

  @client_lock = Mutex.new
end
