# frozen_string_literal: true

require "uri"

module WechatWork
  module Rails
    # `bin/rails wechat_work:simulator`: the simulator this app is configured for. It listens on
    # base_url's host and port and accepts the app's corp id, secret and agent id (and its named
    # apps'), so the app and its simulator cannot disagree; it knows the app's callback URL (the
    # route of wechat_work_callback, on APP_URL, default http://127.0.0.1:3000) and serves the
    # members of config/wechat_work_simulator.yml.
    class SimulatorCommand
      EXECUTABLE = File.expand_path("../../../exe/wechat_work", __dir__)
      DEFAULT_APP_URL = "http://127.0.0.1:3000"

      def initialize(configuration, routes: nil, root: nil, environment: ENV)
        @config = configuration
        @routes = routes
        @root = root
        @environment = environment
        @url = URI(configuration.base_url)
        return if %w[127.0.0.1 localhost ::1 [::1]].include?(@url.host) && @url.scheme == "http"

        raise ConfigurationError, "base_url is #{configuration.base_url}, not a local simulator: point development at one " \
                                  "(base_url: http://127.0.0.1:4000 in config/wechat_work.yml, or WECHAT_WORK_BASE_URL) " \
                                  "or run `bundle exec wechat_work simulator` with the options you need"
      end

      # The simulator command: the secrets go in its environment, not on the command line (ps).
      def argv
        [env, Gem.ruby, EXECUTABLE, "simulator", "--host", @url.host.delete("[]"), "--port", @url.port.to_s,
         *apps, *directory]
      end

      def summary
        "wechat_work: starting the simulator for #{@config.base_url} (corp #{@config.corp_id}, " \
          "#{@config.app_names.size} app#{"s" unless @config.app_names.size == 1})"
      end

      def callback_url
        return @environment["WECHAT_WORK_CALLBACK_URL"] unless @environment["WECHAT_WORK_CALLBACK_URL"].to_s.empty?

        path = mounted_callback_path
        path && "#{@environment.fetch("APP_URL", DEFAULT_APP_URL).chomp("/")}#{path}"
      end

      private

      def env
        options = @config.client_options(:default)
        callback = @config.callback_options(:default)
        { "WECHAT_WORK_CORP_ID" => options[:corp_id], "WECHAT_WORK_SECRET" => options[:secret],
          "WECHAT_WORK_AGENT_ID" => options[:agent_id]&.to_s, "WECHAT_WORK_CALLBACK_TOKEN" => callback[:token],
          "WECHAT_WORK_ENCODING_AES_KEY" => callback[:encoding_aes_key], "WECHAT_WORK_CALLBACK_URL" => callback_url }
      end

      # Named apps with an agent id (an app without one, the contact-sync secret, sends nothing).
      def apps
        @config.app_names.drop(1).flat_map do |name|
          options = @config.client_options(name)
          next [] unless options[:secret] && options[:agent_id]

          ["--app", "#{name}:#{options[:secret]}:#{options[:agent_id]}"]
        end
      end

      def directory
        path = @root && File.join(@root.to_s, "config", "wechat_work_simulator.yml")
        path && File.exist?(path) ? ["--directory", path] : []
      end

      # The path `wechat_work_callback` mounted the callback endpoint at.
      def mounted_callback_path
        return nil unless @routes

        route = @routes.routes.find { |r| callback_endpoint?(r.app) }
        route&.path&.spec&.to_s&.sub(/\(\.:format\)\z/, "")
      end

      # A mounted app comes wrapped (route constraints): look a few layers in.
      def callback_endpoint?(app, depth = 3)
        return true if app.is_a?(Callback::RackApp)
        return false if depth.zero? || !app.respond_to?(:app)

        inner = app.app
        !inner.equal?(app) && callback_endpoint?(inner, depth - 1)
      end
    end
  end
end
