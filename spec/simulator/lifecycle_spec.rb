# frozen_string_literal: true

require_relative "simulator_helper"

RSpec.describe WechatWork::Simulator, simulator: true do
  it "serves on a free port with defaults" do
    described_class.run do |sim|
      expect(sim.base_url).to match(%r{\Ahttp://127\.0\.0\.1:\d+\z})
      expect(sim.port).to be > 0
      expect(sim.corp_id).to eq("wwsimulator000001")
      expect(sim.agent_id).to eq(1_000_002)
      expect(sim.secret.length).to be >= 32
      expect(gettoken(sim).errcode).to eq(0)
    end
  end

  it "uses the given identity" do
    described_class.run(corp_id: "wwmine", secret: "given", agent_id: 42) do |sim|
      expect([sim.corp_id, sim.secret, sim.agent_id]).to eq(["wwmine", "given", 42])
      expect(gettoken(sim, corpsecret: "given").errcode).to eq(0)
    end
  end

  it "logs requests without secrets or tokens, and counts them" do
    described_class.run(secret: "top-secret-value") do |sim|
      token = token_for(sim)
      send_body(sim, text_message(sim), token: token)
      gettoken(sim, corpsecret: "wrong-secret")
      expect(sim.requests).to eq([
        { "method" => "GET", "path" => "/cgi-bin/gettoken", "errcode" => 0, "status" => 200 },
        { "method" => "POST", "path" => "/cgi-bin/message/send", "errcode" => 0, "status" => 200 },
        { "method" => "GET", "path" => "/cgi-bin/gettoken", "errcode" => 40001, "status" => 200 }
      ])
      dump = sim.requests.inspect
      expect(dump).not_to include("top-secret-value", "wrong-secret", token)
      expect(sim.request_count).to eq(3)
      expect(sim.request_count("gettoken")).to eq(2)
      expect(sim.request_count("/cgi-bin/message/send")).to eq(1)
      expect(sim.request_count("user/get")).to eq(0)
    end
  end

  it "clear forgets messages and requests but not tokens" do
    described_class.run do |sim|
      token = token_for(sim)
      send_body(sim, text_message(sim), token: token)
      sim.clear
      expect(sim.messages).to be_empty
      expect(sim.requests).to be_empty
      expect(sim.request_count).to eq(0)
      expect(send_body(sim, text_message(sim), token: token).errcode).to eq(0)
    end
  end

  it "answers unknown APIs with a JSON 404" do
    described_class.run do |sim|
      reply = sim_request(sim, :get, "nope/never")
      expect(reply.status).to eq(404)
      expect(reply.errcode).to eq(404)
      expect(reply.errmsg).to include("/cgi-bin/nope/never")
    end
  end

  it "stop closes the port and is idempotent" do
    sim = described_class.start
    port = sim.port
    expect(sim).to be_running
    sim.stop
    expect(sim.stop).to be_nil
    expect(sim).not_to be_running
    expect { TCPSocket.new("127.0.0.1", port).close }.to raise_error(Errno::ECONNREFUSED)
  end

  it "run stops after the block, returns its value, and stops on exceptions too" do
    kept = nil
    expect(described_class.run { |sim| kept = sim; :value }).to eq(:value)
    expect(kept).not_to be_running
    expect { described_class.run { |sim| kept = sim; raise "boom" } }.to raise_error("boom")
    expect(kept).not_to be_running
  end

  it "refuses a misspelt option of start, and of an app, with its near miss" do
    expect { WechatWork::Simulator.start(restricted_field: false) }
      .to raise_error(ArgumentError, /\ASimulator.start does not take restricted_field: \(did you mean restricted_fields:\?\); it takes port:/)
    expect { WechatWork::Simulator.start(apps: [{ name: "hr", agentid: 1_000_003 }]) }
      .to raise_error(ArgumentError, "an app of apps: does not take agentid: (did you mean agent_id:?); it takes name:, secret:, agent_id:, token_ttl:")
  end

  it "does not show the secret in inspect" do
    described_class.run(secret: "do-not-print-me") do |sim|
      expect(sim.inspect).not_to include("do-not-print-me")
      expect(sim.inspect).to include(sim.base_url)
      expect(sim.to_s).not_to include("do-not-print-me")
    end
  end

  it "raises ConfigurationError when the port is taken" do
    described_class.run do |sim|
      expect { described_class.start(port: sim.port) }.to raise_error(WechatWork::ConfigurationError, /cannot listen/)
    end
  end

  it "stops when garbage collected" do
    # Started on another thread so no stack slot of this one keeps it alive.
    port = Thread.new { described_class.start.port }.value
    stopped = 10.times.any? do
      GC.start(full_mark: true, immediate_sweep: true)
      begin
        TCPSocket.new("127.0.0.1", port).close
        sleep 0.1
        false
      rescue Errno::ECONNREFUSED
        true
      end
    end
    expect(stopped).to be(true)
  end

  it "survives a fork: the child can drop its inherited copy and start its own" do
    skip "fork unavailable" unless Process.respond_to?(:fork)
    sim = described_class.start
    pid = fork do
      inherited = sim
      child = described_class.start
      ok = child.base_url != inherited.base_url
      child.stop
      inherited = nil
      sim = nil
      GC.start
      exit!(ok ? 0 : 1)
    end
    _, status = Process.wait2(pid)
    expect(status.exitstatus).to eq(0)
    expect(gettoken(sim).errcode).to eq(0) # the parent's simulator still serves
  ensure
    sim&.stop
  end

  it "exports env for the client" do
    described_class.run(secret: "abc") do |sim|
      expect(sim.env).to eq("WECHAT_WORK_BASE_URL" => sim.base_url, "WECHAT_WORK_CORP_ID" => sim.corp_id,
                            "WECHAT_WORK_SECRET" => "abc", "WECHAT_WORK_AGENT_ID" => sim.agent_id.to_s)
    end
  end
end
