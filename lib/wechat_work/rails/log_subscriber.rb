# frozen_string_literal: true

require "active_support/log_subscriber"

module WechatWork
  module Rails
    # Log lines for WechatWork's events, in the style of ActionMailer's:
    #   WeCom message/send (12.4ms) errcode=0
    #   Delivered WeCom textcard, delivery 42 (msgid vcT8...)
    #   WeCom callback: text message from lilei answered 200 (3.1ms)
    class LogSubscriber < ::ActiveSupport::LogSubscriber
      def request(event)
        debug do
          p = event.payload
          failed = p[:exception] ? " #{p[:exception].first}" : ""
          "  WeCom #{p[:endpoint]} (#{event.duration.round(1)}ms) errcode=#{p[:errcode].inspect}" \
            "#{" attempts=#{p[:attempts].size}" if p[:attempts] && p[:attempts].size > 1}#{failed}"
        end
      end

      def deliver(event)
        info do
          p = event.payload
          outcome = p[:exception] ? "failed (#{p[:exception].join(": ")})" : "delivered"
          "WeCom #{p[:msgtype]} #{outcome}, delivery #{p[:delivery_id]} attempt #{p[:attempt]} (#{event.duration.round(1)}ms)"
        end
      end

      def callback(event)
        info do
          p = event.payload
          "WeCom callback: #{p[:message]} answered #{p[:status]}#{" (retry, not dispatched again)" if p[:duplicate]} " \
            "(#{event.duration.round(1)}ms)"
        end
      end
    end
  end
end
