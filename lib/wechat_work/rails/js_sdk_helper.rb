# frozen_string_literal: true

require "cgi"

module WechatWork
  module Rails
    # A view helper for the JS-SDK: the <script> tags that load WeCom's JS-SDK and call
    # wx.config (and wx.agentConfig), signed for the page being rendered.
    #
    #   <%= wechat_work_js_sdk js_api_list: %w[openEnterpriseChat scanQRCode], agent_config: true %>
    #   <script>
    #     document.addEventListener("wechat_work:ready", function () {
    #       wx.invoke("openEnterpriseChat", { userIds: "lilei", groupName: "" }, function () {});
    #     });
    #   </script>
    #
    # The URL signed is request.original_url: the page's URL as the browser has it (behind a
    # proxy, Rails must see the original host and scheme: config.hosts / X-Forwarded-*). When
    # WeCom rejects the signature (a ticket revoked early), the page reloads once with
    # ?wechat_work_ticket=<fingerprint> and this helper fetches a new ticket (compare-and-drop:
    # once per ticket, however many pages report it), within the client's refresh limits
    # (JsSdk::RefreshGuard: anyone can report, so not for a ticket younger than 5 minutes, and
    # at most once every 10 minutes).
    #
    # Included in controllers that include WechatWork::Login, and in every view by the Railtie.
    module JsSdkHelper
      # js_api_list: APIs for wx.config; agent_config: also wx.agentConfig (with
      # agent_js_api_list:, default the same list); app:/client: which app (default: the
      # controller's Login app, else the default app); sdk: false to leave out the
      # <script src> tags; nonce: true for Rails' CSP nonce (content_security_policy_nonce), or
      # the nonce String;
      # recover: false to never reload; url: the page URL when it is not request.original_url.
      def wechat_work_js_sdk(js_api_list: [], agent_config: false, agent_js_api_list: nil, app: nil, client: nil,
                             debug: false, sdk: true, nonce: false, recover: true, url: nil)
        client ||= wechat_work_js_sdk_client(app)
        url ||= request.original_url
        reported = request.GET[JsSdk::REFRESH_PARAM]
        reported = nil unless reported.is_a?(String) && reported.match?(/\A\h{16}\z/)
        config = client.js_sdk_config(url: url, js_api_list: js_api_list, debug: debug, refresh: reported || false)
        agent = if agent_config
                  client.agent_config(url: url, js_api_list: agent_js_api_list || js_api_list, refresh: reported || false)
                end
        script = JsSdk.script(config: config, agent_config: agent, recover: recover,
                              ticket_fingerprint: JsSdk.fingerprint(client.jsapi_ticket),
                              agent_ticket_fingerprint: agent && JsSdk.fingerprint(client.agent_ticket))
        nonce = content_security_policy_nonce if nonce == true && respond_to?(:content_security_policy_nonce)
        attribute = nonce.is_a?(String) && !nonce.empty? ? %( nonce="#{CGI.escapeHTML(nonce)}") : ""
        tags = []
        if sdk
          tags << %(<script src="#{JsSdk::JWEIXIN_URL}"#{attribute}></script>)
          tags << %(<script src="#{JsSdk::JWXWORK_URL}"#{attribute}></script>) if agent_config
        end
        tags << "<script#{attribute}>\n#{script}\n</script>"
        html = tags.join("\n")
        html.respond_to?(:html_safe) ? html.html_safe : html
      end

      private

      def wechat_work_js_sdk_client(app)
        return WechatWork.client(app) if app

        owner = respond_to?(:controller) ? controller : self
        owner.respond_to?(:wechat_work_client) ? owner.wechat_work_client : WechatWork.client
      end
    end
  end
end
