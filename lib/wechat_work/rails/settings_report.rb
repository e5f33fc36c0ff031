# frozen_string_literal: true

module WechatWork
  module Rails
    # What `bin/rails wechat_work:check` prints: each app's settings and where each came from
    # (never a secret's value), the gaps BootCheck finds, and with online: true one gettoken per
    # app, which proves the corp id and secret belong together.
    class SettingsReport
      # Refresh "when it expires within a day": a token lives 2 hours, so this always fetches.
      FETCH_ANYWAY = 86_000

      def initialize(env:, root:, credentials:, configuration: WechatWork.configuration, out: $stdout)
        @env = env.to_s
        @config = configuration
        @sources = SettingsLoader.new(root: root, env: env, credentials: credentials).sources
        @out = out
      end

      # Prints the report. => true when nothing is missing (and, online, every token came back).
      def print(online: false)
        @out.puts "wechat_work settings for #{@env} (base_url #{@config.base_url}#{from(:base_url)}):"
        @config.app_names.each { |name| @out.puts "  #{describe(name)}" }
        problems = BootCheck.new(@config, env: @env).problems
        problems.each { |problem| @out.puts "  MISSING #{problem}" }
        return false unless problems.empty?

        online ? fetch_tokens : (@out.puts("  ok (ONLINE=1 also fetches each app's access token once)") || true)
      end

      private

      def describe(name)
        own = name == :default ? @sources : @sources.dig(:apps, name) || {}
        options = @config.client_options(name)
        callback = @config.callback_options(name)
        parts = ["corp_id #{options[:corp_id].inspect}#{from(:corp_id)}", "agent_id #{options[:agent_id].inspect}#{from(:agent_id, own)}",
                 "secret #{options[:secret] ? "set" : "missing"}#{from(:secret, own)}",
                 "callback #{callback[:token] && callback[:encoding_aes_key] ? "set" : "not set"}#{from(:callback_token, own)}"]
        "#{name.inspect}: #{parts.join(", ")}"
      end

      def from(setting, sources = @sources)
        source = sources[setting]
        source ? " from #{source}" : ""
      end

      def fetch_tokens
        @config.app_names.map do |name|
          result = WechatWork.client(name).refresh_credentials!([:access_token], ahead: FETCH_ANYWAY)[:access_token]
          @out.puts "  #{name.inspect}: gettoken ok, the token is good for #{result[:expires_in]} s"
          true
        rescue Error => e
          @out.puts "  #{name.inspect}: gettoken FAILED: #{e.class}: #{e.message}"
          false
        end.all?
      end
    end
  end
end
