# frozen_string_literal: true

module WechatWork
  class Client
    # WeCom's IP ranges, for firewall allow-lists. WeCom changes them with an overlap period:
    # refresh daily (a cron job), not once.
    module Operations
      # The addresses WeCom calls your callback URL from: ["182.254.11.176", "101.226.103.*", ...]
      def callback_ips
        Array(call("getcallbackip")["ip_list"])
      end

      # The addresses of qyapi.weixin.qq.com, for egress rules.
      def api_domain_ips
        Array(call("get_api_domain_ip")["ip_list"])
      end
    end
  end
end
