# frozen_string_literal: true

require "rack/test"
require "wechat_work/testing/helpers"

H = CallbackHelpers unless defined?(H)

# post_wechat_work_callback over Rack::Test, against an endpoint checking the timestamp window.
RSpec.describe WechatWork::Testing::Helpers, "#post_wechat_work_callback" do
  include Rack::Test::Methods
  include WechatWork::Testing::Helpers

  let(:app) do
    router = WechatWork::Callback::Router.new(WechatWork::Callback.new(:default)) do
      on(:text) { |msg| reply_text "you said #{msg.content}" }
    end
    WechatWork::Callback::RackApp.new(router)
  end

  before do
    WechatWork.configure do |c|
      c.corp_id = H::CORP
      c.agent_id = 1_000_002
      c.callback_token = H::TOKEN
      c.encoding_aes_key = H::KEY
    end
  end

  after { WechatWork.reset! }

  it "posts a callback signed now, which the endpoint's window accepts" do
    expect(post_wechat_work_callback("/", content: "hello").content).to eq("you said hello")
    expect(last_request.params["timestamp"].to_i).to be_within(5).of(Time.now.to_i)
  end

  it "follows a travelled clock (travel_to moves Time.now for the sender and the endpoint alike)" do
    allow(Time).to receive(:now).and_return(Time.at(4_000_000_000))
    expect(post_wechat_work_callback("/", content: "from the future").content).to eq("you said from the future")
    expect(last_request.params["timestamp"]).to eq("4000000000")
  end
end
