# frozen_string_literal: true

require "json"
require "securerandom"
require "digest"
require_relative "js_sdk/refresh_guard"

module WechatWork
  # The JS-SDK's signature (path/96909), and the <script> that configures it on a page. The
  # configs themselves come from the client (Client#js_sdk_config, Client#agent_config), which
  # caches the tickets; the Rails helper (WechatWork::Rails::JsSdkHelper) puts both together.
  module JsSdk
    # WeCom's JS-SDK files (docs/wecom/signin-and-jssdk.md#js-sdk-on-the-page): wx.config needs
    # jweixin, wx.agentConfig jwxwork.
    JWEIXIN_URL = "https://res.wx.qq.com/open/js/jweixin-1.2.0.js"
    JWXWORK_URL = "https://open.work.weixin.qq.com/wwopen/js/jwxwork-1.0.0.js"

    # The query parameter a page adds when it reloads after WeCom rejected its signature.
    REFRESH_PARAM = "wechat_work_ticket"

    extend Arguments::Keywords
    module_function

    # hex(sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…")), with the URL's #fragment
    # dropped (WeCom signs the page URL without it). Computed in the Rust core.
    #   WechatWork::JsSdk.signature(ticket: t, noncestr: "Wm3WZYTPz0wzccnW", timestamp: 1414587457,
    #                               url: "http://mp.weixin.qq.com?params=value")
    #   # => "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    required_keywords :signature,
                      ticket: "the JS-SDK ticket: client.jsapi_ticket (wx.config) or client.agent_ticket (wx.agentConfig)",
                      noncestr: "the nonceStr the page gives wx.config",
                      timestamp: "the timestamp the page gives wx.config (Unix seconds)",
                      url: "the page's URL (its #fragment is not signed)"
    def signature(ticket: required(binding), noncestr: required(binding), timestamp: required(binding), url: required(binding))
      Native.js_sdk_signature(Arguments.string!(ticket, "ticket"), Arguments.string!(noncestr, "noncestr"),
                              Arguments.positive_integer!(timestamp, "timestamp").to_s, Arguments.string!(url, "url"))
    end

    # The URL as WeCom signs it: everything before "#".
    def signed_url(url) = url.to_s.split("#", 2).first.to_s

    # A nonceStr: letters and digits.
    def nonce = SecureRandom.alphanumeric(16)

    # A short digest naming a ticket without revealing it: a page reports it back when WeCom
    # rejects its signature, so the server drops that ticket only if it is still the cached one.
    def fingerprint(ticket) = Digest::SHA256.hexdigest(ticket.to_s)[0, 16]

    # The inline script that calls wx.config (and, with agent_config:, wx.agentConfig once
    # wx.config is ready), with JSON escaped for a <script> element. On a signature or ticket
    # error it reloads the page once with ?wechat_work_ticket=<fingerprint>, so the server
    # fetches a new ticket (see Client#js_sdk_config's refresh:). It fires the DOM events
    # "wechat_work:ready" and "wechat_work:error" (detail: WeCom's result) on document.
    required_keywords :script, config: "what wx.config takes: client.js_sdk_config(url: ...)"
    def script(config: required(binding), agent_config: nil, ticket_fingerprint: nil, agent_ticket_fingerprint: nil,
               recover: true)
      data = { config: config, agentConfig: agent_config, ticket: ticket_fingerprint,
               agentTicket: agent_ticket_fingerprint, param: REFRESH_PARAM, recover: recover ? true : false }
      <<~JS.strip
        (function () {
          var s = #{json_for_script(data)};
          function emit(name, detail) {
            try { document.dispatchEvent(new CustomEvent("wechat_work:" + name, { detail: detail })); } catch (e) {}
          }
          function recover(res, fingerprint) {
            var msg = String((res && res.errMsg) || "");
            if (!s.recover || !fingerprint || !/signature|ticket/i.test(msg)) return false;
            if (location.search.indexOf(s.param + "=") !== -1) return false;
            var href = location.href.split("#")[0];
            var sep = href.indexOf("?") === -1 ? "?" : (/[?&]$/.test(href) ? "" : "&");
            location.replace(href + sep + s.param + "=" + encodeURIComponent(fingerprint) + location.hash);
            return true;
          }
          wx.error(function (res) { if (!recover(res, s.ticket)) emit("error", res); });
          wx.config(s.config);
          wx.ready(function () {
            if (!s.agentConfig) { emit("ready", {}); return; }
            var c = {};
            for (var k in s.agentConfig) { if (Object.prototype.hasOwnProperty.call(s.agentConfig, k)) c[k] = s.agentConfig[k]; }
            c.success = function (res) { emit("ready", res); };
            c.fail = function (res) { if (!recover(res, s.agentTicket)) emit("error", res); };
            wx.agentConfig(c);
          });
        })();
      JS
    end

    # JSON safe inside a <script> element: <, >, & and the JS line separators escaped, so no
    # value can close the element or break the string.
    def json_for_script(value)
      JSON.generate(value).gsub(/[<>&\u2028\u2029]/) { |c| format("\\u%04x", c.ord) }
    end
  end
end
