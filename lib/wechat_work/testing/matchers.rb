# frozen_string_literal: true

require_relative "expectation"
require_relative "capture"

module WechatWork
  module Testing
    # RSpec matchers (plain objects: they work with `expect { }.to` and `.not_to`).
    module Matchers
      # expect { InterviewMailer... }.to have_sent_wechat_work_message(to: "lilei", msgtype: :textcard, content: /Interview/)
      # Chain .once, .twice, .exactly(n).times to count.
      def have_sent_wechat_work_message(**criteria)
        HaveSentMessage.new(criteria, kind: Expectation::SENT)
      end

      # expect { ScheduleInterview.call(...) }.to have_enqueued_wechat_work_delivery(to: "lilei", msgtype: :template_card)
      # Outbox rows (WechatWork.deliver_later) written by the block.
      def have_enqueued_wechat_work_delivery(**criteria)
        HaveSentMessage.new(criteria, kind: Expectation::ENQUEUED)
      end

      class HaveSentMessage
        def initialize(criteria, kind:)
          @expectation = Expectation.new(criteria, kind: kind)
          @kind = kind
          @count = nil
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
          @capture = Capture.of(outbox: @kind == Expectation::ENQUEUED ? :required : :if_present, &block)
          @matching = @expectation.found_in(@capture).select { |d| @expectation.matches?(d) }
          @count ? @matching.size == @count : !@matching.empty?
        end

        def does_not_match?(block)
          !matches?(block)
        end

        def description
          "#{@expectation.action}#{" #{@count} time(s)" if @count}"
        end

        def failure_message
          if @count && !@matching.empty?
            "expected #{@expectation.description} #{@count} time(s), it was #{@kind.done} #{@matching.size} time(s); " \
              "#{@expectation.mismatch(@capture, counting: true)}"
          else
            "expected #{@expectation.description}\n#{@expectation.mismatch(@capture)}"
          end
        end

        def failure_message_when_negated
          "expected no #{@expectation.subject}, but the block #{@kind.done} #{@kind.count(@matching.size)}:\n" \
            "#{@expectation.listing(@matching)}"
        end
      end
    end
  end
end
