# frozen_string_literal: true

module WechatWork
  # Rails integration: the pieces that need ActionPack or Rails itself. Each constant is in the
  # file its name gives (lib/wechat_work/rails/<name>.rb) and loads when first used, so a rake
  # task, a runner or a console finds it without anything loaded first.
  #
  # Inside `module WechatWork`, `Rails` is this module: the gem writes ::Rails for the framework.
  module Rails
    autoload :BootCheck, File.expand_path("rails/boot_check", __dir__)
    autoload :CallbackController, File.expand_path("rails/callback_controller", __dir__)
    autoload :JsSdkHelper, File.expand_path("rails/js_sdk_helper", __dir__)
    autoload :LogSubscriber, File.expand_path("rails/log_subscriber", __dir__)
    autoload :Routes, File.expand_path("rails/routes", __dir__)
    autoload :SettingsLoader, File.expand_path("rails/settings_loader", __dir__)
    autoload :SettingsReport, File.expand_path("rails/settings_report", __dir__)
    autoload :SimulatorCommand, File.expand_path("rails/simulator_command", __dir__)
  end
end
