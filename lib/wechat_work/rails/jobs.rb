# frozen_string_literal: true

module WechatWork
  # The outbox's ActiveJob jobs (they run on Sidekiq with `config.active_job.queue_adapter =
  # :sidekiq`). WeCom's answers never raise out of them: the outbox row records the outcome and
  # schedules the next attempt itself.
  class DeliveryJob < ::ActiveJob::Base
    queue_as { WechatWork::Outbox.queue }

    def perform(delivery_id)
      Outbox.perform(delivery_id)
    end
  end

  # Re-enqueues deliveries stuck in pending or sending: schedule it every minute (sidekiq-cron,
  # whenever, a cron running `rake wechat_work:deliveries:sweep`).
  class SweepDeliveriesJob < ::ActiveJob::Base
    queue_as { WechatWork::Outbox.queue }

    def perform(older_than = Outbox.stale_after)
      Outbox.sweep(older_than: older_than)
    end
  end

  # Refreshes every configured app's access token (and JS-SDK tickets) ahead of expiry in the
  # shared store; schedule it every few minutes. Safe from several processes at once.
  class RefreshCredentialsJob < ::ActiveJob::Base
    queue_as { WechatWork::Outbox.queue }

    def perform(kinds = %w[access_token])
      Credentials.refresh_all(kinds.map(&:to_sym))
    end
  end
end
