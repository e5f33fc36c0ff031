# frozen_string_literal: true

require "test_helper"
require "wechat_work/minitest"

# The callback endpoint (config/routes.rb: wechat_work_callback), called as WeCom calls it: a
# signed, encrypted POST with this app's callback settings (config/wechat_work.yml, test:).
class WechatWorkCallbacksTest < ActionDispatch::IntegrationTest
  test "greets a member who opens the app" do
    reply = post_wechat_work_callback(event: "enter_agent", from_user_name: "lilei")
    assert_response :ok
    assert_equal "Welcome back, lilei", reply.content
  end

  test "refuses a callback that WeCom did not sign" do
    post "/wechat_work/callback?msg_signature=#{"0" * 40}&timestamp=#{Time.now.to_i}&nonce=1",
         params: "<xml><Encrypt>x</Encrypt></xml>", headers: { "CONTENT_TYPE" => "text/xml" }
    assert_response :forbidden
  end

  test "sends through WeCom in test mode: nothing leaves the process" do
    assert_wechat_work_message(to: "lilei", msgtype: :text, content: "15:00") do
      WechatWork.client.send_text(to: "lilei", content: "Interview today 15:00")
    end
  end
end
