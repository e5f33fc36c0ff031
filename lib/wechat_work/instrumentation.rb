# frozen_string_literal: true

module WechatWork
  # Publishes "request.wechat_work" through ActiveSupport::Notifications when it is loaded and
  # someone subscribes; costs nothing otherwise. The payload: method, path, attempt, status,
  # errcode, duration (seconds), outcome, corp_id, agent_id. Never a token or a secret.
  module Instrumentation
    EVENT = "request.wechat_work"

    module_function

    def listening?
      defined?(ActiveSupport::Notifications) && ActiveSupport::Notifications.notifier.listening?(EVENT)
    end

    def instrument(payload)
      return unless listening?

      ActiveSupport::Notifications.instrument(EVENT, payload)
    end
  end
end
