# frozen_string_literal: true

module WechatWork
  # The outbox's ActiveJob job (it runs on Sidekiq with `config.active_job.queue_adapter =
  # :sidekiq`). WeCom's answers never raise out of it: the outbox row records the outcome and
  # schedules the next attempt itself.
  class DeliveryJob < ::ActiveJob::Base
    queue_as { WechatWork::Outbox.queue }

    def perform(delivery_id)
      Outbox.perform(delivery_id)
    end
  end
end
