# frozen_string_literal: true

require "fileutils"
require "net/http"
require "json"
require "socket"
require "timeout"

# Real processes for the process specs: a standalone WeCom simulator, Puma and Sidekiq in the
# development environment, on this spec's PostgreSQL database and Redis.
module Processes
  ROOT = File.expand_path("../..", __dir__)
  GEM_ROOT = File.expand_path("../..", ROOT)
  SECRET = "interview-app-process-spec-secret"

  module_function

  def free_port
    server = TCPServer.new("127.0.0.1", 0)
    server.addr[1]
  ensure
    server&.close
  end

  # Starts the simulator CLI on a free port; => [pid, base_url]
  def start_simulator(log)
    port = free_port
    pid = spawn(Gem.ruby, File.join(GEM_ROOT, "exe/wechat_work"), "simulator", "--port", port.to_s,
                "--corp-id", "wwsimulator000001", "--secret", SECRET, "--agent-id", "1000002",
                out: [log, "a"], err: [log, "a"], pgroup: true)
    base_url = "http://127.0.0.1:#{port}"
    wait_until(30, "the simulator on #{base_url}", process: pid, log: log) { get_json("#{base_url}/_simulator") rescue nil } # rubocop:disable Style/RescueModifier
    [pid, base_url]
  end

  def app_env(base_url, extra = {})
    {
      "RAILS_ENV" => "development", "DATABASE_URL" => ActiveRecord::Base.connection_db_config.configuration_hash.then { |c| database_url(c) },
      "REDIS_URL" => ENV.fetch("REDIS_URL", "redis://127.0.0.1:6379/0"), "WECHAT_WORK_BASE_URL" => base_url,
      "WECHAT_WORK_SECRET" => SECRET, "WECHAT_WORK_STALE_AFTER" => "3", "BUNDLE_GEMFILE" => File.join(ROOT, "Gemfile")
    }.merge(extra)
  end

  def database_url(config)
    ENV["DATABASE_URL"] || "postgres:///#{config[:database]}"
  end

  def bundle = ENV.fetch("BUNDLE_BIN") { File.exist?("/usr/bin/bundle3.1") ? "/usr/bin/bundle3.1" : "bundle" }

  def start_sidekiq(env, log)
    spawn(env, bundle, "exec", "sidekiq", "-C", "config/sidekiq.yml", chdir: ROOT, out: [log, "a"], err: [log, "a"], pgroup: true)
  end

  def start_puma(env, port, log)
    # A fresh checkout has no tmp/pids (git keeps no empty directories); Puma dies without it.
    FileUtils.mkdir_p(File.join(ROOT, "tmp/pids"))
    spawn(env.merge("WEB_CONCURRENCY" => "2", "PORT" => port.to_s, "PIDFILE" => File.join(ROOT, "tmp/pids/spec-puma.pid")),
          bundle, "exec", "puma", "-C", "config/puma.rb", chdir: ROOT, out: [log, "a"], err: [log, "a"], pgroup: true)
  end

  def stop(pid, signal = "TERM")
    return unless pid

    # Its own process group (bundle exec's children too), never ours.
    target = Process.getpgid(pid) == pid ? -pid : pid
    Process.kill(signal, target)
    Timeout.timeout(30) { Process.wait(pid) }
  rescue Errno::ECHILD, Errno::ESRCH
    nil
  rescue Timeout::Error
    Process.kill("KILL", pid) rescue nil # rubocop:disable Style/RescueModifier
  end

  def get_json(url)
    JSON.parse(Net::HTTP.get(URI(url)))
  end

  def post_json(url, body)
    uri = URI(url)
    Net::HTTP.post(uri, JSON.generate(body), "Content-Type" => "application/json")
  end

  # Polls the block until it is truthy. With `process:` (a pid) and `log:`, a process that has
  # died fails at once with the end of its log instead of after the whole timeout.
  def wait_until(seconds, what, process: nil, log: nil)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
    loop do
      result = yield
      return result if result
      if process && Process.waitpid(process, Process::WNOHANG)
        raise "the process #{process} exited (#{$?}) while waiting for #{what}; the end of #{log}:\n#{tail(log)}"
      end
      raise "timed out after #{seconds} s waiting for #{what}; the end of #{log}:\n#{tail(log)}" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline

      sleep 0.2
    end
  end

  def tail(log, lines = 30)
    log && File.exist?(log) ? File.readlines(log).last(lines).join : "(no log)"
  end
end
