# frozen_string_literal: true

require "rails/railtie"

module WechatWork
  # Rails integration, loaded when the gem is required inside a Rails app.
  class Railtie < ::Rails::Railtie
    # Never in Rails' logs: the app's secrets, WeCom's credentials, and the callback query
    # parameters that are distinctive enough to filter app-wide (the callback controller also
    # filters timestamp and nonce, for its own actions).
    FILTERED_PARAMETERS = %i[
      corpsecret secret encoding_aes_key callback_token access_token jsapi_ticket user_ticket
      msg_signature echostr
    ].freeze

    initializer "wechat_work.filter_parameters" do |app|
      app.config.filter_parameters |= FILTERED_PARAMETERS
    end

    # wechat_work_js_sdk in every view (controllers including WechatWork::Login get it anyway).
    initializer "wechat_work.js_sdk_helper" do
      ActiveSupport.on_load(:action_view) { include WechatWork::Rails::JsSdkHelper }
    end
  end
end
