# frozen_string_literal: true

require "rails/generators"
require "rails/generators/active_record"

module WechatWork
  module Generators
    # rails generate wechat_work:install
    # Writes config/initializers/wechat_work.rb, config/wechat_work.yml, the outbox migration,
    # a callback router and its route, and the sign-in wiring for ApplicationController.
    class InstallGenerator < ::Rails::Generators::Base
      include ::Rails::Generators::Migration

      source_root File.expand_path("templates", __dir__)

      def self.next_migration_number(dirname)
        ::ActiveRecord::Generators::Base.next_migration_number(dirname)
      end

      def initializer
        template "initializer.rb", "config/initializers/wechat_work.rb"
      end

      def settings
        template "wechat_work.yml", "config/wechat_work.yml"
      end

      def migration
        migration_template "create_wechat_work_deliveries.rb", "db/migrate/create_wechat_work_deliveries.rb"
      end

      def callbacks
        template "wechat_work_callbacks.rb", "app/callbacks/wechat_work_callbacks.rb"
        route 'wechat_work_callback "/wechat_work/callback", to: "WechatWorkCallbacks"'
      end

      def login
        controller = "app/controllers/application_controller.rb"
        return unless File.exist?(File.join(destination_root, controller))

        inject_into_class controller, "ApplicationController", <<-RUBY
  # Sign-in from WeCom (see config/initializers/wechat_work.rb). Add
  #   before_action :require_wechat_work_user
  # to the controllers that need a signed-in member.
  include WechatWork::Login

        RUBY
      end

      def done
        say <<~TEXT

          wechat_work is installed. Next:
            1. bin/rails credentials:edit, and add
                 wechat_work:
                   secret: ...            # the app's Secret
                   callback_token: ...    # 接收消息 → Token
                   encoding_aes_key: ...  # 接收消息 → EncodingAESKey
            2. bin/rails db:migrate
            3. Development against the local WeCom simulator: bin/rails wechat_work:simulator
               (config/wechat_work.yml points development at http://127.0.0.1:4000)
        TEXT
      end
    end
  end
end
