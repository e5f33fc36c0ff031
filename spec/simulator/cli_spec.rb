# frozen_string_literal: true

require_relative "simulator_helper"
require "open3"
require "timeout"
require "tmpdir"
require "fileutils"
require "socket"

RSpec.describe "exe/wechat_work simulator", simulator: true do
  root = File.expand_path("../..", __dir__)
  exe = File.join(root, "exe/wechat_work")
  ruby = [RbConfig.ruby, "-I", File.join(root, "lib"), exe]

  it "prints usage with --help" do
    out, status = Open3.capture2e(*ruby, "simulator", "--help")
    expect(status.exitstatus).to eq(0)
    expect(out).to include("Usage: wechat_work simulator [options]")
    expect(out).to include("--port", "--host", "--corp-id", "--secret", "--agent-id", "--directory FILE")
    expect(out).to include("departments:\n    - { id: 1, name: \"Acme Corp\" }")
  end

  # The file the Rails generator writes, as the lead's bin/dev would run it.
  it "serves only a --directory file's members and refuses others as WeCom does" do
    file = File.expand_path("fixtures/wechat_work_simulator.yml", __dir__)
    Open3.popen2e(*ruby, "simulator", "--port", "0", "--secret", "cli-secret-123456", "--corp-id", "wwcli", "--agent-id", "7",
                  "--directory", file) do |stdin, out, wait|
      stdin.close
      banner = +""
      Timeout.timeout(10) { banner << out.gets until banner.include?("Ctrl-C") }
      expect(banner).to include("  directory: 2 members, 2 departments, 1 tag, from #{file}\n",
                                "unknown ones are refused as WeCom refuses them")
      base_url = banner[%r{listening on (http://127\.0\.0\.1:\d+)}, 1]
      sim = Struct.new(:base_url, :corp_id, :secret, :agent_id).new(base_url, "wwcli", "cli-secret-123456", 7)
      expect(send_body(sim, text_message(sim, to: "nobody")).json).to include("errcode" => 81013, "invaliduser" => "nobody")
      expect(send_body(sim, text_message(sim, to: "lilei|nobody", content: "to the file's member")).json)
        .to include("errcode" => 0, "invaliduser" => "nobody")
      logged = +""
      Timeout.timeout(10) { logged << out.gets until logged.include?("to the file's member") }
      expect(logged).to include("message 1 text touser=lilei|nobody")
      Process.kill("TERM", wait.pid)
      expect(Timeout.timeout(10) { wait.value }.exitstatus).to eq(0)
    end
  end

  it "says it is lenient without --directory" do
    Open3.popen2e(*ruby, "simulator", "--port", "0") do |stdin, out, wait|
      stdin.close
      banner = +""
      Timeout.timeout(10) { banner << out.gets until banner.include?("Ctrl-C") }
      expect(banner).to include("  directory: lenient, every well-formed userid, department and tag exists\n",
                                "(--directory FILE serves only FILE's and refuses the others, as WeCom does)")
      Process.kill("TERM", wait.pid)
      expect(Timeout.timeout(10) { wait.value }.exitstatus).to eq(0)
    end
  end

  it "prints one line naming the file and the key, and exits 1, for a malformed --directory file" do
    Dir.mktmpdir do |dir|
      file = File.join(dir, "wechat_work_simulator.yml")
      File.write(file, "users:\n  - { userid: lilei, department: [2] }\n")
      out, status = Open3.capture2e(*ruby, "simulator", "--port", "0", "--directory", file)
      expect(status.exitstatus).to eq(1)
      expect(out).to eq("wechat_work simulator: #{file}: users[0].department: 2 is not among the departments\n")
    end
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
                                "export WECHAT_WORK_SECRET=cli-...3456")
      expect(banner).to include("secret:   cli-...3456 (the one given: the app's own)")
      expect(banner).not_to include("cli-secret-123456")

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

  it "prints a secret it made up in full (the client needs it), and the app's callback URL it was given" do
    env = { "WECHAT_WORK_CALLBACK_URL" => "http://127.0.0.1:3000/wechat_work/callback", "WECHAT_WORK_CALLBACK_TOKEN" => "tok",
            "WECHAT_WORK_ENCODING_AES_KEY" => "k" * 43 }
    Open3.popen2e(env, *ruby, "simulator", "--port", "0") do |stdin, out, wait|
      stdin.close
      banner = +""
      Timeout.timeout(10) { banner << out.gets until banner.include?("Ctrl-C") }
      secret = banner[/export WECHAT_WORK_SECRET=(\S+)/, 1]
      expect(secret.size).to eq(43)
      expect(banner).to include("secret:   made up: WECHAT_WORK_SECRET below",
                                "callback: http://127.0.0.1:3000/wechat_work/callback")
      Process.kill("INT", wait.pid)
      expect(Timeout.timeout(10) { wait.value }.exitstatus).to eq(0)
    end
  end

  it "takes the app's own settings from the environment (the same credentials every start), more apps and auto-login" do
    env = { "WECHAT_WORK_CORP_ID" => "wwfromenv", "WECHAT_WORK_SECRET" => "env-secret-0001", "WECHAT_WORK_AGENT_ID" => "1000009" }
    Open3.popen2e(env, *ruby, "simulator", "--port", "0", "--app", "approvals:approvals-secret:1000003",
                  "--auto-login", "lilei") do |stdin, out, wait|
      stdin.close
      banner = +""
      Timeout.timeout(10) { banner << out.gets until banner.include?("Ctrl-C") }
      expect(banner).to include("corp_id:  wwfromenv", "agent_id: 1000009", "export WECHAT_WORK_SECRET=env-...0001",
                                "app:      approvals (agent_id 1000003)")
      # A secret from the environment may be a real one: never printed whole.
      expect(banner).not_to include("env-secret-0001")
      base_url = banner[%r{listening on (http://127\.0\.0\.1:\d+)}, 1]
      sim = Struct.new(:base_url, :corp_id, :secret, :agent_id).new(base_url, "wwfromenv", "approvals-secret", 1000003)
      expect(gettoken(sim).errcode).to eq(0)
      expect(JSON.parse(Net::HTTP.get(URI("#{base_url}/_simulator/auto_login")))["auto_login"]).to include("userid" => "lilei")
      Process.kill("INT", wait.pid)
      expect(Timeout.timeout(10) { wait.value }.exitstatus).to eq(0)
    end
    out, status = Open3.capture2e(*ruby, "simulator", "--app", "approvals")
    expect(status.exitstatus).to eq(1)
    expect(out).to include("--app approvals: use NAME:SECRET:AGENT_ID")
  end

  # As the README runs it: the script itself, from another directory, without -I lib.
  it "starts from a checkout without -I, from any directory" do
    Dir.mktmpdir do |dir|
      Open3.popen2e(RbConfig.ruby, exe, "simulator", "--port", "0", chdir: dir) do |stdin, out, wait|
        stdin.close
        banner = +""
        Timeout.timeout(10) { banner << (out.gets || break) until banner.include?("Ctrl-C") }
        expect(banner).to match(%r{WeCom simulator listening on http://127\.0\.0\.1:\d+})
        Process.kill("INT", wait.pid)
        expect(Timeout.timeout(10) { wait.value }.exitstatus).to eq(0)
      end
    end
  end

  it "prints one line and exits 1 when the port is in use" do
    server = TCPServer.new("127.0.0.1", 0)
    out, status = Open3.capture2e(*ruby, "simulator", "--port", server.addr[1].to_s)
    expect(status.exitstatus).to eq(1)
    expect(out.lines.size).to eq(1), out
    expect(out).to include("wechat_work simulator: the simulator cannot listen on 127.0.0.1:#{server.addr[1]}",
                           "in use", "--port 0")
  ensure
    server&.close
  end

  it "says how to build the extension, without a backtrace, when it is not built" do
    Dir.mktmpdir do |dir|
      FileUtils.cp_r(File.join(root, "lib"), dir)
      FileUtils.cp_r(File.join(root, "exe"), dir)
      FileUtils.cp(File.join(root, "Rakefile"), dir)
      Dir[File.join(dir, "lib/**/*.{so,bundle,dll}")].each { |f| File.delete(f) }
      env = { "RUBYOPT" => nil, "RUBYLIB" => nil, "GEM_HOME" => dir, "GEM_PATH" => dir }
      out, status = Open3.capture2e(env, RbConfig.ruby, File.join(dir, "exe/wechat_work"), "simulator")
      expect(status.exitstatus).to eq(1)
      expect(out).to include("cd #{dir} && rake compile")
      expect(out).not_to match(/^\s+from /)
    end
  end
end
