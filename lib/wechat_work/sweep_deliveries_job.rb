# frozen_string_literal: true

module WechatWork
  # Re-enqueues deliveries stuck in pending or sending: schedule it every minute (sidekiq-cron,
  # whenever, a cron running `rake wechat_work:deliveries:sweep`).
  class SweepDeliveriesJob < ::ActiveJob::Base
    queue_as { WechatWork::Outbox.queue }

    def perform(older_than = Outbox.stale_after)
      Outbox.sweep(older_than: older_than)
    end
  end
end
