# frozen_string_literal: true

# RSpec support: `require "wechat_work/rspec"` in spec/rails_helper.rb (or spec_helper.rb).
#
# * Turns on WechatWork's test mode for every example: nothing leaves the process, sends are
#   recorded (WechatWork::Testing.deliveries) and cleared between examples, calls are still
#   checked by the core.
# * Matchers: have_sent_wechat_work_message(to:, msgtype:, content:, app:, chat:),
#   have_enqueued_wechat_work_delivery(...) (outbox rows of WechatWork.deliver_later).
# * Helpers: wechat_work_deliveries, with_wechat_work_simulator { |sim| ... } (a real round
#   trip against the simulator, test mode off inside).
require "wechat_work"
require "wechat_work/testing"
require "wechat_work/testing/matchers"
require "wechat_work/testing/helpers"

RSpec.configure do |config|
  config.include WechatWork::Testing::Matchers
  config.include WechatWork::Testing::Helpers
  config.before do
    WechatWork::Testing.reset!
    WechatWork::Testing.enable!
  end
  config.after { WechatWork::Testing.reset! }
end
