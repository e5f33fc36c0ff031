# frozen_string_literal: true

require "rack"

# The simulator playing WeCom's side of callbacks against an app endpoint (the Rack app).
RSpec.describe WechatWork::Simulator, "#callback_sender" do
  token = "interviewToken"
  aes_key = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

  it "delivers signed, encrypted messages and events of its corp to an endpoint" do
    WechatWork::Simulator.run do |sim|
      seen = []
      cb = WechatWork::Callback.new(token: token, encoding_aes_key: aes_key, corp_id: sim.corp_id)
      router = WechatWork::Callback::Router.new(cb) do
        on(:text) { |msg| seen << [msg.from_user_name, msg.content]; reply_text "got #{msg.content}" }
        on(:event, "enter_agent") { |msg| seen << [msg.from_user_name, msg.event]; nil }
      end
      url = serve(WechatWork::Callback::RackApp.new(router))
      sender = sim.callback_sender(url: url, token: token, encoding_aes_key: aes_key)

      expect(sender.verify_url).to match(/\A\d+\z/)
      text = sender.deliver(content: "interview tomorrow?", from_user_name: "lilei")
      expect(text).to be_ok
      expect(text.reply.content).to eq("got interview tomorrow?")
      expect(sender.deliver(msg_type: "event", event: "enter_agent", from_user_name: "lilei")).to be_ok
      expect(seen).to eq([%w[lilei interview\ tomorrow?], %w[lilei enter_agent]])

      # An endpoint configured for another corp refuses the simulator's deliveries.
      other = WechatWork::Callback.new(token: token, encoding_aes_key: aes_key, corp_id: "ww-someone-else")
      strict = serve(WechatWork::Callback::RackApp.new(WechatWork::Callback::Router.new(other) { otherwise { nil } }))
      refused = sim.callback_sender(url: strict, token: token, encoding_aes_key: aes_key, retries: 0)
                   .deliver(content: "x")
      expect(refused).not_to be_ok
      expect(refused.status).to eq(400).or eq(403)
    end
  end

  it "signs with the real time, so an endpoint accepts its callbacks after the simulated clock moved on" do
    WechatWork::Simulator.run do |sim|
      seen = []
      cb = WechatWork::Callback.new(token: token, encoding_aes_key: aes_key, corp_id: sim.corp_id)
      router = WechatWork::Callback::Router.new(cb) { on(:text) { |msg| seen << msg.content; nil } }
      sender = sim.callback_sender(url: serve(WechatWork::Callback::RackApp.new(router)), token: token, encoding_aes_key: aes_key,
                                   retries: 0)
      sim.advance_time(2 * 24 * 3600) # tokens, codes and media expire; the endpoint's clock is unmoved
      expect(sender.verify_url).to match(/\A\d+\z/)
      expect(sender.deliver(content: "two days on")).to be_ok
      expect(seen).to eq(["two days on"])
    end
  end
end
