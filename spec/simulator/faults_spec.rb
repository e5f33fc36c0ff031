# frozen_string_literal: true

require_relative "simulator_helper"

RSpec.describe "Simulator faults", simulator: true do
  around { |example| WechatWork::Simulator.run { |sim| @sim = sim; example.run } }
  let(:sim) { @sim }
  let!(:token) { token_for(sim) }

  def send_text(**options)
    send_body(sim, text_message(sim), token: token, **options)
  end

  it ":latency answers normally after the delay" do
    sim.inject(:latency, seconds: 0.3, path: "message/send")
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    reply = send_text
    elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
    expect(reply.errcode).to eq(0)
    expect(elapsed).to be >= 0.25
    expect(sim.messages.size).to eq(1)
  end

  it ":latency delays concurrent requests in parallel" do
    sim.inject(:latency, seconds: 0.3, times: 8)
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    replies = Array.new(8) { Thread.new { send_text } }.map(&:value)
    elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
    expect(replies.map(&:errcode)).to all(eq(0))
    expect(elapsed).to be < 1.5 # 8 x 0.3 s = 2.4 s if they were served one by one
  end

  it ":errcode answers the code with HTTP 200 and does nothing" do
    sim.inject(:errcode, errcode: -1, path: "message/send")
    reply = send_text
    expect(reply.status).to eq(200)
    expect(reply.errcode).to eq(-1)
    expect(reply.errmsg).to start_with("system busy, hint: [")
    expect(reply.errmsg).to match(SimulatorHelper::ERRMSG_SHAPE)
    expect(sim.messages).to be_empty
    expect(send_text.errcode).to eq(0) # times: 1 by default
  end

  it ":http_status answers the status with an HTML body and does nothing" do
    sim.inject(:http_status, status: 503)
    reply = send_text
    expect(reply.status).to eq(503)
    expect(reply.json).to be_nil
    expect(reply.body).to include("503")
    expect(sim.messages).to be_empty
  end

  it ":deliver_then_fail delivers, then answers the status" do
    sim.inject(:deliver_then_fail, status: 502, path: "message/send")
    reply = send_text
    expect(reply.status).to eq(502)
    expect(reply.json).to be_nil
    expect(sim.messages.size).to eq(1)
  end

  it ":deliver_then_fail plus the duplicate check proves a retry does not deliver twice" do
    message = text_message(sim, "enable_duplicate_check" => 1)
    sim.inject(:deliver_then_fail, path: "message/send")
    expect(send_body(sim, message, token: token).status).to eq(502)
    retry_reply = send_body(sim, message, token: token)
    expect(retry_reply.errcode).to eq(0)
    expect(sim.messages.size).to eq(1)
  end

  it ":silent never answers" do
    sim.inject(:silent, path: "message/send")
    expect { send_text(read_timeout: 0.3) }.to raise_error(Net::ReadTimeout)
    expect(sim.messages).to be_empty
    expect(send_text.errcode).to eq(0)
  end

  it ":rate_limit answers 45009" do
    sim.inject(:rate_limit)
    reply = send_text
    expect(reply.errcode).to eq(45009)
    expect(reply.errmsg).to start_with("api freq out of limit, hint:")
    expect(sim.messages).to be_empty
  end

  it ":reset closes the connection without answering" do
    sim.inject(:reset, path: "message/send")
    expect { send_text }.to raise_error { |e| expect([EOFError, Errno::ECONNRESET]).to include(e.class) }
    expect(sim.messages).to be_empty
  end

  it "matches the path and counts down times" do
    sim.inject(:errcode, errcode: 40001, path: "gettoken", times: 2)
    expect(send_text.errcode).to eq(0)
    expect(gettoken(sim).errcode).to eq(40001)
    expect(gettoken(sim).errcode).to eq(40001)
    expect(gettoken(sim).errcode).to eq(0)
  end

  it "a nil path matches any API and times: nil lasts until clear_faults" do
    sim.inject(:rate_limit, times: nil)
    3.times { expect(gettoken(sim).errcode).to eq(45009) }
    expect(user_get(sim, "zhangsan", token: token).errcode).to eq(45009)
    sim.clear_faults
    expect(send_text.errcode).to eq(0)
  end

  it "clear clears faults too, with the messages and requests" do
    sim.inject(:errcode, errcode: -1, path: "message/send", times: nil)
    expect(send_text.errcode).to eq(-1)
    sim.clear
    expect(send_text.errcode).to eq(0)
    expect(sim.messages.size).to eq(1)
  end

  it "rejects unknown faults and options" do
    expect { sim.inject(:explode) }.to raise_error(ArgumentError, /unknown fault :explode; use one of :latency, :errcode/)
    expect { sim.inject(:latncy) }.to raise_error(ArgumentError, /unknown fault :latncy \(did you mean :latency\?\)/)
    expect { sim.inject(:latency, status: 500) }
      .to raise_error(ArgumentError, "inject(:latency) does not take status:; it takes path:, times:, seconds:")
    expect { sim.inject(:latency, secnds: 0.3) }.to raise_error(ArgumentError, /\Ainject\(:latency\) does not take secnds: \(did you mean seconds:\?\)/)
    expect { sim.inject(:errcode, errcod: -1) }.to raise_error(ArgumentError, /errcod: \(did you mean errcode:\?\)/)
    expect { sim.inject(:http_status, status: 42) }.to raise_error(ArgumentError, /status/)
  end
end
