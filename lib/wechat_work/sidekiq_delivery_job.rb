# frozen_string_literal: true

require "sidekiq"

module WechatWork
  # The outbox's job for apps that use Sidekiq without ActiveJob:
  #   WechatWork::Outbox.job_adapter = :sidekiq
  class SidekiqDeliveryJob
    include ::Sidekiq::Worker

    # Sidekiq's own retries only cover a crash before the outbox recorded anything; WeCom's
    # transient failures are rescheduled by the outbox itself.
    sidekiq_options queue: "default", retry: 5

    def perform(delivery_id)
      Outbox.perform(delivery_id)
    end
  end
end
