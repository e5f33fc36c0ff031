# frozen_string_literal: true

require "rails/railtie"

module WechatWork
  # Rails integration, loaded when the gem is required inside a Rails app (Bundler.require).
  #
  # * Settings from config/wechat_work.yml (per environment, ERB), Rails credentials
  #   (`wechat_work:`) and ENV, before config/initializers run (which may override them).
  # * With no token_store set, the token and ticket store is Rails.cache (outside the test
  #   environment), so every Puma worker and Sidekiq process shares one token (a warning says
  #   so if Rails.cache cannot share).
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

    initializer "wechat_work.settings", before: :load_config_initializers do |app|
      loader = Rails::SettingsLoader.new(root: app.root, env: ::Rails.env, credentials: app.credentials)
      loader.apply(WechatWork.configuration)
      # Tests run in test mode (nothing leaves the process): no shared store is needed there.
      WechatWork.configuration.token_store ||= ::Rails.cache if ::Rails.cache && !::Rails.env.test?
    end

    initializer "wechat_work.log_subscriber" do
      require "wechat_work/rails/log_subscriber"
      Rails::LogSubscriber.attach_to :wechat_work
    end

    initializer "wechat_work.outbox" do
      ActiveSupport.on_load(:active_record) do
        require "wechat_work/rails/delivery"
        require "wechat_work/rails/user_mapping"
      end
      ActiveSupport.on_load(:active_job) { require "wechat_work/rails/jobs" }
      require "wechat_work/sidekiq" if defined?(::Sidekiq)
    end

    initializer "wechat_work.routes" do
      require "wechat_work/rails/routes"
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

require_relative "rails/settings_loader"
require_relative "rails/outbox"
require_relative "credentials"
require_relative "throttle"
