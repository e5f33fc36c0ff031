# frozen_string_literal: true

require_relative "rails/callback_controller"

module WechatWork
  # The callback controller concern under its short name: include WechatWork::CallbackController.
  CallbackController = Rails::CallbackController
end
