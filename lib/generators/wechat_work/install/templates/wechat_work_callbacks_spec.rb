# frozen_string_literal: true

require "rails_helper"
require "wechat_work/rspec"

# The callback endpoint (config/routes.rb: wechat_work_callback), called as WeCom calls it: a
# signed, encrypted POST with this app's callback settings (config/wechat_work.yml, test:).
RSpec.describe "WeCom callbacks", type: :request do
  it "greets a member who opens the app" do
    reply = post_wechat_work_callback(event: "enter_agent", from_user_name: "lilei")
    expect(response).to have_http_status(:ok)
    expect(reply.content).to eq("Welcome back, lilei")
  end

  it "refuses a callback that WeCom did not sign" do
    post "/wechat_work/callback?msg_signature=#{"0" * 40}&timestamp=#{Time.now.to_i}&nonce=1",
         params: "<xml><Encrypt>x</Encrypt></xml>", headers: { "CONTENT_TYPE" => "text/xml" }
    expect(response).to have_http_status(:forbidden)
  end

  it "sends through WeCom in test mode: nothing leaves the process" do
    expect { WechatWork.client.send_text(to: "lilei", content: "Interview today 15:00") }
      .to have_sent_wechat_work_message(to: "lilei", msgtype: :text, content: "15:00")
  end
end
