# frozen_string_literal: true

require "uri"

module WechatWork
  module Login
    # The sign-in itself, shared by the Rails concern and the Rack middleware: given a request
    # and its session, what to do. No framework in here.
    #
    # * Signed in through this corp's app (the session has a sign-in for its corp id and agent
    #   id): pass, with the app's user from your block. A sign-in through another app or corp
    #   counts for nothing here.
    # * Not signed in, a page (GET, not an XHR): start. Inside WeCom's browser (its user agent says wxwork) to
    #   WeCom's OAuth URL; elsewhere to the web (QR) login, or to your own sign-in page. The
    #   redirect URI is the page asked for, so WeCom brings the member back to it.
    # * Back from WeCom (a state of ours in the query): check the state against the session,
    #   exchange the code, refuse non-members, ask your block for the app's user, store the
    #   sign-in in the session (under a new session id), and redirect to the page without
    #   code and state.
    # Every path it redirects or links to is a path of this app (Login.local_path), else "/".
    # Anything that goes wrong becomes a Failure (logged), never an exception.
    class Flow
      # The OAuth parameters WeCom adds to the redirect URI.
      SIGN_IN_PARAMS = %w[code state].freeze

      # kind: :pass (userid, corp_id, user), :redirect (location: a path of this app, or with
      # external: true the sign-in URL on WeCom's host), :failure (failure).
      Outcome = Struct.new(:kind, :location, :external, :failure, :userid, :corp_id, :user, keyword_init: true)

      # What a sign-in is scoped to: the corp and the app (agent id) of the client.
      def self.scope(client) = { corp_id: client.corp_id, agent_id: client.agent_id }

      attr_reader :settings

      def initialize(settings)
        @settings = settings
      end

      # request: a Rack::Request (ActionDispatch::Request is one). The block finds the app's
      # user for an OAuthUser (nil refuses them).
      def call(request, session, &find_user)
        client = settings.client
        params = request.GET
        return finish(request, session, client, params, find_user) if OAuthState.format?(params["state"])

        userid = Login.userid(session, **Flow.scope(client))
        return current(request, session, client, userid, find_user) if userid
        return failed(Failure.new(:not_signed_in)) unless navigation?(request)

        start(request, session, client)
      rescue WechatWork::Error => e
        failed(Failure.new(:misconfigured, error: e))
      end

      # The WeCom URL that signs in and comes back to return_to (a path of this app, else "/").
      # qr: true for the web (QR) login, false for OAuth inside WeCom.
      def sign_in_url(request, session, return_to:, qr:, client: settings.client)
        path = Login.local_path(return_to)
        state = OAuthState.new(session, ttl: settings.state_ttl).generate(return_to: path)
        redirect_uri = "#{request.base_url}#{path}"
        if qr
          client.qr_login_url(redirect_uri: redirect_uri, state: state, host: settings.host)
        else
          client.oauth_authorize_url(redirect_uri: redirect_uri, state: state, scope: settings.scope, host: settings.host)
        end
      end

      # The request's path and query without code and state (their raw encoding kept), or "/"
      # when that is not a path of this app ("//evil.example/x").
      def clean_fullpath(request)
        kept = request.query_string.to_s.split("&").reject do |pair|
          pair.empty? || SIGN_IN_PARAMS.include?(param_name(pair))
        end
        Login.local_path(kept.empty? ? request.path : "#{request.path}?#{kept.join("&")}")
      end

      private

      def current(request, session, client, userid, find_user)
        identity = OAuthUser.from_session(userid, corp_id: client.corp_id)
        user = find_user ? find_user.call(identity) : identity
        return Outcome.new(kind: :pass, userid: userid, corp_id: client.corp_id, user: user) if user

        Login.sign_out(session)
        failed(Failure.new(:rejected, identity: identity, retry_path: clean_fullpath(request)))
      rescue WechatWork::Error => e
        failed(Failure.new(:wecom_error, error: e, identity: identity))
      end

      def start(request, session, client)
        return_to = clean_fullpath(request)
        inside = Login.inside_wecom?(request)
        outside = settings.outside_wecom
        return redirect(Login.with_query(outside, "return_to" => return_to)) if outside.is_a?(String) && !inside

        url = sign_in_url(request, session, return_to: return_to, qr: !inside && outside == :qr_login, client: client)
        Outcome.new(kind: :redirect, location: url, external: true)
      rescue WechatWork::Error => e
        failed(Failure.new(:misconfigured, error: e))
      end

      def finish(request, session, client, params, find_user)
        back = clean_fullpath(request)
        begin
          entry = OAuthState.new(session, ttl: settings.state_ttl).verify!(params["state"])
        rescue OAuthState::Invalid => e
          # A finished sign-in reloaded (or a forged one aimed at a signed-in member): stay.
          return redirect(back) if Login.userid(session, **Flow.scope(client))

          return failed(Failure.new(:"#{e.reason}_state", error: e, retry_path: back))
        end
        return_to = Login.local_path(entry.return_to, fallback: back)
        code = params["code"].to_s
        return failed(Failure.new(:denied, retry_path: return_to)) if code.empty?

        exchange(request, session, client, code, return_to, find_user)
      end

      def exchange(request, session, client, code, return_to, find_user)
        identity = client.user_from_code(code)
        return failed(Failure.new(:not_a_member, identity: identity)) unless identity.member?

        user = find_user ? find_user.call(identity) : identity
        return failed(Failure.new(:rejected, identity: identity)) unless user

        sign_in(request, session, client, identity)
        Outcome.new(kind: :redirect, location: return_to, external: false, userid: identity.userid, corp_id: client.corp_id,
                    user: user)
      rescue WechatWork::Error => e
        failed(Failure.new(reason_for(e), error: e, identity: identity, retry_path: return_to))
      end

      def reason_for(error)
        case error
        when InvalidCodeError then :invalid_code
        when ConfigurationError then :misconfigured
        when ApiError then :wecom_error
        else :unavailable
        end
      end

      # A new session id (no fixation), then the member, for this corp and app.
      def sign_in(request, session, client, identity)
        options = request.respond_to?(:session_options) ? request.session_options : nil
        options[:renew] = true if options.respond_to?(:[]=)
        Login.remember(session, **Flow.scope(client), userid: identity.userid, app: client.app_name)
      end

      # A page the browser navigates to (worth sending to WeCom): GET or HEAD, not an XHR, and
      # not asking for something other than HTML. The rest (a POST, a fetch of JSON) gets 401:
      # WeCom's pages cannot answer it, and each redirect would start another sign-in.
      def navigation?(request)
        return false unless request.get? || request.head?
        return false if request.respond_to?(:xhr?) && request.xhr?

        accept = request.get_header("HTTP_ACCEPT").to_s
        accept.empty? || accept.include?("text/html") || accept.include?("*/*")
      end

      # A redirect to a path of this app.
      def redirect(location) = Outcome.new(kind: :redirect, location: Login.local_path(location), external: false)

      def failed(failure)
        settings.log(failure)
        Outcome.new(kind: :failure, failure: failure)
      end

      def param_name(pair)
        URI.decode_www_form_component(pair.split("=", 2).first.to_s)
      rescue ::ArgumentError
        nil
      end
    end
  end
end
