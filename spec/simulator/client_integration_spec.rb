# frozen_string_literal: true

# The gem's own client against the simulator (the other simulator specs use plain net/http).
RSpec.describe "WechatWork::Client against the simulator" do
  around do |example|
    WechatWork::Simulator.run do |sim|
      @sim = sim
      example.run
    end
  end
  let(:sim) { @sim }
  let(:client) do
    WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret, agent_id: sim.agent_id,
                           base_url: sim.base_url, timeout: 10)
  end

  it "delivers a text message" do
    client.send_text(to: "zhangsan", content: "hello")
    expect(sim.messages.map { |m| m.dig("text", "content") }).to eq(["hello"])
  end

  it "retries a send whose answer was lost without delivering it twice" do
    sim.inject(:deliver_then_fail, status: 502, path: "message/send")
    client.send_text(to: "zhangsan", content: "exactly once")
    expect(sim.request_count("message/send")).to eq(2)
    expect(sim.messages.map { |m| m.dig("text", "content") }).to eq(["exactly once"])
  end

  it "refetches the token after revoke_tokens!" do
    client.send_text(to: "zhangsan", content: "one")
    sim.revoke_tokens!
    client.send_text(to: "zhangsan", content: "two")
    expect(sim.request_count("gettoken")).to eq(2)
    expect(sim.requests.map { |r| r["errcode"] }).to include(40014)
    expect(sim.messages.size).to eq(2)
  end
end
