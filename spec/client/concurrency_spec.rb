# frozen_string_literal: true

require "timeout"

RSpec.describe WechatWork::Client, "threads, interrupts and fork" do
  let(:server) { fake_wecom }
  let(:client) { client_for(server) }

  before { client.access_token }

  it "releases the GVL while waiting: 8 threads × 0.3 s take about 0.3 s" do
    server.on("message/send") do
      sleep 0.3
      { "errcode" => 0, "msgid" => "slow" }
    end
    time = elapsed { Array.new(8) { |i| Thread.new { client.send_text(to: "a", content: "x#{i}") } }.each(&:join) }
    # Serialised it would be 2.4 s; a loose bound keeps this robust on a loaded machine.
    expect(time).to be < 1.5
    expect(server.count("message/send")).to eq(8)
  end

  it "lets Thread#kill interrupt a waiting call, leaving the client usable" do
    server.on("user/get") { :hang }
    thread = Thread.new { client.get("user/get", userid: "a") }
    sleep 0.1 until server.count("user/get") == 1
    killed_in = elapsed { thread.kill.join(5) }
    expect(thread).not_to be_alive
    expect(killed_in).to be < 2
    expect(client.send_text(to: "a", content: "after kill").msgid).to start_with("fake-msg")
  end

  it "lets Thread#raise interrupt a waiting call with the raised exception" do
    server.on("user/get") { :hang }
    thread = Thread.new { client.get("user/get", userid: "a") }
    thread.report_on_exception = false
    sleep 0.1 until server.count("user/get") == 1
    thread.raise(RuntimeError, "stop waiting")
    expect { thread.value }.to raise_error(RuntimeError, "stop waiting")
    expect(client.send_text(to: "a", content: "after raise").msgid).to start_with("fake-msg")
  end

  it "honours Timeout.timeout" do
    server.on("user/get") { :hang }
    time = elapsed do
      expect { Timeout.timeout(0.3) { client.get("user/get", userid: "a") } }.to raise_error(Timeout::Error)
    end
    expect(time).to be < 2
    expect(client.send_text(to: "a", content: "after timeout").msgid).to start_with("fake-msg")
  end

  it "interrupts a thread waiting for another thread's token fetch" do
    slow = fake_wecom(token_delay: 5)
    cold = client_for(slow)
    fetcher = Thread.new { cold.access_token rescue nil }
    sleep 0.1 until slow.count("gettoken") == 1
    waiter = Thread.new { cold.access_token }
    sleep 0.2
    expect(elapsed { waiter.kill.join(3) }).to be < 2
    expect(waiter).not_to be_alive
    fetcher.kill
  end

  it "works in a forked child after being used in the parent" do
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      msgid = client.send_text(to: "a", content: "from the child").msgid
      writer.write(msgid)
      exit!(0)
    rescue Exception => e # rubocop:disable Lint/RescueException
      writer.write("#{e.class}: #{e.message}")
      exit!(1)
    end
    writer.close
    deadline = Time.now + 20
    sleep 0.05 while Process.waitpid(pid, Process::WNOHANG).nil? && Time.now < deadline
    output = reader.read
    expect($?&.exitstatus).to eq(0), output
    expect(output).to start_with("fake-msg")
    expect(server.delivered.map { _1.dig("text", "content") }).to include("from the child")
    # The parent still works too.
    expect(client.send_text(to: "a", content: "parent again").msgid).to start_with("fake-msg")
  end

  it "survives garbage collection of a used client in a forked child" do
    pid = fork do
      used = client_for(server)
      used.access_token
      used = nil # rubocop:disable Lint/UselessAssignment
      GC.start
      client.send_text(to: "a", content: "gc in child")
      exit!(0)
    end
    Process.wait(pid)
    expect($?.exitstatus).to eq(0)
  end

  # Ruby's and profilers' signal handlers (SIGPROF for stackprof) must run on Ruby's threads:
  # the gem's own threads block asynchronous signals, so the kernel never picks them.
  it "leaves signals to Ruby's threads (the gem's threads block SIGPROF and SIGINT)", if: File.directory?("/proc/self/task") do
    client.send_text(to: "a", content: "starts the I/O thread")
    masks = Dir["/proc/self/task/*"].filter_map do |task|
      next unless File.read("#{task}/comm").start_with?("wechat_work")

      File.read("#{task}/status")[/^SigBlk:\s*(\h+)/, 1].to_i(16)
    end
    expect(masks).not_to be_empty
    bit = ->(signal) { 1 << (Signal.list.fetch(signal) - 1) }
    masks.each do |mask|
      expect(mask & bit["PROF"]).not_to eq(0)
      expect(mask & bit["INT"]).not_to eq(0)
      expect(mask & bit["SEGV"]).to eq(0)
    end
  end
end
