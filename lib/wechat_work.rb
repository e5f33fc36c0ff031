# frozen_string_literal: true

require "json"
require_relative "wechat_work/version"
require_relative "wechat_work/errors"

# Enterprise WeChat (WeCom) for Ruby and Rails: see README.md.
module WechatWork
end

# The native extension, from the first place that has it: a precompiled platform gem
# (lib/wechat_work/<ruby minor>/), a checkout's `rake compile` (lib/wechat_work/), an installed
# source gem (its extension directory, on the load path). A library that is there but fails to
# load raises its own LoadError; none at all raises WechatWork::NativeExtensionMissingError.
require "rbconfig"
native = ["#{RUBY_VERSION[/\d+\.\d+/]}/wechat_work", "wechat_work"].find do |name|
  File.file?(File.join(__dir__, "wechat_work", "#{name}.#{RbConfig::CONFIG["DLEXT"]}"))
end
if native
  require_relative "wechat_work/#{native}"
else
  begin
    require "wechat_work/wechat_work"
  rescue LoadError => e
    raise unless e.path == "wechat_work/wechat_work"

    raise WechatWork::NativeExtensionMissingError.new(gem_dir: File.expand_path("..", __dir__)), cause: nil
  end
end

module WechatWork
  # WeCom's limits as the core states them (written once, in Rust), read once: checks on every
  # send read this instead of crossing into the extension.
  LIMITS = Native.limits.freeze
end

require_relative "wechat_work/arguments"
require_relative "wechat_work/options"
require_relative "wechat_work/configuration"
require_relative "wechat_work/instrumentation"
require_relative "wechat_work/resource"
require_relative "wechat_work/response"
require_relative "wechat_work/recipients"
require_relative "wechat_work/template_card"
require_relative "wechat_work/token_store"
require_relative "wechat_work/oauth_user"
require_relative "wechat_work/oauth_state"
require_relative "wechat_work/js_sdk"
require_relative "wechat_work/client"
require_relative "wechat_work/webhook"
require_relative "wechat_work/simulator"

# Callbacks: WechatWork::Callback (crypto), ::Router, ::RackApp, ::Sender.
require_relative "wechat_work/callback"
# Sign-in: WechatWork::Login (a Rails concern, and Login::Middleware for Rack).
require_relative "wechat_work/login"
require_relative "wechat_work/rails"

module WechatWork
  # What needs Active Record, ActiveJob, Sidekiq or ActionController loads when first used, from
  # the file its name gives, wherever that is: a rake task, a job, a console, a spec.
  AUTOLOADED = {
    CallbackController: "callback_controller", # the Rails controller concern (ActionController)
    Credentials: "credentials",
    Delivery: "delivery",                     # the outbox's Active Record model
    DeliveryJob: "delivery_job",              # ActiveJob
    Outbox: "outbox",
    RefreshCredentialsJob: "refresh_credentials_job",
    SidekiqDeliveryJob: "sidekiq_delivery_job", # Sidekiq without ActiveJob
    SweepDeliveriesJob: "sweep_deliveries_job",
    Throttle: "throttle",
    UserMapping: "user_mapping"               # an Active Record concern
  }.freeze
  AUTOLOADED.each { |name, file| autoload name, File.expand_path("wechat_work/#{file}", __dir__) }

  class << self
    # Writes the message to the outbox (see Outbox.deliver_later).
    def deliver_later(app = :default, **message) = Outbox.deliver_later(app, **message)

    # Recalls a delivered outbox row.
    def recall(delivery) = Outbox.recall(delivery)

    # Loads every autoloaded constant whose framework is loaded (Rails calls this when it eager
    # loads, so a forked worker shares the code and no thread loads a file mid-request).
    def eager_load!
      needs = { Delivery: "ActiveRecord::Base", UserMapping: "ActiveSupport::Concern", DeliveryJob: "ActiveJob::Base",
                SweepDeliveriesJob: "ActiveJob::Base", RefreshCredentialsJob: "ActiveJob::Base",
                SidekiqDeliveryJob: "Sidekiq::Worker", CallbackController: "ActionController::Base" }
      AUTOLOADED.each_key do |name|
        framework = needs[name]
        const_get(name) if framework.nil? || Object.const_defined?(framework)
      end
      Rails.constants.each { |name| Rails.const_get(name) }
    end
  end
end

require_relative "wechat_work/railtie" if defined?(::Rails::Railtie)
