# frozen_string_literal: true

require_relative "simulator_helper"
require "open3"
require "timeout"

RSpec.describe "exe/wechat_work simulator", simulator: true do
  root = File.expand_path("../..", __dir__)
  exe = File.join(root, "exe/wechat_work")
  ruby = [RbConfig.ruby, "-I", File.join(root, "lib"), exe]

  it "prints usage with --help" do
    out, status = Open3.capture2e(*ruby, "simulator", "--help")
    expect(status.exitstatus).to eq(0)
    expect(out).to include("Usage: wechat_work simulator [options]")
    expect(out).to include("--port", "--host", "--corp-id", "--secret", "--agent-id")
  end

  it "prints the commands without arguments and fails on unknown ones" do
    out, status = Open3.capture2e(*ruby)
    expect(status.exitstatus).to eq(1)
    expect(out).to include("simulator")
    out, status = Open3.capture2e(*ruby, "frobnicate")
    expect(status.exitstatus).to eq(1)
    expect(out).to include("unknown command")
  end

  it "runs in the foreground, prints its banner and deliveries, stops on TERM" do
    Open3.popen2e(*ruby, "simulator", "--port", "0", "--secret", "cli-secret-123456",
                  "--corp-id", "wwcli", "--agent-id", "7") do |stdin, out, wait|
      stdin.close
      banner = +""
      Timeout.timeout(10) { banner << out.gets until banner.include?("Ctrl-C") }
      base_url = banner[%r{listening on (http://127\.0\.0\.1:\d+)}, 1]
      expect(base_url).not_to be_nil
      expect(banner).to include("corp_id:  wwcli", "agent_id: 7", "export WECHAT_WORK_BASE_URL=#{base_url}",
                                "export WECHAT_WORK_CORP_ID=wwcli", "export WECHAT_WORK_AGENT_ID=7",
                                "export WECHAT_WORK_SECRET=cli-secret-123456")
      expect(banner).to include("secret:   cli-...3456")

      sim = Struct.new(:base_url, :corp_id, :secret, :agent_id).new(base_url, "wwcli", "cli-secret-123456", 7)
      reply = send_body(sim, text_message(sim, content: "from the cli spec"))
      expect(reply.errcode).to eq(0)
      logged = +""
      Timeout.timeout(10) { logged << out.gets until logged.include?("from the cli spec") }
      expect(logged).to include("message 1 text touser=zhangsan")

      Process.kill("TERM", wait.pid)
      expect(Timeout.timeout(10) { wait.value }.exitstatus).to eq(0)
      expect(out.read).to include("Stopping.")
    end
  end
end
