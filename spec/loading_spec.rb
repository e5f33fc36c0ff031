# frozen_string_literal: true

RSpec.describe WechatWork do
  it "loads the native extension" do
    expect(defined?(WechatWork::Native)).to eq("constant")
  end

  it "builds Ruby exceptions for native errors" do
    error = WechatWork::Error.from_native(:api, "x", errcode: 60020, errmsg: "not allow to access from your ip, hint: [1]", path: "message/send", body: {})
    expect(error).to be_a(WechatWork::IpNotAllowedError)
    expect(error.message).to include("trusted IPs")
    expect(error.message).not_to include("hint:")
  end
end

RSpec.describe "the panic boundary" do
  it "turns a Rust panic into a catchable WechatWork::Error" do
    expect { WechatWork::Native.__panic_without_gvl }.to raise_error(WechatWork::Error, /deliberate panic/)
    # The process, and the extension, carry on.
    expect { WechatWork::Native.__panic_without_gvl }.to raise_error(WechatWork::Error)
  end
end
