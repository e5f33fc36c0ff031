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

# Callbacks: WechatWork::Callback (crypto), ::Router, ::RackApp, ::Sender. The Rails controller
# concern (WechatWork::CallbackController) loads with ActionController.
require_relative "wechat_work/callback"
# Sign-in: WechatWork::Login (a Rails concern, and Login::Middleware for Rack).
require_relative "wechat_work/login"
require_relative "wechat_work/railtie" if defined?(::Rails::Railtie)
if defined?(::ActionController)
  require_relative "wechat_work/rails/callback_controller"
elsif defined?(::ActiveSupport.on_load)
  ActiveSupport.on_load(:action_controller) { require_relative "wechat_work/rails/callback_controller" }
end
