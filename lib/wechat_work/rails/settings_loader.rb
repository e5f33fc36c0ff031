# frozen_string_literal: true

require "erb"
require "yaml"

module WechatWork
  module Rails
    # Reads a Rails app's settings into WechatWork.configuration, in this order (later wins):
    # the environment (WECHAT_WORK_*), config/wechat_work.yml (per environment, with ERB),
    # then Rails credentials (`wechat_work:` key). The app's initializer (WechatWork.configure)
    # runs after and can override anything.
    #
    #   # config/wechat_work.yml
    #   default: &default
    #     corp_id: <%= ENV["WECHAT_WORK_CORP_ID"] %>
    #     agent_id: 1000002
    #     apps:
    #       approvals: { agent_id: 1000003 }
    #   development:
    #     <<: *default
    #     base_url: http://127.0.0.1:4000        # bin/rails wechat_work:simulator
    #   production:
    #     <<: *default
    #
    #   # bin/rails credentials:edit
    #   wechat_work:
    #     secret: ...
    #     callback_token: ...
    #     encoding_aes_key: ...
    #     apps:
    #       approvals: { secret: ... }
    class SettingsLoader
      SETTINGS = (Configuration::APP_SETTINGS + Configuration::SHARED_SETTINGS - %i[logger token_store]).freeze

      def initialize(root:, env:, credentials: nil)
        @root = root.to_s
        @env = env.to_s
        @credentials = credentials
      end

      def path = File.join(@root, "config", "wechat_work.yml")

      # The merged settings (Symbol keys; apps: { name => { ... } }).
      def settings
        merge(yaml_settings, credential_settings)
      end

      def apply(config)
        settings = self.settings
        apps = settings.delete(:apps) || {}
        unknown = settings.keys - SETTINGS
        raise ConfigurationError, Arguments.refusal("wechat_work settings", unknown, SETTINGS + %i[apps]) unless unknown.empty?

        settings.each { |key, value| config.public_send(:"#{key}=", value) unless value.nil? }
        apps.each { |name, app| config.app(name, **symbolize(app).compact) }
        config
      end

      private

      def yaml_settings
        return {} unless File.exist?(path)

        text = ERB.new(File.read(path)).result
        all = YAML.safe_load(text, aliases: true) || {}
        raise ConfigurationError, "#{path} must hold a Hash per environment" unless all.is_a?(Hash)

        symbolize(all.fetch(@env, nil) || {})
      rescue Psych::Exception => e
        raise ConfigurationError, "#{path}: #{e.message}"
      end

      def credential_settings
        value = @credentials.respond_to?(:dig) ? @credentials.dig(:wechat_work) : nil
        value ? symbolize(value) : {}
      end

      def merge(base, over)
        base.merge(over) do |key, a, b|
          key == :apps ? a.merge(b) { |_, x, y| symbolize(x).merge(symbolize(y)) } : b
        end
      end

      def symbolize(hash)
        return {} if hash.nil?
        raise ConfigurationError, "wechat_work settings must be a Hash, got #{hash.class}" unless hash.respond_to?(:to_h)

        hash.to_h.to_h { |k, v| [k.to_sym, v.is_a?(Hash) && k.to_s == "apps" ? v.to_h { |n, a| [n.to_sym, symbolize(a)] } : v] }
      end
    end
  end
end
