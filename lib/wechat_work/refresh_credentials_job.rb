# frozen_string_literal: true

module WechatWork
  # Refreshes every configured app's access token (and JS-SDK tickets) ahead of expiry in the
  # shared store; schedule it every few minutes. Safe from several processes at once.
  class RefreshCredentialsJob < ::ActiveJob::Base
    queue_as { WechatWork::Outbox.queue }

    def perform(kinds = %w[access_token])
      Credentials.refresh_all(kinds.map(&:to_sym))
    end
  end
end
