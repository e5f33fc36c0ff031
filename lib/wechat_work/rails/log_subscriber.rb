# frozen_string_literal: true

require "active_support/log_subscriber"

module WechatWork
  module Rails
    # Log lines for WechatWork's events, in the style of ActionMailer's:
    #   WeCom message/send (12.4ms) errcode=0
    #   Delivered WeCom textcard, delivery 42 (msgid vcT8...)
    #   WeCom callback: POST text message from lilei answered 200 (3.1ms)
    #   WeCom callback: POST refused 403: signature mismatch (check callback_token of app :default: ...) (1.2ms)
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

      # A refusal is a warning: it says why and what to check (never a secret, never the body).
      def callback(event)
        p = event.payload
        line = -> { "WeCom callback: #{p[:method] || "POST"} #{callback_outcome(p)} (#{event.duration.round(1)}ms)" }
        p[:refusal] || p[:exception] ? warn(&line) : info(&line)
      end

      private

      def callback_outcome(payload)
        return "refused #{payload[:status]}: #{payload[:refusal]}" if payload[:refusal]
        return "failed (#{payload[:exception].join(": ")})" if payload[:exception]

        "#{payload[:message]} answered #{payload[:status]}#{" (retry, not dispatched again)" if payload[:duplicate]}"
      end
    end
  end
end
