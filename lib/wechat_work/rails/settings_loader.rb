# frozen_string_literal: true

require "erb"
require "yaml"

module WechatWork
  module Rails
    # Reads a Rails app's settings into WechatWork.configuration with Rails' own precedence, the
    # one DATABASE_URL has over database.yml (later wins):
    #
    #   1. the built-in defaults (Configuration)
    #   2. config/wechat_work.yml, the running environment's section (ERB allowed)
    #   3. Rails credentials, `wechat_work:`; a section named after the environment inside it
    #      (`wechat_work: { production: { secret: ... } }`) wins over its top level. Rails 6+ also
    #      reads config/credentials/<env>.yml.enc instead of the shared file when it exists
    #      (bin/rails credentials:edit --environment production): both work.
    #   4. an explicit environment variable: WECHAT_WORK_CORP_ID, _SECRET, _AGENT_ID, _BASE_URL,
    #      _CALLBACK_TOKEN, _ENCODING_AES_KEY; for a named app, WECHAT_WORK_<APP>_SECRET, ...
    #   5. config/initializers/wechat_work.rb (WechatWork.configure), which runs after this.
    #
    # #sources says where each value came from, so the boot check can say where to set it.
    class SettingsLoader
      SETTINGS = (Configuration::APP_SETTINGS + Configuration::SHARED_SETTINGS - %i[logger token_store]).freeze
      # What an app's WECHAT_WORK_<APP>_* variables may set.
      APP_ENV_SETTINGS = (Configuration::APP_SETTINGS - %i[corp_id]).freeze

      def initialize(root:, env:, credentials: nil, environment: ENV)
        @root = root.to_s
        @env = env.to_s
        @credentials = credentials
        @environment = environment
      end

      def path = File.join(@root, "config", "wechat_work.yml")

      # The merged settings (Symbol keys; apps: { name => { ... } }).
      def settings
        files = merge(yaml_settings, credential_settings)
        merge(files, env_settings(files.fetch(:apps, {}).keys))
      end

      # Where each setting came from: { corp_id: "WECHAT_WORK_CORP_ID", secret: "credentials", ... },
      # with apps: { name => { secret: ... } }.
      def sources
        sources = {}
        { "config/wechat_work.yml (#{@env}:)" => yaml_settings, "credentials (wechat_work:)" => credential_settings }
          .each { |label, values| record(sources, values, label) }
        env_sources(merge(yaml_settings, credential_settings).fetch(:apps, {}).keys).each do |key, variable|
          assign(sources, key, variable)
        end
        sources
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
        @yaml_settings ||= begin
          if File.exist?(path)
            text = ERB.new(File.read(path)).result
            all = YAML.safe_load(text, aliases: true) || {}
            raise ConfigurationError, "#{path} must hold a Hash per environment" unless all.is_a?(Hash)

            symbolize(all.fetch(@env, nil) || {})
          else
            {}
          end
        rescue Psych::Exception => e
          raise ConfigurationError, "#{path}: #{e.message}"
        end
      end

      # The top level of `wechat_work:`, then its section for this environment. A Hash under any
      # other key than apps: is an environment's section (no setting takes a Hash).
      def credential_settings
        @credential_settings ||= begin
          value = @credentials.respond_to?(:dig) ? @credentials.dig(:wechat_work) : nil
          all = value ? symbolize(value) : {}
          sections = all.select { |key, v| key != :apps && v.is_a?(Hash) }
          merge(all.reject { |key, _| sections.key?(key) }, symbolize(sections[@env.to_sym]))
        end
      end

      def env_settings(app_names)
        env_sources(app_names).each_with_object({}) do |(key, variable), out|
          app, setting = key
          value = @environment[variable]
          if app
            ((out[:apps] ||= {})[app] ||= {})[setting] = value
          else
            out[setting] = value
          end
        end
      end

      # [[app or nil, setting], variable] for every explicit (non-empty) WECHAT_WORK_* variable.
      def env_sources(app_names)
        found = Configuration::ENV_NAMES.filter_map do |setting, variable|
          [[nil, setting], variable] if present?(variable)
        end
        app_names.each do |app|
          APP_ENV_SETTINGS.each do |setting|
            variable = "WECHAT_WORK_#{app.to_s.upcase}_#{setting.to_s.upcase}"
            found << [[app, setting], variable] if present?(variable)
          end
        end
        found
      end

      def present?(variable) = !@environment[variable].to_s.empty?

      def record(sources, values, label)
        values.each do |key, value|
          next if value.nil?

          if key == :apps
            value.each { |app, app_values| app_values.each { |k, v| assign(sources, [app, k], label) unless v.nil? } }
          else
            assign(sources, [nil, key], label)
          end
        end
      end

      def assign(sources, (app, setting), label)
        if app
          ((sources[:apps] ||= {})[app] ||= {})[setting] = label
        else
          sources[setting] = label
        end
      end

      def merge(base, over)
        base.merge(over) do |key, a, b|
          key == :apps ? a.merge(b) { |_, x, y| symbolize(x).merge(symbolize(y)) } : b
        end
      end

      def symbolize(hash)
        return {} if hash.nil?
        raise ConfigurationError, "wechat_work settings must be a Hash, got #{hash.class}" unless hash.is_a?(Hash)

        hash.to_h { |k, v| [k.to_sym, v.is_a?(Hash) ? symbolize(v) : v] }
      end
    end
  end
end
