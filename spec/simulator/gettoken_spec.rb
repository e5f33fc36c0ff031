# frozen_string_literal: true

require_relative "simulator_helper"

RSpec.describe "Simulator gettoken", simulator: true do
  around { |example| WechatWork::Simulator.run(secret: "s3cret-value") { |sim| @sim = sim; example.run } }
  let(:sim) { @sim }

  it "issues a long token with its lifetime, and the same token while it is valid" do
    first = gettoken(sim)
    expect(first.status).to eq(200)
    expect(first.json).to include("errcode" => 0, "errmsg" => "ok", "expires_in" => 7200)
    expect(first.json["access_token"].length).to be >= 64
    second = gettoken(sim)
    expect(second.json["access_token"]).to eq(first.json["access_token"])
    expect(second.json["expires_in"]).to be_between(1, 7200)
  end

  it "issues a new token once the old one expired" do
    old = token_for(sim)
    sim.advance_time(7201)
    expect(send_body(sim, text_message(sim), token: old).errcode).to eq(42001)
    expect(token_for(sim)).not_to eq(old)
  end

  {
    "missing corpid" => [{ corpid: nil }, 41002, "corpid missing"],
    "missing secret" => [{ corpsecret: nil }, 41004, "corpsecret missing"],
    "empty secret" => [{ corpsecret: "" }, 41004, "corpsecret missing"],
    "wrong corpid" => [{ corpid: "wwother" }, 40013, "invalid corpid"],
    "wrong secret" => [{ corpsecret: "nope" }, 40001, "invalid credential"]
  }.each do |name, (params, code, english)|
    it "answers #{code} for a #{name}, with HTTP 200 and WeCom's errmsg shape" do
      reply = gettoken(sim, **params)
      expect(reply.status).to eq(200)
      expect(reply.errcode).to eq(code)
      expect(reply.errmsg).to start_with("#{english}, hint: [")
      expect(reply.errmsg).to match(SimulatorHelper::ERRMSG_SHAPE)
      expect(reply.errmsg).to end_with("?e=#{code}")
      expect(reply.json).not_to have_key("access_token")
    end
  end

  it "honours token_ttl" do
    WechatWork::Simulator.run(token_ttl: 30) do |short|
      expect(gettoken(short).json["expires_in"]).to eq(30)
    end
  end
end
