# frozen_string_literal: true

# The gem's own client against the simulator (the other simulator specs use plain net/http).
RSpec.describe "WechatWork::Client against the simulator" do
  include_context "on the simulator"
  let(:client) { client_of(timeout: 10) }

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

  it "waits for 8 threads' 0.3 s answers in parallel: the GVL is released" do
    client.access_token
    sim.inject(:latency, seconds: 0.3, path: "message/send", times: 8)
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    Array.new(8) { |i| Thread.new { client.send_text(to: "zhangsan", content: "parallel #{i}") } }.each(&:join)
    time = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
    expect(sim.messages.size).to eq(8)
    expect(time).to be < 1.5 # 2.4 s if the waits were serialised
  end

  it "gives TimeoutError about timeout: seconds after a silent simulator, and recovers" do
    quick = WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret, agent_id: sim.agent_id,
                                   base_url: sim.base_url, timeout: 0.5)
    quick.access_token
    sim.inject(:silent, path: "message/send")
    expect { quick.send_text(to: "zhangsan", content: "lost") }.to raise_error(WechatWork::TimeoutError)
    expect(quick.send_text(to: "zhangsan", content: "next").msgid).not_to be_nil
  end

  it "reports the simulator's strict directory errors" do
    WechatWork::Simulator.run(users: %w[lilei], departments: [1]) do |strict|
      c = WechatWork::Client.new(corp_id: strict.corp_id, secret: strict.secret, agent_id: strict.agent_id,
                                 base_url: strict.base_url)
      expect(c.send_text(to: %w[lilei Ghost], content: "x").invalid_users).to eq(%w[ghost])
      expect { c.send_text(to: "ghost", content: "x") }.to raise_error(WechatWork::NoValidRecipientError) { |e|
        expect(e.invalid_users).to eq(%w[ghost])
      }
    end
  end

  it "surfaces injected rate limits and busy answers" do
    sim.inject(:rate_limit, path: "message/send")
    expect { client.send_text(to: "zhangsan", content: "x") }.to raise_error(WechatWork::RateLimitError)
    sim.inject(:errcode, errcode: -1, path: "message/send", times: 2)
    expect(client.send_text(to: "zhangsan", content: "after busy").msgid).not_to be_nil
    expect(sim.messages.map { |m| m.dig("text", "content") }).to eq(["after busy"])
  end
end
