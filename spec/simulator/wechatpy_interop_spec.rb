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

  it "gets a token, sends a text message, reads contacts, uses a group chat, uploads and downloads media" do
    WechatWork::Simulator.run(secret: "interop-secret") do |sim|
      out, err, status = Open3.capture3(python, script, sim.base_url, sim.corp_id, sim.secret, sim.agent_id.to_s, "media")
      expect(status.exitstatus).to eq(0), err
      result = JSON.parse(out)
      expect(result["send"]).to include("errcode" => 0, "errmsg" => "ok")
      expect(result["send"]["msgid"]).to be_a(String)
      expect(result["user"]).to include("userid" => "zhangsan", "name" => "Zhang San", "department" => [2])
      expect(result["token_length"]).to be >= 64
      expect(result["members"].map { _1["userid"] }).to contain_exactly("lilei", "zhangsan")
      expect(result["department_users"].size).to eq(3)
      expect(result["tags"]).to eq([{ "tagid" => 1, "tagname" => "Interviewers" }])
      expect(result["tag_users"]["userlist"].map { _1["userid"] }).to eq(%w[lilei zhangsan])
      expect(result["openid"]["openid"]).to start_with("o")
      expect(result["chat"]).to include("chatid" => result["chat_id"], "owner" => "lilei", "userlist" => %w[lilei hanmeimei])
      expect(result["chat_send"]).to include("errcode" => 0)
      expect(sim.messages.map { _1["channel"] }).to eq(%w[app chat])
      expect(sim.messages.first).to include("touser" => "zhangsan", "msgtype" => "text", "agentid" => sim.agent_id,
                                            "text" => { "content" => "hi" })
      expect(sim.messages.last).to include("chatid" => result["chat_id"], "text" => { "content" => "Interview at 15:00" })
      expect(result["upload"]).to include("errcode" => 0, "type" => "file")
      expect(result["download"]).to eq("curriculum vitae of Han Meimei")
      expect(sim.request_count("gettoken")).to eq(1)
      expect(sim.request_count("message/send")).to eq(1)
      expect(sim.request_count("user/get")).to eq(1)
    end
  end
end
