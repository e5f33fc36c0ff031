# frozen_string_literal: true

module WechatWork
  module Login
    # Sign-in from WeCom for any Rack app (Sinatra, Roda, a bare Rack app), after a session
    # middleware. The same flow and options as the Rails concern (Login::Settings), plus only:.
    #
    #   use Rack::Session::Cookie, secret: ENV.fetch("SESSION_SECRET"), same_site: :lax
    #   use WechatWork::Login::Middleware, app: :default, only: %r{\A/interviews}, failure: "/sign_in_failed" do |identity, env|
    #     Interviewer.find_or_create(wechat_work_userid: identity.userid)
    #   end
    #
    # Signed-in requests carry env["wechat_work.userid"], env["wechat_work.corp_id"] and
    # env["wechat_work.user"] (your block's answer). A sign-in holds for the corp and app it
    # was made with: several of these middlewares (other apps, other corps) share the session
    # without taking each other's members. only: a path prefix String, a Regexp, or a Proc given the Rack::Request
    # (default: every request).
    class Middleware
      USERID_ENV = "wechat_work.userid"
      USER_ENV = "wechat_work.user"
      CORP_ID_ENV = "wechat_work.corp_id"

      def initialize(app, only: nil, **options, &find_user)
        unless only.nil? || only.is_a?(String) || only.is_a?(Regexp) || only.respond_to?(:call)
          raise ::ArgumentError, "only: must be a path prefix String, a Regexp or a Proc, got #{only.inspect}"
        end

        Arguments.only!(options, Settings::OPTIONS, "Login::Middleware") { %i[only] }
        @app = app
        @only = only
        @find_user = find_user
        @flow = Flow.new(Settings.new(**options, find_user: find_user))
      end

      def call(env)
        require "rack" unless defined?(::Rack::Request)
        request = ::Rack::Request.new(env)
        return @app.call(env) unless protects?(request)

        session = env["rack.session"]
        unless session
          raise ConfigurationError, "WechatWork::Login::Middleware needs a session: add Rack::Session::Cookie " \
                                    "(or another session middleware) before it"
        end

        outcome = @flow.call(request, session) { |identity| @find_user ? @find_user.call(identity, env) : identity }
        case outcome.kind
        when :pass
          env[USERID_ENV] = outcome.userid
          env[CORP_ID_ENV] = outcome.corp_id
          env[USER_ENV] = outcome.user
          @app.call(env)
        when :redirect then outcome.external ? redirect_away(outcome.location) : redirect(request, outcome.location)
        else failure(outcome.failure, request, env)
        end
      end

      private

      def protects?(request)
        case @only
        when nil then true
        when String then request.path.start_with?(@only)
        when Regexp then @only.match?(request.path)
        else @only.call(request) ? true : false
        end
      end

      # To a path of this app (anything else becomes "/").
      def redirect(request, location) = redirect_away("#{request.base_url}#{Login.local_path(location)}")

      # To the sign-in URL the flow built (WeCom's host), or an absolute URL of this app.
      def redirect_away(url)
        [302, { "location" => url, "content-type" => "text/html; charset=utf-8", "cache-control" => "no-store" }, []]
      end

      def failure(failure, request, env)
        target = @flow.settings.failure
        case target
        when nil
          [failure.status, { "content-type" => "text/html; charset=utf-8", "cache-control" => "no-store" }, [failure.to_html]]
        when String then redirect(request, Login.with_query(target, ERROR_PARAM => failure.reason))
        else target.call(failure, env)
        end
      end
    end
  end
end
