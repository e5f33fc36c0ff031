# frozen_string_literal: true

module WechatWork
  module Rails
    # The settings an app cannot run without (and a base_url production must not use), checked
    # all at once so one message lists every gap and where to fill it. The Railtie runs it at boot when config.eager_load is on
    # (production), and `bin/rails wechat_work:check` runs it anywhere.
    #
    #   BootCheck.new(WechatWork.configuration, env: "production").problems
    #   # => ["corp_id is missing: set WECHAT_WORK_CORP_ID, or corp_id: under production: in config/wechat_work.yml", ...]
    class BootCheck
      # Raised at boot; problems holds one line per gap.
      class IncompleteError < ConfigurationError
        attr_reader :problems

        def initialize(problems, env:, context:)
          @problems = problems
          super("wechat_work is not configured for #{env} (#{context}):\n" +
                problems.map { "  - #{_1}" }.join("\n") +
                "\nSee the README's Configuration section; bin/rails wechat_work:check checks again.")
        end
      end

      def initialize(configuration, env:)
        @config = configuration
        @env = env.to_s
      end

      # One line per missing or inconsistent setting; empty when the app can run.
      def problems
        list = []
        list << missing(:corp_id) unless @config.corp_id
        list << missing(:secret) unless @config.secret
        list << missing(:agent_id) unless @config.agent_id
        list << insecure_base_url if insecure_base_url?
        list.concat(callback_problems(:default, @config.callback_options(:default)))
        @config.app_names.drop(1).each do |name|
          options = @config.client_options(name)
          list << missing(:secret, app: name) unless options[:secret]
          list.concat(callback_problems(name, @config.callback_options(name)))
        end
        list
      end

      def check!(context:)
        found = problems
        raise IncompleteError.new(found, env: @env, context: context) unless found.empty?

        true
      end

      private

      # In production, WeCom over https (or an https:// gateway): an http:// or loopback base_url
      # would send the secret in clear (or to the simulator) and let whoever answers there
      # decide who signs in, unless the app says it means it.
      def insecure_base_url?
        @env == "production" && !@config.allow_insecure_base_url && !Options.insecure_base_url(@config.base_url).nil?
      end

      def insecure_base_url
        Options.insecure_base_url_message(
          @config.base_url,
          "set allow_insecure_base_url: true under #{@env}: in config/wechat_work.yml, or " \
          "c.allow_insecure_base_url = true in config/initializers/wechat_work.rb"
        )
      end

      def missing(setting, app: nil)
        "#{"app #{app.inspect}: " if app}#{setting} is missing: #{where(setting, app)}"
      end

      # Both callback settings or neither: one alone means a callback URL that refuses everything.
      def callback_problems(app, options)
        token = options[:token]
        key = options[:encoding_aes_key]
        return [] if token.nil? == key.nil?

        setting = token ? :encoding_aes_key : :callback_token
        other = token ? :callback_token : :encoding_aes_key
        ["#{"app #{app.inspect}: " unless app == :default}#{setting} is missing while #{other} is set " \
         "(WeCom's 接收消息 settings come in pairs): #{where(setting, app == :default ? nil : app)}"]
      end

      # Where a setting is set, in the precedence order of SettingsLoader (the first wins).
      def where(setting, app)
        variable = app ? "WECHAT_WORK_#{app.to_s.upcase}_#{setting.to_s.upcase}" : Configuration::ENV_NAMES.fetch(setting)
        file = if secret?(setting)
                 path = app ? "#{@env}: apps: #{app}: #{setting}:" : "#{@env}: #{setting}:"
                 "wechat_work: #{path} in the credentials (bin/rails credentials:edit)"
               else
                 "#{app ? "apps: #{app}: " : ""}#{setting}: under #{@env}: in config/wechat_work.yml"
               end
        initializer = app ? "c.app #{app.inspect}, #{setting}: ..." : "c.#{setting} = ..."
        "set #{variable}, or #{file}, or #{initializer} in config/initializers/wechat_work.rb"
      end

      def secret?(setting) = %i[secret callback_token encoding_aes_key].include?(setting)
    end
  end
end
