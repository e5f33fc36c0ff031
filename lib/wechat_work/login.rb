# frozen_string_literal: true

require "uri"
require_relative "login/failure"
require_relative "login/settings"
require_relative "login/flow"
require_relative "login/middleware"
require_relative "rails/js_sdk_helper"

module WechatWork
  # Sign-in from WeCom for a Rails controller: OAuth inside WeCom's browser (the member is
  # signed in without typing anything), the web (QR) login elsewhere, the userid in the
  # session, and your block to find or create the app's user. (For plain Rack apps:
  # WechatWork::Login::Middleware.)
  #
  #   class ApplicationController < ActionController::Base
  #     include WechatWork::Login
  #     wechat_work_login app: :default, failure: "/sign_in_failed" do |identity|
  #       Interviewer.find_or_create_by!(wechat_work_userid: identity.userid)
  #     end
  #     before_action :require_wechat_work_user
  #   end
  #
  # The block runs at sign-in (identity: the OAuthUser WeCom answered, with user_ticket for
  # scope: :private_info) and once per later request (identity.userid and identity.corp_id
  # from the session); nil refuses the member. A sign-in holds for its corp and app only
  # (Login::SESSION_KEY): a controller of another app or corp signs the member in again. An
  # app serving several corps finds its users by (identity.corp_id, identity.userid).
  # Helpers (controllers and views): current_wechat_work_user, current_wechat_work_userid,
  # wechat_work_signed_in?, wechat_work_sign_in_url, sign_out_wechat_work (every app's
  # sign-in), and wechat_work_js_sdk (Rails::JsSdkHelper). Options: Login::Settings.
  #
  # Failures (declined, a used or expired code, a forged, replayed or expired state, a
  # non-member, WeCom unreachable) are logged and land on your failure: page, never a 500.
  module Login
    # The session's sign-ins: { "<corp id>/<agent id>" => { "corp_id", "agent_id", "app",
    # "userid", "signed_in_at" } }. A sign-in holds for the corp and the app it was made with
    # only: userids are unique within a corp, and each app has its own visible range. Keyed by
    # (corp, app), so a member can be signed in to several apps, or corps, at once.
    SESSION_KEY = "wechat_work.sign_ins"
    # What versions before scoped sign-ins wrote: never read (such a session signs in again),
    # removed at sign-in and sign-out.
    LEGACY_KEYS = %w[wechat_work.userid wechat_work.app wechat_work.signed_in_at].freeze
    # Sign-ins kept per session (the oldest is dropped): a cookie holds 4 KB.
    MAX_SIGN_INS = 8
    # Where a failure path gets the reason.
    ERROR_PARAM = "wechat_work_error"
    HELPERS = %i[current_wechat_work_user current_wechat_work_userid wechat_work_signed_in? wechat_work_sign_in_url].freeze
    # What no return path may hold: controls, whitespace (browsers drop tabs and line breaks,
    # so "/\t/evil" is "//evil") and backslashes (which they read as "/").
    UNSAFE_IN_PATH = /[[:cntrl:][:space:]\\]/
    # A leading encoded slash or backslash: "/%2F/evil" is one decoding away from "//evil".
    ENCODED_SLASH_START = %r{\A/%(?:2f|5c)}i

    class << self
      def included(base)
        base.extend(ClassMethods)
        base.helper_method(*HELPERS) if base.respond_to?(:helper_method)
        base.helper(Rails::JsSdkHelper) if base.respond_to?(:helper)
      end

      # Whether the request (or a User-Agent String) comes from WeCom's own browser.
      def inside_wecom?(request)
        agent = request.is_a?(String) ? request : request.user_agent
        agent.to_s.match?(/wxwork/i)
      end

      # The member signed in through this corp's app (agent id) in this session, or nil.
      def userid(session, corp_id:, agent_id:)
        sign_in_of(session, corp_id: corp_id, agent_id: agent_id)&.fetch("userid")
      end

      # The session's record of the sign-in through this corp's app, or nil.
      def sign_in_of(session, corp_id:, agent_id:)
        all = session[SESSION_KEY]
        record = all.is_a?(Hash) ? all[scope_key(corp_id, agent_id)] : nil
        return nil unless record.is_a?(Hash) && record["corp_id"] == corp_id.to_s && record["agent_id"] == agent_id.to_s

        userid = record["userid"]
        userid.is_a?(String) && !userid.empty? ? record : nil
      end

      # Records `userid` as signed in through this corp's app (other sign-ins are kept).
      def remember(session, corp_id:, agent_id:, userid:, app: nil)
        all = session[SESSION_KEY]
        all = all.is_a?(Hash) ? all.reject { |key, _| key == scope_key(corp_id, agent_id) } : {}
        all[scope_key(corp_id, agent_id)] = { "corp_id" => corp_id.to_s, "agent_id" => agent_id.to_s, "app" => app&.to_s,
                                              "userid" => userid.to_s, "signed_in_at" => Time.now.to_i }.compact
        LEGACY_KEYS.each { |key| session.delete(key) }
        # A new Hash: session stores notice assignment, not mutation.
        session[SESSION_KEY] = all.to_a.last(MAX_SIGN_INS).to_h
      end

      # Forgets every sign-in (and nothing else in the session).
      def sign_out(session)
        [SESSION_KEY, *LEGACY_KEYS].each { |key| session.delete(key) }
        nil
      end

      # A path of this app, where a redirect or a link may send the browser: "/...", but not
      # "//host" or "/\host" however spelled (no open redirect), no controls or whitespace,
      # valid UTF-8.
      def local_path?(path)
        path.is_a?(String) && path.valid_encoding? && path.start_with?("/") && !path.start_with?("//") &&
          !path.match?(UNSAFE_IN_PATH) && !path.match?(ENCODED_SLASH_START)
      end

      # `path` if it is a path of this app (spaces percent-encoded, as a decoded ?return_to=
      # gives them back), else `fallback`.
      def local_path(path, fallback: "/")
        return fallback unless path.is_a?(String) && path.valid_encoding?

        encoded = path.gsub(" ", "%20")
        local_path?(encoded) ? encoded : fallback
      end

      # path with more query parameters.
      def with_query(path, params)
        query = URI.encode_www_form(params)
        path.include?("?") ? "#{path}&#{query}" : "#{path}?#{query}"
      end

      private

      def scope_key(corp_id, agent_id) = "#{corp_id}/#{agent_id}"
    end

    module ClassMethods
      # Declares how this controller (and its subclasses) sign in. See Login::Settings.
      def wechat_work_login(**options, &find_user)
        Arguments.only!(options, Settings::OPTIONS, "wechat_work_login")
        @wechat_work_login = Settings.new(**options, find_user: find_user)
      end

      def wechat_work_login_settings
        own = instance_variable_defined?(:@wechat_work_login) ? @wechat_work_login : nil
        own || (superclass.respond_to?(:wechat_work_login_settings) ? superclass.wechat_work_login_settings : DEFAULTS)
      end
    end

    # Settings of a controller that never called wechat_work_login: the default app.
    DEFAULTS = Settings.new

    # The before_action: passes a signed-in member, sends anyone else to sign in, finishes a
    # sign-in coming back from WeCom, and sends failures to the failure: handler.
    def require_wechat_work_user
      outcome = wechat_work_login_flow.call(request, session) { |identity| wechat_work_find_user(identity) }
      case outcome.kind
      when :pass
        @current_wechat_work_userid = outcome.userid
        @current_wechat_work_user = outcome.user
      # Only the sign-in URL the flow built goes to another host; every other redirect is a
      # path of this app.
      when :redirect then redirect_to(outcome.location, **(outcome.external ? { allow_other_host: true } : {}))
      else wechat_work_login_failed(outcome.failure)
      end
    end

    # The app's user for the signed-in member (your block's answer), or nil.
    def current_wechat_work_user
      return @current_wechat_work_user if defined?(@current_wechat_work_user)

      userid = current_wechat_work_userid
      @current_wechat_work_user = userid && wechat_work_find_user(OAuthUser.from_session(userid, corp_id: wechat_work_client.corp_id))
    end

    # The member signed in through this controller's app (and corp), or nil.
    def current_wechat_work_userid
      @current_wechat_work_userid ||= Login.userid(session, **Flow.scope(wechat_work_client))
    end

    def wechat_work_signed_in? = !current_wechat_work_userid.nil?

    def sign_out_wechat_work
      Login.sign_out(session)
      remove_instance_variable(:@current_wechat_work_user) if defined?(@current_wechat_work_user)
      @current_wechat_work_userid = nil
    end

    # For your own sign-in page (outside_wecom: "/sign_in"): the WeCom URL that signs in and
    # comes back to return_to (default: params[:return_to], else "/"). qr: the web login
    # (default outside WeCom's browser) or OAuth. Each call starts a new sign-in (a new state).
    def wechat_work_sign_in_url(return_to: nil, qr: nil)
      target = Login.local_path(return_to || request.GET["return_to"])
      qr = !Login.inside_wecom?(request) if qr.nil?
      wechat_work_login_flow.sign_in_url(request, session, return_to: target, qr: qr)
    end

    # The client of this controller's app (for user_detail, the JS-SDK...).
    def wechat_work_client = self.class.wechat_work_login_settings.client

    private

    def wechat_work_login_flow
      Flow.new(self.class.wechat_work_login_settings)
    end

    def wechat_work_find_user(identity)
      finder = self.class.wechat_work_login_settings.find_user
      finder ? instance_exec(identity, &finder) : identity
    end

    def wechat_work_login_failed(failure)
      target = self.class.wechat_work_login_settings.failure
      case target
      when nil then wechat_work_failure_page(failure)
      when String then redirect_to(Login.with_query(target, ERROR_PARAM => failure.reason))
      else
        instance_exec(failure, &target)
        wechat_work_failure_page(failure) unless performed?
      end
    end

    def wechat_work_failure_page(failure)
      html = failure.to_html
      render html: html.respond_to?(:html_safe) ? html.html_safe : html, status: failure.status
    end
  end
end
