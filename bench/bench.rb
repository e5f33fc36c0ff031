# frozen_string_literal: true

# Measures messages/second, driven by bench/run (which starts the nginx stand-in):
#
#   ruby bench/bench.rb all URL [SLOW_URL]        # every scenario, prints and writes the report
#   ruby bench/bench.rb client gem|seed THREADS URL   # one client scenario, prints JSON
#
# Each client scenario runs in its own Ruby process (no state shared between scenarios):
# warm-up for BENCH_WARMUP seconds (token fetched, connections open, code paths hot), then
# BENCH_SECONDS of sending; a thread finishes the call in flight at the deadline, and the rate
# is successful messages over the measured wall time. Loopback limit: wrk, keep-alive, same body.
require "json"
require "rbconfig"
require "open3"
require "tmpdir"
require "time"

module Bench
  SECONDS = Float(ENV.fetch("BENCH_SECONDS", "5"))
  WARMUP = Float(ENV.fetch("BENCH_WARMUP", "1"))
  THREADS = Integer(ENV.fetch("BENCH_THREADS", "8"))
  CORP_ID = "wwbench"
  SECRET = "bench-secret"
  AGENT_ID = 1_000_002
  TO = "zhangsan"
  CONTENT = "Interview at 15:00, room 3"
  HERE = __dir__
  ROOT = File.expand_path("..", HERE)

  def self.now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  def self.cpu = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)

  # ---- one client scenario (child process) -------------------------------------------------

  def self.client_scenario(kind, threads, url)
    senders =
      case kind
      when "gem"
        $LOAD_PATH.unshift(ENV.fetch("BENCH_LIB", File.join(ROOT, "lib")))
        require "wechat_work"
        client = WechatWork::Client.new(corp_id: CORP_ID, secret: SECRET, agent_id: AGENT_ID,
                                        base_url: url, timeout: 10)
        # 8 threads share one client, as an app shares WechatWork.client.
        Array.new(threads) { -> { !client.send_text(to: TO, content: CONTENT).msgid.nil? } }
      when "seed"
        $LOAD_PATH.unshift(HERE)
        require "seed_client"
        # Each thread its own WeChatAPI (and so its own token), as apps using it do.
        Array.new(threads) do
          api = WeChatAPI.new(CORP_ID, SECRET, url)
          -> { api.send_message(TO, CONTENT) }
        end
      else
        abort "unknown client #{kind}"
      end

    run_threads(senders, WARMUP) if WARMUP.positive?
    GC.start
    cpu0 = cpu
    result = run_threads(senders, SECONDS)
    result[:cpu_seconds] = cpu - cpu0
    result
  end

  # Runs each sender in its own thread until the deadline; counts successes and errors.
  def self.run_threads(senders, seconds)
    gate = Queue.new
    workers = senders.map do |send|
      Thread.new do
        ok = 0
        failed = 0
        errors = Hash.new(0)
        gate.pop
        deadline = now + seconds
        while now < deadline
          begin
            if send.call then ok += 1 else failed += 1 end
          rescue StandardError => e
            errors["#{e.class}: #{e.message[0, 80]}"] += 1
          end
        end
        [ok, failed, errors]
      end
    end
    sleep 0.05
    t0 = now
    senders.size.times { gate << true }
    outs = workers.map(&:value)
    elapsed = now - t0
    errors = Hash.new(0)
    outs.each { |_, _, e| e.each { |k, v| errors[k] += v } }
    { ok: outs.sum { |o, _, _| o }, not_ok: outs.sum { |_, f, _| f }, errors: errors, seconds: elapsed }
  end

  # ---- orchestration (parent process) ------------------------------------------------------

  def self.run_child(kind, threads, url)
    out, err, status = Open3.capture3(RbConfig.ruby, __FILE__, "client", kind, threads.to_s, url)
    raise "#{kind} x#{threads} failed (#{status}):\n#{err}" unless status.success?

    warn err unless err.empty?
    r = JSON.parse(out.lines.last, symbolize_names: true)
    { rate: r[:ok] / r[:seconds], cpu_us: r[:ok].positive? ? r[:cpu_seconds] * 1e6 / r[:ok] : nil,
      errors: r[:errors].transform_keys(&:to_s), not_ok: r[:not_ok], ok: r[:ok] }
  end

  def self.wrk_script(dir, body)
    path = File.join(dir, "post.lua")
    File.write(path, <<~LUA)
      wrk.method = "POST"
      wrk.body = #{body.to_json}
      wrk.headers["Content-Type"] = "application/json"
    LUA
    path
  end

  # wrk with keep-alive: the most messages/s a client could get from this server on this machine.
  def self.run_wrk(url, conns, script)
    target = "#{url}/cgi-bin/message/send?access_token=bench-token"
    wrk_threads = [conns, 2].min
    system("wrk", "-t#{wrk_threads}", "-c#{conns}", "-d#{[WARMUP, 1].max.ceil}s", "-s", script, target,
           out: File::NULL, err: File::NULL)
    out, status = Open3.capture2e("wrk", "-t#{wrk_threads}", "-c#{conns}", "-d#{SECONDS.ceil}s", "-s", script, target)
    raise "wrk failed: #{out}" unless status.success?

    rate = out[/Requests\/sec:\s+([\d.]+)/, 1].to_f
    errors = {}
    errors["non-2xx"] = Integer(out[/Non-2xx or 3xx responses: (\d+)/, 1]) if out =~ /Non-2xx/
    errors["socket"] = out[/Socket errors: (.*)/, 1] if out =~ /Socket errors/
    { rate: rate, cpu_us: nil, errors: errors, not_ok: 0 }
  end

  def self.all(url, slow_url)
    body = JSON.generate("touser" => TO, "msgtype" => "text", "agentid" => AGENT_ID, "text" => { "content" => CONTENT })
    servers = [["instant", url]]
    servers << ["5 ms", slow_url] if slow_url
    rows = []
    Dir.mktmpdir("wechat-bench") do |dir|
      script = wrk_script(dir, body)
      servers.each do |server, u|
        [1, THREADS].uniq.each do |n|
          $stderr.print "  #{server}: loopback limit (wrk, #{n} conn) ... "
          limit = run_wrk(u, n, script)
          warn format("%.0f/s", limit[:rate])
          rows << { server: server, what: "loopback limit (wrk, keep-alive)", n: n, **limit, limit: limit[:rate] }
          %w[seed gem].each do |kind|
            $stderr.print "  #{server}: #{kind} x#{n} ... "
            r = run_child(kind, n, u)
            warn format("%.0f/s", r[:rate])
            rows << { server: server, what: kind == "gem" ? "gem (wechat_work)" : "seed (HTTParty)", kind: kind,
                      n: n, **r, limit: limit[:rate] }
          end
        end
      end
    end
    report(rows)
  end

  def self.report(rows)
    lines = []
    lines << "| server | client | threads / conns | messages/s | client CPU µs/msg | gem / seed | of loopback limit | errors |"
    lines << "|---|---|--:|--:|--:|--:|--:|---|"
    rows.each do |r|
      seed = rows.find { |x| x[:kind] == "seed" && x[:server] == r[:server] && x[:n] == r[:n] }
      ratio = r[:kind] == "gem" && seed && seed[:rate].positive? ? format("**%.2f×**", r[:rate] / seed[:rate]) : ""
      of_limit = r[:limit].positive? ? format("%.0f%%", 100.0 * r[:rate] / r[:limit]) : "?"
      errs = r[:errors].map { |k, v| "#{v} × #{k}" }
      errs << "#{r[:not_ok]} × errcode != 0" if r[:not_ok].to_i.positive?
      lines << format("| %s | %s | %d | %s | %s | %s | %s | %s |", r[:server], r[:what], r[:n], commas(r[:rate].round),
                      r[:cpu_us] ? format("%.0f", r[:cpu_us]) : "", ratio, of_limit, errs.empty? ? "0" : errs.join("; "))
    end
    table = lines.join("\n")
    md = <<~MD
      # wechat_work benchmark: latest run

      #{header}

      #{table}

      messages/s: successful sends per second of wall time, one run (no repetition: expect 10-30% run to run
      on this shared machine). gem / seed: same threads and server. of loopback limit: the client's rate over wrk's
      with as many keep-alive connections against the same server. Client CPU: user + system time of the whole
      Ruby process per message (all its threads, including the gem's I/O thread); nginx's CPU is not counted.
    MD
    dir = File.join(HERE, "results")
    Dir.mkdir(dir) unless Dir.exist?(dir)
    File.write(File.join(dir, "latest.md"), md)
    puts
    puts md
    puts "(written to bench/results/latest.md)"
  end

  def self.header
    rev = `git -C #{ROOT} rev-parse --short HEAD 2>/dev/null`.strip
    dirty = `git -C #{ROOT} status --porcelain --untracked-files=no 2>/dev/null`.strip.empty? ? "" : " (+ uncommitted changes)"
    nginx = `nginx -v 2>&1`.strip[%r{nginx/[\d.]+}]
    wrk = `wrk -v 2>&1`[/wrk \S+/]
    httparty = `#{RbConfig.ruby} -e 'require "httparty"; print HTTParty::VERSION' 2>/dev/null`
    cpus = `nproc 2>/dev/null`.strip
    "#{Time.now.utc.iso8601}, commit #{rev}#{dirty}; ruby #{RUBY_VERSION}, #{cpus} CPUs; #{nginx} (1 worker), #{wrk}, " \
      "HTTParty #{httparty}; #{SECONDS} s measured after #{WARMUP} s warm-up per scenario."
  end

  def self.commas(n) = n.to_s.reverse.scan(/\d{1,3}/).join(",").reverse
end

case ARGV[0]
when "client"
  $stdout.sync = true
  r = Bench.client_scenario(ARGV[1], Integer(ARGV[2]), ARGV[3])
  puts JSON.generate(r)
when "all"
  Bench.all(ARGV[1], ARGV[2])
else
  abort "usage: ruby bench/bench.rb all URL [SLOW_URL] | client gem|seed THREADS URL"
end
