# frozen_string_literal: true

# Minitest support: `require "wechat_work/minitest"` in test/test_helper.rb, then
# `include WechatWork::Testing::Assertions` in your test classes (ActiveSupport::TestCase
# includes it for you when ActiveSupport is loaded). Test mode is on for every test and the
# deliveries are cleared before each.
#
#   assert_wechat_work_messages(1) { notify(interview) }
#   assert_wechat_work_message(to: "lilei", msgtype: :textcard, content: /Interview/) { notify(interview) }
#   assert_no_wechat_work_messages { cancel(interview) }
#   assert_enqueued_wechat_work_delivery(to: "lilei", msgtype: :text) { schedule(interview) }  # WechatWork.deliver_later
require "wechat_work"
require "wechat_work/testing"
require "wechat_work/testing/expectation"
require "wechat_work/testing/capture"
require "wechat_work/testing/helpers"

module WechatWork
  module Testing
    module Assertions
      include Helpers

      def before_setup
        Testing.reset!
        Testing.enable!
        super
      end

      def after_teardown
        super
        Testing.reset!
      end

      # Exactly `count` messages are sent by the block.
      def assert_wechat_work_messages(count, message = nil, &block)
        expectation = Expectation.new({})
        capture = Capture.of(&block)
        sent = capture.sent
        msg = message || "expected #{count} WeCom message(s), " \
                         "#{sent.empty? ? expectation.mismatch(capture) : "#{sent.size} sent:\n#{expectation.listing(sent)}"}"
        assert_equal count, sent.size, msg
        sent
      end

      def assert_no_wechat_work_messages(message = nil, &block)
        assert_wechat_work_messages(0, message, &block)
      end

      # At least one message matching the criteria (to:, msgtype:, content:, app:, chat:) is sent.
      def assert_wechat_work_message(**criteria, &block)
        assert_wechat_work_found(Expectation.new(criteria, kind: Expectation::SENT), Capture.of(&block))
      end

      # At least one outbox row (WechatWork.deliver_later) matching the criteria is written by
      # the block. => the enqueued deliveries
      def assert_enqueued_wechat_work_delivery(**criteria, &block)
        assert_wechat_work_found(Expectation.new(criteria, kind: Expectation::ENQUEUED), Capture.of(outbox: :required, &block))
      end

      private

      def assert_wechat_work_found(expectation, capture)
        found = expectation.found_in(capture)
        assert found.any? { |d| expectation.matches?(d) }, "expected #{expectation.description}\n#{expectation.mismatch(capture)}"
        found
      end
    end
  end
end

if defined?(ActiveSupport::TestCase)
  ActiveSupport::TestCase.include(WechatWork::Testing::Assertions)
elsif defined?(ActiveSupport.on_load)
  ActiveSupport.on_load(:active_support_test_case) { include WechatWork::Testing::Assertions }
end
