# frozen_string_literal: true

require "cgi"

module WechatWork
  module Login
    # Why a sign-in did not finish. The Login concern and middleware hand it to your failure:
    # handler (or redirect to your failure path with ?wechat_work_error=<reason>); never a 500.
    #
    #   failure.reason    # => :invalid_code
    #   failure.message   # => "the sign-in code was already used or is older than 5 minutes ..."
    #   failure.error     # the WechatWork::Error behind it, if any
    #   failure.identity  # the OAuthUser, for :not_a_member and :rejected
    class Failure
      REASONS = {
        denied: "the member declined to sign in (WeCom sent no code)",
        invalid_code: "the sign-in code was already used or is older than 5 minutes (WeCom 40029): sign in again",
        missing_state: "the sign-in came back without its state",
        forged_state: "the sign-in was not started by this browser session (a forged link, or the session cookie was lost)",
        replayed_state: "this sign-in link was already used",
        expired_state: "the sign-in took too long: sign in again",
        not_a_member: "only members of the corp can sign in",
        rejected: "this member may not use the app",
        not_signed_in: "sign in with WeCom first (only pages are sent to sign in, not POSTs or XHRs)",
        misconfigured: "sign-in with WeCom is not configured correctly",
        wecom_error: "WeCom refused the sign-in",
        unavailable: "WeCom could not be reached: try again"
      }.freeze

      attr_reader :reason, :error, :identity, :retry_path

      def initialize(reason, error: nil, identity: nil, retry_path: nil)
        raise ::ArgumentError, "unknown sign-in failure #{reason.inspect}" unless REASONS.key?(reason)

        @reason = reason
        @error = error
        @identity = identity
        # A link on the failure page: a path of this app only, never another host.
        @retry_path = retry_path && Login.local_path(retry_path)
      end

      # What to tell the person (no codes, tickets or states).
      def message = REASONS.fetch(reason)

      # 401 for a request that needs sign-in but cannot be sent to it (a POST), else 403.
      def status = reason == :not_signed_in ? 401 : 403

      # For the logs: the reason, the WeCom error, who (userid or openid).
      def log_line
        who = identity && (identity.userid || identity.openid)
        line = +"[wechat_work] sign-in failed: #{reason} (#{message})"
        line << " for #{who}" if who
        line << ": #{error.class}: #{error.message}" if error
        line
      end

      def to_s = message

      def inspect = "#<#{self.class.name} reason=#{reason.inspect}#{" error=#{error.class}" if error}>"

      # The default failure page: the message and a link to try again.
      def to_html
        again = retry_path ? %(<p><a href="#{CGI.escapeHTML(retry_path)}">Sign in again</a></p>) : ""
        <<~HTML
          <!DOCTYPE html>
          <html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Sign-in failed</title></head>
          <body><h1>Sign-in with WeCom failed</h1><p>#{CGI.escapeHTML(message.sub(/\A./, &:upcase))}.</p>#{again}</body></html>
        HTML
      end
    end
  end
end
