# frozen_string_literal: true

require_relative "simulator_helper"

RSpec.describe "Simulator access tokens on APIs", simulator: true do
  around { |example| WechatWork::Simulator.run { |sim| @sim = sim; example.run } }
  let(:sim) { @sim }

  it "answers 41001 without a token" do
    reply = sim_request(sim, :post, "message/send", body: text_message(sim))
    expect(reply.errcode).to eq(41001)
    expect(reply.errmsg).to start_with("access_token missing, hint:")
  end

  it "answers 40014 for an unknown token" do
    reply = user_get(sim, "zhangsan", token: "x" * 96)
    expect(reply.errcode).to eq(40014)
    expect(reply.errmsg).to start_with("invalid access_token, hint:")
  end

  it "revoke_tokens! makes issued tokens answer 40014 and gettoken issue a new one" do
    old = token_for(sim)
    expect(send_body(sim, text_message(sim), token: old).errcode).to eq(0)
    sim.revoke_tokens!
    expect(send_body(sim, text_message(sim), token: old).errcode).to eq(40014)
    fresh = token_for(sim)
    expect(fresh).not_to eq(old)
    expect(send_body(sim, text_message(sim), token: fresh).errcode).to eq(0)
    expect(sim.messages.size).to eq(2)
  end

  it "expire_tokens! makes issued tokens answer 42001 and gettoken issue a new one" do
    old = token_for(sim)
    sim.expire_tokens!
    reply = user_get(sim, "zhangsan", token: old)
    expect(reply.errcode).to eq(42001)
    expect(reply.errmsg).to start_with("access_token expired, hint:")
    fresh = token_for(sim)
    expect(fresh).not_to eq(old)
    expect(user_get(sim, "zhangsan", token: fresh).errcode).to eq(0)
  end
end
