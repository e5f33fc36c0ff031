# frozen_string_literal: true

require "securerandom"
require "rails/generators"
require "rails/generators/active_record"

module WechatWork
  module Generators
    # rails generate wechat_work:install
    # Writes config/wechat_work.yml (development and test against the local simulator,
    # production from the environment or credentials), config/wechat_work_simulator.yml (the
    # simulator's members), the initializer, the outbox migration, a callback router, its route
    # and a spec (or test) of it, the sign-in wiring for ApplicationController, and the test
    # environment's job adapter.
    class InstallGenerator < ::Rails::Generators::Base
      include ::Rails::Generators::Migration

      source_root File.expand_path("templates", __dir__)

      class_option :simulator_port, type: :numeric, default: 4000,
                                    desc: "The port of the local WeCom simulator development talks to"

      def self.next_migration_number(dirname)
        ::ActiveRecord::Generators::Base.next_migration_number(dirname)
      end

      def initializer
        template "initializer.rb", "config/initializers/wechat_work.rb"
      end

      def settings
        template "wechat_work.yml", "config/wechat_work.yml"
        template "wechat_work_simulator.yml", "config/wechat_work_simulator.yml"
      end

      def migration
        migration_template "create_wechat_work_deliveries.rb", "db/migrate/create_wechat_work_deliveries.rb"
      end

      def callbacks
        template "wechat_work_callbacks.rb", "app/callbacks/wechat_work_callbacks.rb"
        route 'wechat_work_callback "/wechat_work/callback", to: "WechatWorkCallbacks"'
      end

      # The callback router's spec, in the app's test framework, and the test mode it needs.
      def tests
        if exist?("spec/rails_helper.rb")
          template "wechat_work_callbacks_spec.rb", "spec/requests/wechat_work_callbacks_spec.rb"
          inject_after_rails_require("spec/rails_helper.rb", 'require "wechat_work/rspec"')
        elsif exist?("test/test_helper.rb")
          template "wechat_work_callbacks_test.rb", "test/integration/wechat_work_callbacks_test.rb"
          inject_after_rails_require("test/test_helper.rb", 'require "wechat_work/minitest"')
        end
      end

      # deliver_later's job in tests is recorded, not pushed to Redis (Sidekiq would need a
      # running Redis in every test run).
      def test_job_adapter
        file = "config/environments/test.rb"
        return unless exist?(file) && defined?(::ActiveJob)
        return if File.read(File.join(destination_root, file)).include?("queue_adapter")

        inject_into_file file, after: /Rails\.application\.configure do\n/ do
          "  # Jobs (wechat_work's outbox deliveries among them) are recorded, not run: perform_enqueued_jobs runs them.\n" \
            "  config.active_job.queue_adapter = :test\n\n"
        end
      end

      def login
        controller = "app/controllers/application_controller.rb"
        return unless exist?(controller)

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
            1. bin/rails db:migrate                  (the outbox table of WechatWork.deliver_later)
            2. bin/rails wechat_work:simulator       (a local WeCom on port #{simulator_port}, in its own terminal;
                                                      its members are in config/wechat_work_simulator.yml)
            3. deliver_later's jobs: add gem "sidekiq" and, in config/application.rb,
                 config.active_job.queue_adapter = :sidekiq
            4. Production: corp_id, agent_id and the secrets (config/wechat_work.yml says where);
               bin/rails wechat_work:check says what is missing.
        TEXT
      end

      private

      def exist?(path) = File.exist?(File.join(destination_root, path))

      def inject_after_rails_require(file, line)
        return if File.read(File.join(destination_root, file)).include?(line)

        anchor = File.read(File.join(destination_root, file))[%r{^require ["'](rspec/rails|rails/test_help)["'].*\n}]
        if anchor
          inject_into_file file, "#{line}\n", after: anchor
        else
          append_to_file file, "#{line}\n"
        end
      end

      # Values of the development simulator, made up once for this app (not secrets).
      def simulator_port = options[:simulator_port]
      def local_corp_id = @local_corp_id ||= "ww#{SecureRandom.hex(8)}"
      def local_secret = @local_secret ||= "dev-#{SecureRandom.alphanumeric(39)}"
      def local_callback_token = @local_callback_token ||= SecureRandom.alphanumeric(24)
      def local_encoding_aes_key = @local_encoding_aes_key ||= SecureRandom.alphanumeric(43)
      def app_title = ::Rails.application.class.module_parent_name.to_s.gsub(/(?<=[a-z])(?=[A-Z])/, " ").then { _1.empty? ? "Acme" : _1 }
    end
  end
end
