# frozen_string_literal: true

require "rails/railtie"

module WechatWork
  # Rails integration, loaded when the gem is required inside a Rails app (Bundler.require).
  #
  # * Settings from config/wechat_work.yml, Rails credentials and WECHAT_WORK_* variables, in
  #   Rails' precedence (Rails::SettingsLoader), before config/initializers run (which win).
  # * With eager_load (production), a boot check: every missing setting, in one message.
  # * With no token_store set, the token and ticket store is Rails.cache when it can share (not
  #   a NullStore or MemoryStore), so every Puma worker and Sidekiq process shares one token.
  #   In production a cache that cannot share is reported once, by the processes that serve.
  # * WeCom's secrets and callback parameters are filtered from the logs.
  # * Log lines in the style of ActionMailer's; the outbox model and jobs; rake tasks;
  #   `wechat_work_callback` in config/routes.rb.
  class Railtie < ::Rails::Railtie
    # Never in Rails' logs: the app's secrets, WeCom's credentials, and the callback query
    # parameters that are distinctive enough to filter app-wide (the callback controller also
    # filters timestamp and nonce, for its own actions).
    FILTERED_PARAMETERS = %i[
      corpsecret secret encoding_aes_key callback_token access_token jsapi_ticket user_ticket
      msg_signature echostr
    ].freeze

    config.wechat_work = ActiveSupport::OrderedOptions.new

    initializer "wechat_work.filter_parameters" do |app|
      app.config.filter_parameters |= FILTERED_PARAMETERS
    end

    # config.wechat_work.boot_check = false: skip the production boot check (an app that uses
    # only a group robot, say, and no app of its own).
    config.wechat_work.boot_check = true

    initializer "wechat_work.settings", before: :load_config_initializers do |app|
      loader = Rails::SettingsLoader.new(root: app.root, env: ::Rails.env, credentials: app.credentials)
      loader.apply(WechatWork.configuration)
      # Tests run in test mode (nothing leaves the process): no shared store is needed there.
      cache = ::Rails.cache
      if cache && !::Rails.env.test? && WechatWork.configuration.token_store.nil?
        if Stores.unshared_reason(cache)
          Railtie.unshared_cache = cache
        else
          WechatWork.configuration.token_store = cache
        end
      end
    end

    config.after_initialize do |app|
      next if Railtie.quiet_process?

      if app.config.eager_load && app.config.wechat_work.boot_check
        Rails::BootCheck.new(WechatWork.configuration, env: ::Rails.env)
                        .check!(context: "checked at boot because config.eager_load is on")
      end
      Railtie.warn_unshared_cache if Railtie.unshared_cache && ::Rails.env.production?
    end

    class << self
      # Rails.cache when it could not be the token store (a NullStore, a MemoryStore).
      attr_accessor :unshared_cache

      # Commands that only look at the app (rake tasks, generators, the console, `bin/rails
      # routes`) get no boot check and no warnings: `bin/rails routes` or `assets:precompile` on a
      # build machine has no WeCom secrets and needs none. What serves is checked: a server, a
      # Puma or Sidekiq process that loads the app, `bin/rails runner` (cron jobs, scripts).
      # wechat_work:check runs the check itself.
      def quiet_process?
        return true if defined?(::Rake.application) && !::Rake.application.top_level_tasks.empty?
        return true if defined?(::Rails::Console) || defined?(::Rails::Generators::Base)

        other_rails_command?
      end

      SERVING_COMMANDS = %w[Rails::Command::ServerCommand Rails::Command::RunnerCommand].freeze

      # bin/rails loads the class of the command it runs (and only that one).
      def other_rails_command?
        return false unless defined?(::Rails::Command::Base)

        ::Rails::Command::Base.subclasses.any? { |command| !SERVING_COMMANDS.include?(command.name) }
      end

      def warn_unshared_cache(cache = unshared_cache)
        return if WechatWork.configuration.token_store

        WechatWork.warn("Rails.cache is #{cache.class.name}: #{Stores.unshared_reason(cache)}, so it is not used as the " \
                        "token store and each process fetches its own access token. Set config.cache_store = " \
                        ":redis_cache_store (or :mem_cache_store), or c.token_store = " \
                        "WechatWork::TokenStore::Redis.new(Redis.new(url: ENV[\"REDIS_URL\"])) in config/initializers/wechat_work.rb.")
      end
    end

    initializer "wechat_work.log_subscriber" do
      Rails::LogSubscriber.attach_to :wechat_work
    end

    # The outbox model, jobs and concerns load when first used (autoload, lib/wechat_work.rb);
    # with eager_load (production) they load at boot like the app's own code.
    config.eager_load_namespaces << WechatWork

    initializer "wechat_work.routes" do
      ActionDispatch::Routing::Mapper.include(Rails::Routes)
    end

    rake_tasks do
      load File.expand_path("../tasks/wechat_work.rake", __dir__)
    end

    generators do
      require "generators/wechat_work/install/install_generator"
    end

    # wechat_work_js_sdk in every view (controllers including WechatWork::Login get it anyway).
    initializer "wechat_work.js_sdk_helper" do
      ActiveSupport.on_load(:action_view) { include WechatWork::Rails::JsSdkHelper }
    end
  end
end
