# frozen_string_literal: true

module WechatWork
  # Validation of settings, shared by WechatWork.configure and Client.new: a bad value raises
  # ConfigurationError naming the setting and what was wrong, at boot rather than at the first
  # send in production.
  module Options
    module_function

    def corp_id(value) = optional_text(value, :corp_id)
    def secret(value) = optional_text(value, :secret)
    def callback_token(value) = optional_text(value, :callback_token)
    def encoding_aes_key(value) = optional_text(value, :encoding_aes_key)

    # The app's AgentId: a positive Integer (a String of digits, as ENV gives it, is accepted).
    def agent_id(value)
      return nil if value.nil? || value == ""

      number = case value
               when Integer then value
               when String then Integer(value.strip, 10, exception: false)
               end
      return number if number&.positive?

      raise ConfigurationError, "agent_id must be the app's AgentId, a positive Integer, got #{value.inspect}"
    end

    def base_url(value)
      url = value.nil? ? Configuration::DEFAULT_BASE_URL : value
      raise ConfigurationError, "base_url must be a String like #{Configuration::DEFAULT_BASE_URL.inspect}, got #{value.inspect}" unless url.is_a?(String)

      Native.check_base_url(url)
      url.strip
    end

    def allow_insecure_base_url(value)
      return value if [true, false].include?(value)

      raise ConfigurationError, "allow_insecure_base_url must be true or false, got #{value.inspect}"
    end

    # Whether the app runs in production: Rails.env inside Rails, else RACK_ENV or APP_ENV (what
    # rackup, Puma and Sinatra read), so a plain Ruby script is never affected.
    def production?(env = ENV)
      if defined?(::Rails) && ::Rails.respond_to?(:env) && ::Rails.env
        ::Rails.env.to_s == "production"
      else
        [env["RACK_ENV"], env["APP_ENV"]].include?("production")
      end
    end

    # Why base_url is unfit for production, or nil: it is where the corp secret goes (gettoken)
    # and what answers auth/getuserinfo, i.e. who signs in.
    def insecure_base_url(url)
      if Native.loopback_base_url?(url)
        "is this machine (the simulator or a local stand-in), not WeCom"
      elsif url.match?(%r{\Ahttp://}i)
        "is plain http://: the corp secret, every token and who signs in would cross the network unencrypted, " \
          "for anyone on the way to read or answer"
      end
    end

    # The refusal of an insecure base_url in production; `how` says where to allow it.
    def insecure_base_url_message(url, how)
      "base_url #{url} #{insecure_base_url(url)}. In production base_url is WeCom's (#{Configuration::DEFAULT_BASE_URL}, " \
        "the default) or an https:// gateway of yours; an egress proxy is a proxy (the HTTPS_PROXY environment variable; " \
        "a proxy: setting is planned), not a base_url. If this is intended (a staging app on the simulator), #{how}"
    end

    # Refuses an http:// or loopback base_url in production unless allowed.
    def secure_base_url!(url, allowed:, how:)
      return url if allowed || !production? || insecure_base_url(url).nil?

      raise ConfigurationError, insecure_base_url_message(url, how)
    end

    # Seconds from 0 (no limit) to a day.
    def limit_seconds(value, name)
      number = case value
               when Numeric then value.to_f
               when String then Float(value, exception: false)
               end
      return number if number&.finite? && number >= 0 && number <= 86_400

      raise ConfigurationError, "#{name} must be a number of seconds from 0 (no limit) to 86400, got #{value.inspect}"
    end

    def js_sdk_refresh_min_age(value) = limit_seconds(value, :js_sdk_refresh_min_age)
    def js_sdk_refresh_interval(value) = limit_seconds(value, :js_sdk_refresh_interval)

    # A positive number of seconds (an ActiveSupport::Duration works).
    def seconds(value, name)
      number = case value
               when Numeric then value.to_f
               when String then Float(value, exception: false)
               end
      return number if number&.finite? && number.positive? && number < 86_400

      raise ConfigurationError, "#{name} must be a positive number of seconds, got #{value.inspect}"
    end

    def max_retries(value)
      return value if value.is_a?(Integer) && value.between?(0, 10)

      raise ConfigurationError, "max_retries must be an Integer from 0 to 10, got #{value.inspect}"
    end

    LOGGER_METHODS = %i[debug info warn error].freeze

    def logger(value)
      return value if value.nil? || LOGGER_METHODS.all? { |m| value.respond_to?(m) }

      raise ConfigurationError, "logger must respond to #{LOGGER_METHODS.join(", ")} (a Logger, Rails.logger), " \
                                "got #{value.inspect} (#{value.class})"
    end

    def token_store(value)
      return nil if value.nil?
      unless value.respond_to?(:read) && value.respond_to?(:write)
        raise ConfigurationError, "token_store must respond to read and write (Rails.cache does), got #{value.class}"
      end

      Stores.warn_unshared(value, "token_store", "each process fetches its own access token",
                           fix: "set config.cache_store = :redis_cache_store (or :mem_cache_store), or " \
                                "c.token_store = WechatWork::TokenStore::Redis.new(redis)")
      value
    end

    def duplicate_check_interval(value)
      max = LIMITS.fetch(:max_duplicate_interval)
      return value if value.is_a?(Integer) && value.between?(1, max)

      raise ConfigurationError, "duplicate_check_interval must be 1 to #{max} seconds (WeCom's maximum), got #{value.inspect}"
    end

    # The callback timestamp window: seconds either side of now (an Integer, a String of
    # digits, an ActiveSupport::Duration), up to the core's maximum; false or nil turn it off (=> nil).
    def callback_timestamp_window(value, name = :callback_timestamp_window)
      return nil if value.nil? || value == false

      max = LIMITS.fetch(:callback_timestamp_window_max)
      seconds = case value
                when Integer then value
                when String then Integer(value.strip, 10, exception: false)
                when Numeric then value.to_i if value.to_i == value
                end
      return seconds if seconds&.between?(1, max)

      raise ConfigurationError, "#{name} must be 1 to #{max} seconds (or false to turn the check off), got #{value.inspect}"
    end

    def optional_text(value, name)
      return nil if value.nil?
      raise ConfigurationError, "#{name} must be a String, got #{value.class}" unless value.is_a?(String) || value.is_a?(Symbol)

      text = value.to_s.strip
      text.empty? ? nil : text
    end
  end

  # Caches that cannot do what a shared store is for: warn once when one is configured.
  module Stores
    @warned = {}
    @lock = Mutex.new

    module_function

    # NullStore (Rails' development default) keeps nothing; MemoryStore is one per process.
    def unshared_reason(store)
      return unless defined?(::ActiveSupport::Cache::Store) && store.is_a?(::ActiveSupport::Cache::Store)

      if defined?(::ActiveSupport::Cache::NullStore) && store.is_a?(::ActiveSupport::Cache::NullStore)
        "a NullStore keeps nothing (config.cache_store = :null_store is Rails' default in development)"
      elsif defined?(::ActiveSupport::Cache::MemoryStore) && store.is_a?(::ActiveSupport::Cache::MemoryStore)
        "a MemoryStore is private to each process (Puma workers and Sidekiq do not see each other's)"
      end
    end

    # Once per role and store class. In Rails, only in production: development and tests run one
    # process, where an in-process cache does all a shared one would.
    def warn_unshared(store, role, consequence, fix:)
      reason = unshared_reason(store)
      return unless reason
      return if defined?(::Rails) && ::Rails.respond_to?(:env) && ::Rails.env && !::Rails.env.production?

      key = [role, store.class.name]
      first = @lock.synchronize { @warned[key] ? false : (@warned[key] = true) }
      return unless first

      WechatWork.warn("#{role} is #{store.class.name}: #{reason}, so #{consequence}. To share it, #{fix}.")
    end

    def reset! = @lock.synchronize { @warned.clear }
  end
end
