# frozen_string_literal: true

require_relative "expectation"

module WechatWork
  module Testing
    # RSpec matchers (plain objects: they work with `expect { }.to` and `.not_to`).
    module Matchers
      # expect { InterviewMailer... }.to have_sent_wechat_work_message(to: "lilei", msgtype: :textcard, content: /Interview/)
      # Chain .once, .twice, .exactly(n).times to count.
      def have_sent_wechat_work_message(**criteria)
        HaveSentMessage.new(**criteria)
      end

      # expect { ScheduleInterview.call(...) }.to have_enqueued_wechat_work_delivery(to: "lilei", msgtype: :template_card)
      # Outbox rows (WechatWork.deliver_later) written by the block.
      def have_enqueued_wechat_work_delivery(**criteria)
        HaveSentMessage.new(source: :outbox, **criteria)
      end

      class HaveSentMessage
        def initialize(source: :sent, **criteria)
          @expectation = Expectation.new(**criteria)
          @count = nil
          @source = source
        end

        def supports_block_expectations? = true
        def supports_value_expectations? = false

        def once = exactly(1)
        def twice = exactly(2)

        def exactly(count)
          @count = count
          self
        end

        def times = self

        def matches?(block)
          @sent = @source == :outbox ? outbox_rows(&block) : sent_by(&block)
          @matching = @sent.select { |d| @expectation.matches?(d) }
          @count ? @matching.size == @count : !@matching.empty?
        end

        def does_not_match?(block)
          !matches?(block)
        end

        def description
          verb = @source == :outbox ? "enqueue" : "send"
          "#{verb} #{@expectation.description}#{" #{@count} time(s)" if @count}"
        end

        private

        def sent_by
          before = Testing.deliveries.size
          yield
          Testing.deliveries.drop(before)
        end

        # The outbox rows the block wrote, as deliveries (their stored message/send bodies).
        def outbox_rows
          last = WechatWork::Delivery.maximum(:id) || 0
          yield
          WechatWork::Delivery.where("id > ?", last).order(:id).map do |row|
            Testing::Delivery.new(app: row.app.to_sym, endpoint: "message/send", body: row.body, response: nil)
          end
        end

        public

        def failure_message
          if @count && !@matching.empty?
            "expected #{@expectation.description} #{@count} time(s), it was sent #{@matching.size} time(s)\n#{@expectation.mismatch(@sent)}"
          else
            "expected #{@expectation.description}\n#{@expectation.mismatch(@sent)}"
          end
        end

        def failure_message_when_negated
          "expected no #{@expectation.description.delete_prefix("a ")}, but sent:\n" +
            @matching.map { |d| "  #{@expectation.summary(d).inspect}" }.join("\n")
        end
      end
    end
  end
end
