# frozen_string_literal: true

require "uri"

module WechatWork
  class Client
    # Signing in from WeCom and the JS-SDK (docs/wecom/signin-and-jssdk.md): the sign-in URLs,
    # the code exchange, the member's private details, and the configs of wx.config /
    # wx.agentConfig with their tickets cached like the access token.
    #
    #   state = WechatWork::OAuthState.new(session).generate(return_to: "/interviews")
    #   redirect_to client.oauth_authorize_url(redirect_uri: callback_url, state: state)  # inside WeCom
    #   redirect_to client.qr_login_url(redirect_uri: callback_url, state: state)         # a laptop
    #   # back at callback_url?code=...&state=...
    #   who = client.user_from_code(params[:code])    # => OAuthUser (userid, or openid)
    #
    # WechatWork::Login does all of this for a Rails controller or a Rack app.
    #
    # Hosts: the sign-in URLs are WeCom's (open.weixin.qq.com, login.work.weixin.qq.com) for
    # every base_url except one on this machine (a loopback address or localhost: the
    # simulator), where they are built on base_url so a client pointed at the simulator signs
    # in there. Never on any other base_url (a proxy, a leftover WECHAT_WORK_BASE_URL): the
    # browser's sign-in would move there. host: :base_url asks for that explicitly.
    module Identity
      include Arguments::Keywords

      OAUTH_HOST = "https://open.weixin.qq.com"
      QR_LOGIN_HOST = "https://login.work.weixin.qq.com"
      SCOPES = { base: "snsapi_base", private_info: "snsapi_privateinfo" }.freeze
      # WeCom's rule for state: [a-zA-Z0-9], at most 128 bytes
      # (docs/wecom/signin-and-jssdk.md#state).
      STATE_FORMAT = /\A[a-zA-Z0-9]{1,128}\z/
      QR_LANGS = %w[zh en].freeze
      # What the sign-in URLs' required keywords are for.
      REDIRECT_URI = "where WeCom sends the member back, with ?code=...&state=... (on the app's trusted domain)"
      STATE = "this sign-in's state, from WechatWork::OAuthState#generate, checked when the member comes back"

      # The OAuth URL to open inside WeCom's browser: WeCom redirects to
      # redirect_uri?code=CODE&state=STATE. scope: :base (who the member is, silently) or
      # :private_info (the member consents; the answer has a user_ticket for #user_detail).
      # The redirect URI's domain must be the app's trusted domain (可信域名), port included.
      # host: nil (WeCom's, or a loopback base_url's; see above), :wecom, :base_url, or a URL
      # like "https://open.weixin.qq.com".
      required_keywords :oauth_authorize_url, redirect_uri: REDIRECT_URI, state: STATE
      def oauth_authorize_url(redirect_uri: required(binding), state: required(binding), scope: :base, host: nil)
        query = [["appid", corp_id], ["redirect_uri", sign_in_redirect_uri(redirect_uri)], %w[response_type code],
                 ["scope", oauth_scope(scope)], ["state", sign_in_state(state)], ["agentid", sign_in_agent_id]]
        "#{sign_in_host(OAUTH_HOST, host)}/connect/oauth2/authorize?#{sign_in_query(query)}#wechat_redirect"
      end

      # The web login URL for a normal browser (the member scans a QR code with WeCom, or
      # confirms in the WeCom desktop app): login_type=CorpApp, for a self-built app. The code
      # it returns never comes with a user ticket. lang: "zh" or "en".
      required_keywords :qr_login_url, redirect_uri: REDIRECT_URI, state: STATE
      def qr_login_url(redirect_uri: required(binding), state: required(binding), host: nil, lang: nil)
        query = [%w[login_type CorpApp], ["appid", corp_id], ["agentid", sign_in_agent_id],
                 ["redirect_uri", sign_in_redirect_uri(redirect_uri)], ["state", sign_in_state(state)]]
        if lang
          raise ::ArgumentError, "lang: must be \"zh\" or \"en\", got #{lang.inspect}" unless QR_LANGS.include?(lang.to_s)

          query << ["lang", lang.to_s]
        end
        "#{sign_in_host(QR_LOGIN_HOST, host)}/wwlogin/sso/login?#{sign_in_query(query)}"
      end

      # Exchanges the code WeCom put in the redirect (auth/getuserinfo). => OAuthUser: a member's
      # userid (and user_ticket with scope :private_info), or openid / external_userid for
      # someone who is not a member. A code works once, for 5 minutes: a used, expired or
      # forged one raises InvalidCodeError (40029). A code from the sign-in URL of another app
      # raises PermissionError (50001): exchange it with that app's client.
      # The OAuthUser carries this client's corp_id: a userid is unique only within its corp.
      def user_from_code(code)
        OAuthUser.from_answer(call("auth/getuserinfo", code: Arguments.string!(code, "code")), corp_id: corp_id)
      end

      # The member's private details (auth/getuserdetail): userid, gender, avatar, qr_code,
      # mobile, email, biz_mail, address, as the member agreed to share them. user_ticket: the
      # OAuthUser of a :private_info sign-in, or its user_ticket (valid 30 minutes; 84014 after).
      def user_detail(user_ticket)
        ticket = user_ticket.respond_to?(:user_ticket) ? user_ticket.user_ticket : user_ticket
        if ticket.nil?
          raise ::ArgumentError, "user_ticket is missing: only a sign-in with scope: :private_info inside WeCom " \
                                 "comes with one (the web login and scope: :base do not)"
        end
        call("auth/getuserdetail", user_ticket: Arguments.string!(ticket, "user_ticket"))
      end

      # The corp's JS-SDK ticket (for wx.config), cached like the access token: per corp and
      # secret, single flight, refreshed before it expires, in token_store: when configured.
      def jsapi_ticket
        credential(:jsapi_ticket)
      end

      # This app's JS-SDK ticket (for wx.agentConfig), cached per corp, secret and agent id.
      def agent_ticket
        credential(:agent_ticket)
      end

      # What wx.config takes, signed for the page at url (its #fragment is not signed):
      #   { beta: true, debug: false, appId:, timestamp:, nonceStr:, signature:, jsApiList: }
      # refresh: when the page reported the signature invalid: true drops the ticket this call
      # reads (unless it was replaced meanwhile) and fetches a new one, once; a fingerprint
      # (JsSdk.fingerprint, what the page reports) drops the ticket only if it is still that one,
      # so old pages and many pages reporting at once cause one fetch. Anyone can report, so
      # either is honoured only for a ticket js_sdk_refresh_min_age old (5 minutes), at most
      # once per js_sdk_refresh_interval (10 minutes) per app (JsSdk::RefreshGuard); otherwise
      # the cached ticket is used.
      required_keywords :js_sdk_config, url: "the full URL of the page that calls wx.config (its #fragment is not signed)"
      def js_sdk_config(url: required(binding), js_api_list: [], debug: false, refresh: false, timestamp: nil, nonce_str: nil)
        ticket = js_sdk_ticket(:jsapi_ticket, refresh)
        signed = js_sdk_signed(ticket, url, timestamp, nonce_str)
        { beta: true, debug: debug ? true : false, appId: corp_id, timestamp: signed[:timestamp],
          nonceStr: signed[:nonceStr], signature: signed[:signature], jsApiList: js_api_names(js_api_list) }
      end

      # What wx.agentConfig takes, signed with this app's ticket (the page's domain must be one
      # of the app's trusted domains): { corpid:, agentid:, timestamp:, nonceStr:, signature:, jsApiList: }.
      # refresh: as for #js_sdk_config.
      required_keywords :agent_config, url: "the full URL of the page that calls wx.agentConfig (its #fragment is not signed)"
      def agent_config(url: required(binding), js_api_list: [], refresh: false, timestamp: nil, nonce_str: nil)
        sign_in_agent_id
        ticket = js_sdk_ticket(:agent_ticket, refresh)
        signed = js_sdk_signed(ticket, url, timestamp, nonce_str)
        { corpid: corp_id, agentid: agent_id.to_s, timestamp: signed[:timestamp], nonceStr: signed[:nonceStr],
          signature: signed[:signature], jsApiList: js_api_names(js_api_list) }
      end

      private

      # The cached ticket; after a report that it is invalid, a new one (compare-and-drop),
      # if the refresh guard allows one now.
      def js_sdk_ticket(kind, refresh)
        ticket = credential(kind)
        case refresh
        when false, nil then return ticket
        when true then nil
        when String then return ticket unless JsSdk.fingerprint(ticket) == refresh
        else raise ::ArgumentError, "refresh: must be true, false or a ticket fingerprint String, got #{refresh.inspect}"
        end
        return ticket if testing?
        return ticket unless @js_sdk_refresh.allow?(@native._credential_key(kind.to_s), @native._credential_fetched_at(kind.to_s))

        @native._invalidate(kind.to_s, ticket)
        credential(kind)
      end

      def js_sdk_signed(ticket, url, timestamp, nonce_str)
        page = Arguments.string!(url, "url")
        unless page.start_with?("http://", "https://")
          raise ::ArgumentError, "url must be the page's full URL (http(s)://host/path?query), got #{page.inspect}"
        end

        time = timestamp.nil? ? Time.now.to_i : Arguments.unix_time!(timestamp, "timestamp")
        nonce = nonce_str.nil? ? JsSdk.nonce : Arguments.string!(nonce_str, "nonce_str")
        { timestamp: time, nonceStr: nonce,
          signature: JsSdk.signature(ticket: ticket, noncestr: nonce, timestamp: time, url: page) }
      end

      def js_api_names(list)
        raise ::ArgumentError, "js_api_list must be an Array of JS-SDK API names, got #{list.inspect}" unless list.is_a?(Array)

        list.map { |name| Arguments.string!(name, "js_api_list (an API name)") }
      end

      def oauth_scope(scope)
        return SCOPES[scope.to_sym] if (scope.is_a?(Symbol) || scope.is_a?(String)) && SCOPES.key?(scope.to_sym)
        return scope if SCOPES.value?(scope)

        raise ::ArgumentError, "scope: must be :base (snsapi_base) or :private_info (snsapi_privateinfo), got #{scope.inspect}"
      end

      def sign_in_state(state)
        return state if state.is_a?(String) && state.match?(STATE_FORMAT)

        raise ::ArgumentError, "state must be 1 to 128 letters and digits (WeCom's rule), unique per sign-in and " \
                               "kept in the session: use WechatWork::OAuthState; got #{state.inspect}"
      end

      def sign_in_redirect_uri(uri)
        text = Arguments.string!(uri, "redirect_uri")
        return text if text.match?(%r{\Ahttps?://[^/?#\s]+}i) && !text.match?(/\s/)

        raise ::ArgumentError, "redirect_uri must be an absolute http(s) URL on the app's trusted domain, got #{text.inspect}"
      end

      def sign_in_agent_id
        return agent_id if agent_id

        raise ConfigurationError, "sign-in and wx.agentConfig need the app's agent_id (agent_id: or WECHAT_WORK_AGENT_ID)"
      end

      def sign_in_host(official, host)
        case host
        when nil then Native.loopback_base_url?(base_url) ? base_url.chomp("/") : official
        when :wecom then official
        when :base_url then base_url.chomp("/")
        when String
          return host.chomp("/") if host.match?(%r{\Ahttps?://[^/?#\s]+/?\z}i)

          raise ::ArgumentError, "host: must be a scheme and host like #{official.inspect}, got #{host.inspect}"
        else raise ::ArgumentError, "host: must be nil, :wecom, :base_url or a URL String, got #{host.inspect}"
        end
      end

      # name=value pairs, values percent-encoded (spaces as %20: WeCom decodes redirect_uri once).
      def sign_in_query(pairs)
        pairs.map { |k, v| "#{k}=#{URI.encode_www_form_component(v.to_s).gsub("+", "%20")}" }.join("&")
      end
    end
  end
end
