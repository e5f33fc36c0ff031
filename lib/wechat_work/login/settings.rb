# frozen_string_literal: true

module WechatWork
  module Login
    # How a controller (or the middleware) signs people in, checked when declared so a typo
    # fails at boot:
    #   app:           the configured app (WechatWork.client(app)); default :default
    #   client:        a WechatWork::Client (or a Proc returning one) instead of app:
    #   scope:         :base (who the member is) or :private_info (OAuth inside WeCom gives a
    #                  user_ticket for client.user_detail; the web login never does)
    #   outside_wecom: :qr_login (redirect to WeCom's web login, default), :oauth (always the
    #                  in-WeCom OAuth URL), or the path of your own sign-in page (it gets
    #                  ?return_to=...; wechat_work_sign_in_url builds the URLs for it)
    #   failure:       nil (a small 403 page), a path (redirect, ?wechat_work_error=<reason>), or a
    #                  Proc given the Login::Failure (run in the controller; in Rack, given
    #                  (failure, env) and returning a Rack response)
    #   host:          the sign-in URLs' host: nil (WeCom's, or the simulator's when base_url
    #                  is a loopback address), :wecom, :base_url, or a URL
    #   state_ttl:     seconds a sign-in may take (default 600)
    #   logger:        where failures are logged (default: the gem's logger, else Rails.logger)
    class Settings
      SCOPES = %i[base private_info].freeze
      OUTSIDE = %i[qr_login oauth].freeze

      attr_reader :app, :scope, :outside_wecom, :failure, :host, :state_ttl, :find_user

      def initialize(app: :default, client: nil, scope: :base, outside_wecom: :qr_login, failure: nil, host: nil,
                     state_ttl: OAuthState::DEFAULT_TTL, logger: nil, find_user: nil)
        raise ::ArgumentError, "app: must be a configured app's name (a Symbol), got #{app.inspect}" unless
          app.is_a?(Symbol) || app.is_a?(String)
        unless client.nil? || client.is_a?(Client) || client.respond_to?(:call)
          raise ::ArgumentError, "client: must be a WechatWork::Client or a Proc returning one, got #{client.class}"
        end

        @app = app.to_sym
        @client = client
        @scope = choose(scope&.to_sym, SCOPES, "scope")
        @outside_wecom = outside_wecom.is_a?(String) ? local_path!(outside_wecom, "outside_wecom") : choose(outside_wecom, OUTSIDE, "outside_wecom")
        @failure = failure_target(failure)
        unless host.nil? || %i[wecom base_url].include?(host) || (host.is_a?(String) && host.match?(%r{\Ahttps?://[^/?#\s]+/?\z}))
          raise ::ArgumentError, "host: must be nil, :wecom, :base_url or a URL like \"https://open.weixin.qq.com\", got #{host.inspect}"
        end

        @host = host
        @state_ttl = Arguments.seconds!(state_ttl, "state_ttl")
        @logger = logger.nil? ? nil : Options.logger(logger)
        raise ::ArgumentError, "the block (find_user) must be a Proc" unless find_user.nil? || find_user.respond_to?(:call)

        @find_user = find_user
        freeze
      end

      # The options wechat_work_login and Login::Middleware take (the block is find_user).
      OPTIONS = (Arguments.keywords_of(instance_method(:initialize)) - %i[find_user]).freeze

      # The client of the app (built on first use, so credentials are read at run time).
      def client
        case @client
        when nil then WechatWork.client(app)
        when Client then @client
        else @client.call
        end
      end

      def logger
        @logger || WechatWork.configuration.logger || (::Rails.logger if defined?(::Rails) && ::Rails.respond_to?(:logger))
      end

      # Writes the failure to the logger (warn), or to stderr when there is none.
      def log(failure)
        target = logger
        target ? target.warn(failure.log_line) : Kernel.warn(failure.log_line)
      rescue StandardError
        nil
      end

      private

      def choose(value, allowed, name)
        return value if allowed.include?(value)

        raise ::ArgumentError, "#{name}: must be one of #{allowed.map(&:inspect).join(", ")}, got #{value.inspect}"
      end

      def failure_target(value)
        return value if value.nil? || value.respond_to?(:call)
        return local_path!(value, "failure") if value.is_a?(String)

        raise ::ArgumentError, "failure: must be nil, a path like \"/sign_in_failed\" or a Proc, got #{value.inspect}"
      end

      def local_path!(path, name)
        return path if Login.local_path?(path)

        raise ::ArgumentError, "#{name}: must be a path of this app (\"/...\"), got #{path.inspect}"
      end
    end
  end
end
