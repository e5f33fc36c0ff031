# frozen_string_literal: true

require "open3"
require "json"

# wechatpy (a widely used Python WeCom SDK) against the simulator. bin/test installs it into
# tmp/venv; run it by hand with:
#   python3 -m venv tmp/venv && tmp/venv/bin/pip install wechatpy==2.0.0a26 cryptography
#   rspec spec/simulator/wechatpy_interop_spec.rb
RSpec.describe "wechatpy against the simulator" do
  root = File.expand_path("../..", __dir__)
  python = ENV.fetch("WECHAT_WORK_INTEROP_PYTHON", File.join(root, "tmp/venv/bin/python"))
  script = File.join(root, "spec/interop/wechatpy_interop.py")

  before do
    unless File.executable?(python)
      raise "wechatpy is not installed (#{python}) but CI is set: bin/test should have installed it" if ENV["CI"]

      skip "wechatpy is not installed (#{python}); bin/test installs it"
    end
  end

  it "gets a token, sends a text message and reads a user" do
    WechatWork::Simulator.run(secret: "interop-secret") do |sim|
      out, err, status = Open3.capture3(python, script, sim.base_url, sim.corp_id, sim.secret, sim.agent_id.to_s)
      expect(status.exitstatus).to eq(0), err
      result = JSON.parse(out)
      expect(result["send"]).to include("errcode" => 0, "errmsg" => "ok")
      expect(result["send"]["msgid"]).to be_a(String)
      expect(result["user"]).to include("userid" => "zhangsan", "name" => "Zhangsan", "department" => [1])
      expect(result["token_length"]).to be >= 64
      expect(sim.messages.size).to eq(1)
      expect(sim.messages.first).to include("touser" => "zhangsan", "msgtype" => "text", "agentid" => sim.agent_id,
                                            "text" => { "content" => "hi" })
      expect(sim.request_count("gettoken")).to eq(1)
      expect(sim.request_count("message/send")).to eq(1)
      expect(sim.request_count("user/get")).to eq(1)
    end
  end
end
