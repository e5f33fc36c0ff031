# frozen_string_literal: true

require "fileutils"
require "open3"
require "socket"
require "timeout"

# A brand-new Rails app (Debian's Rails 6.1, PostgreSQL, Sidekiq, rspec-rails) with this
# checkout as its wechat_work gem, made the way a team adopting the gem makes one: `rails new`,
# then the README's Quick start. Offline, two substitutions stand in for what needs the
# RubyGems registry: the Gemfile's wechat_work line is a `path:` to this checkout (built by
# `rake compile`), and `bundle install` is bin/lock-local (`bundle lock --local` from scratch).
class NewApp
  ROOT = File.expand_path("../..", __dir__)
  README = File.join(ROOT, "README.md")
  RAILS_NEW_FLAGS = %w[--database=postgresql --skip-bundle --skip-git --skip-javascript --skip-webpack-install
                       --skip-sprockets --skip-listen --skip-spring --skip-bootsnap --skip-turbolinks --skip-jbuilder
                       --skip-action-mailbox --skip-action-text --skip-active-storage --skip-action-cable
                       --skip-system-test --skip-test].freeze

  Result = Struct.new(:output, :status) do
    def success? = status.success?
  end

  attr_reader :dir, :name

  def initialize(name: "quickstart_app")
    @name = name
    @dir = File.join(ROOT, "tmp", "new-app", name)
    @processes = []
  end

  # `rails new`, with a Gemfile of what Debian ships (the generated one asks for byebug and
  # web-console, which are not packaged) and rspec-rails installed the usual way.
  def create!
    FileUtils.rm_rf(dir)
    FileUtils.mkdir_p(File.dirname(dir))
    run!("rails", "new", dir, "-q", *RAILS_NEW_FLAGS, chdir: File.dirname(dir))
    File.write(File.join(dir, "Gemfile"), <<~GEMFILE)
      source "https://rubygems.org"

      gem "rails", "~> 6.1.7"
      gem "pg", "~> 1.1"
      gem "puma", ">= 5.0"

      group :development, :test do
        gem "rspec-rails", ">= 5.0"
      end
    GEMFILE
    lock!
    bin_rails!("generate", "rspec:install")
    bin_rails!("db:drop", "db:create")
    self
  end

  def lock! = run!(File.join(ROOT, "bin/lock-local"), dir)

  # The fenced blocks of a README section: [[lang, text], ...].
  def self.readme_blocks(heading)
    section = File.read(README)[/^## #{Regexp.escape(heading)}\n(.*?)(?=^## )/m, 1]
    raise "README.md has no section ## #{heading}" unless section

    section.scan(/^```(\w+)\n(.*?)^```\n/m)
  end

  def path(file) = File.join(dir, file)
  def read(file) = File.read(path(file))
  def write(file, text) = File.write(path(file), text)

  # A command in the app (bundle exec for the app's own binaries), with its output.
  def run(*command, env: {}, timeout: 180, chdir: dir)
    output = +""
    status = nil
    Open3.popen2e(base_env.merge(env), *command, chdir: chdir, pgroup: true) do |stdin, out, wait|
      stdin.close
      reader = Thread.new { out.each_line { |line| output << line } }
      unless wait.join(timeout)
        Process.kill("-KILL", wait.pid)
        reader.join(5)
        raise Timeout::Error, "#{command.join(" ")} ran over #{timeout} s:\n#{output}"
      end
      reader.join
      status = wait.value
    end
    Result.new(output, status)
  end

  def run!(*command, **options)
    result = run(*command, **options)
    raise "#{command.join(" ")} failed (#{result.status}):\n#{result.output}" unless result.success?

    result
  end

  def bin_rails(*args, **options) = run(bundle, "exec", "bin/rails", *args, **options)
  def bin_rails!(*args, **options) = run!(bundle, "exec", "bin/rails", *args, **options)

  # A long-running process (the simulator, Sidekiq, Puma): waits for `ready` in its output.
  def start(*command, ready:, env: {}, timeout: 60)
    log = path("log/#{File.basename(command.last.to_s)}-#{@processes.size}.log")
    FileUtils.mkdir_p(File.dirname(log))
    pid = Process.spawn(base_env.merge(env), *command, chdir: dir, out: log, err: %i[child out], pgroup: true)
    @processes << pid
    deadline = Time.now + timeout
    until File.exist?(log) && File.read(log).match?(ready)
      if Process.wait(pid, Process::WNOHANG)
        @processes.delete(pid)
        raise "#{command.join(" ")} exited before it was ready:\n#{File.read(log)}"
      end
      raise "#{command.join(" ")} was not ready within #{timeout} s:\n#{File.read(log)}" if Time.now > deadline

      sleep 0.1
    end
    [pid, log]
  end

  def stop(pid, signal = "TERM")
    Process.kill("-#{signal}", pid)
    Timeout.timeout(30) { Process.wait(pid) }
  rescue Errno::ESRCH, Errno::ECHILD
    nil
  rescue Timeout::Error
    Process.kill("-KILL", pid)
    Process.wait(pid)
  ensure
    @processes.delete(pid)
  end

  def stop_all = @processes.dup.each { |pid| stop(pid) }

  # Polls the block until it returns a truthy value, or fails after `timeout` seconds.
  def self.eventually(timeout: 60, message: "condition")
    deadline = Time.now + timeout
    loop do
      value = yield
      return value if value
      raise "#{message}: not reached within #{timeout} s" if Time.now > deadline

      sleep 0.2
    end
  end

  def self.free_port
    server = TCPServer.new("127.0.0.1", 0)
    server.addr[1]
  ensure
    server&.close
  end

  private

  def bundle = @bundle ||= ENV.fetch("BUNDLE", `command -v bundle || command -v bundle3.1`.strip)

  # The app's processes see Debian's gems, this checkout's cargo, and the services bin/test runs.
  def base_env
    { "BUNDLE_GEMFILE" => path("Gemfile"), "RAILS_ENV" => nil, "RACK_ENV" => nil, "BUNDLE_PATH" => nil,
      "WECHAT_WORK_CORP_ID" => nil, "WECHAT_WORK_SECRET" => nil, "WECHAT_WORK_AGENT_ID" => nil,
      "WECHAT_WORK_BASE_URL" => nil, "WECHAT_WORK_CALLBACK_TOKEN" => nil, "WECHAT_WORK_ENCODING_AES_KEY" => nil,
      "RUBYOPT" => nil, "RUBYLIB" => nil }
  end
end
