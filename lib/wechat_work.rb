# frozen_string_literal: true

require "json"
require_relative "wechat_work/version"
require_relative "wechat_work/errors"

# Enterprise WeChat (WeCom) for Ruby and Rails: see README.md.
module WechatWork
end

# The native extension: a precompiled gem ships lib/wechat_work/<ruby minor>/, a source build
# installs wechat_work/wechat_work.<dlext> on the load path.
begin
  require_relative "wechat_work/#{RUBY_VERSION[/\d+\.\d+/]}/wechat_work"
rescue LoadError
  require "wechat_work/wechat_work"
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
