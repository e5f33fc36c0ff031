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
  # scope: :private_info) and once per later request (identity.userid from the session); nil
  # refuses the member. Helpers (controllers and views): current_wechat_work_user,
  # current_wechat_work_userid, wechat_work_signed_in?, wechat_work_sign_in_url,
  # sign_out_wechat_work, and wechat_work_js_sdk (Rails::JsSdkHelper). Options: Login::Settings.
  #
  # Failures (declined, a used or expired code, a forged, replayed or expired state, a
  # non-member, WeCom unreachable) are logged and land on your failure: page, never a 500.
  module Login
    USERID_KEY = "wechat_work.userid"
    APP_KEY = "wechat_work.app"
    SIGNED_IN_AT_KEY = "wechat_work.signed_in_at"
    # Where a failure path gets the reason.
    ERROR_PARAM = "wechat_work_error"
    HELPERS = %i[current_wechat_work_user current_wechat_work_userid wechat_work_signed_in? wechat_work_sign_in_url].freeze

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

      # The signed-in member's userid in this session, or nil.
      def userid(session)
        value = session[USERID_KEY]
        value.is_a?(String) && !value.empty? ? value : nil
      end

      # Forgets the member (and nothing else in the session).
      def sign_out(session)
        [USERID_KEY, APP_KEY, SIGNED_IN_AT_KEY].each { |key| session.delete(key) }
        nil
      end

      # A path of this app: "/..." but not "//host" (no open redirect), no line breaks.
      def local_path?(path)
        path.is_a?(String) && path.start_with?("/") && !path.start_with?("//", "/\\") && !path.match?(/[\r\n]/)
      end

      # path with more query parameters.
      def with_query(path, params)
        query = URI.encode_www_form(params)
        path.include?("?") ? "#{path}&#{query}" : "#{path}?#{query}"
      end
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
      when :redirect then redirect_to(outcome.location, allow_other_host: true)
      else wechat_work_login_failed(outcome.failure)
      end
    end

    # The app's user for the signed-in member (your block's answer), or nil.
    def current_wechat_work_user
      return @current_wechat_work_user if defined?(@current_wechat_work_user)

      userid = current_wechat_work_userid
      @current_wechat_work_user = userid && wechat_work_find_user(OAuthUser.from_session(userid))
    end

    def current_wechat_work_userid
      @current_wechat_work_userid ||= Login.userid(session)
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
      target = return_to || request.GET["return_to"]
      target = "/" unless Login.local_path?(target)
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
