# frozen_string_literal: true

module WechatWork
  # Keeps every configured app's credentials fresh in the shared store.
  module Credentials
    DEFAULT_AHEAD = 600

    module_function

    # For every configured app: { app => { access_token: { fetched:, expires_in: } } }. An app
    # that fails (a wrong secret) is reported and the others still refresh.
    def refresh_all(kinds = [:access_token], ahead: DEFAULT_AHEAD)
      WechatWork.configuration.app_names.to_h do |name|
        result = begin
          client = WechatWork.client(name)
          wanted = kinds.reject { |k| k == :agent_ticket && client.agent_id.nil? }
          client.refresh_credentials!(wanted, ahead: ahead)
        rescue Error => e
          WechatWork.warn("refreshing #{name}'s credentials failed: #{e.class}: #{e.message}")
          { error: e }
        end
        [name, result]
      end
    end
  end
end
