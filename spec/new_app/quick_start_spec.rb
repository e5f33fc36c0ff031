# frozen_string_literal: true

require "json"
require "net/http"
require "yaml"
require_relative "new_app"

# The README's Quick start, followed as written in a brand-new Rails app, then what a team does
# on its first day: send, deliver through Sidekiq, run the generated spec, answer a callback,
# run every rake task in development, and boot production without settings. Run by
# bin/rails-smoke (WECHAT_WORK_NEW_APP=1: it needs PostgreSQL, Redis and a minute or two).
RSpec.describe "The README's Quick start in a new Rails app", :new_app, order: :defined do
  before(:all) do
    @state = {} # what one step leaves for the next (examples share only before(:all)'s objects)
    @app = NewApp.new
    @app.create!
    @blocks = NewApp.readme_blocks("Quick start in Rails")
  end

  after(:all) { @app&.stop_all }

  let(:app) { @app }

  def simulator_url = "http://127.0.0.1:#{@state.fetch(:port)}"
  def sim_get(path) = JSON.parse(Net::HTTP.get(URI("#{simulator_url}#{path}")))
  def delivered = sim_get("/_simulator/messages")
  def runner(code, env: {}) = app.bin_rails("runner", code, env: env)

  def runner!(code, env: {})
    result = runner(code, env: env)
    expect(result).to be_success, result.output
    result.output
  end

  def wechat_work_lines(output) = output.lines.grep(/\[wechat_work\]/)

  it "1. the Gemfile lines, bundle install, the generator and db:migrate, as written" do
    gemfile = @blocks.fetch(0)
    expect(gemfile.first).to eq("ruby")
    lines = gemfile.last.lines.map(&:strip).grep(/\Agem /)
    expect(lines).to eq(['gem "wechat_work", git: "https://…/wechat_work.git"', 'gem "sidekiq"'])
    # Offline, the wechat_work line is a path: to this checkout (the only substitution in the Gemfile).
    File.write(app.path("Gemfile"), "#{app.read("Gemfile")}\ngem \"wechat_work\", path: #{NewApp::ROOT.inspect}\n#{lines.last}\n")

    commands = @blocks.fetch(1).last.lines.map { _1.sub(/#.*/, "").strip }.reject(&:empty?)
    expect(commands).to eq(["bundle install", "bin/rails generate wechat_work:install", "bin/rails db:migrate",
                            "bin/rails wechat_work:simulator"])
    app.lock! # bundle install, offline
    generated = app.bin_rails!("generate", "wechat_work:install").output
    expect(generated).to include("config/wechat_work.yml", "config/wechat_work_simulator.yml", "spec/requests/wechat_work_callbacks_spec.rb",
                                 "wechat_work is installed")
    expect(wechat_work_lines(generated)).to eq([])
    app.bin_rails!("db:migrate")
    expect(app.read("config/environments/test.rb")).to include("config.active_job.queue_adapter = :test")
    expect(app.read("spec/rails_helper.rb")).to include('require "wechat_work/rspec"')
  end

  it "2. bin/rails wechat_work:simulator serves config/wechat_work.yml's port, corp, secret and members" do
    settings = YAML.safe_load(app.read("config/wechat_work.yml"), aliases: true).fetch("development")
    @state[:port] = Integer(settings.fetch("base_url")[/:(\d+)\z/, 1], 10)
    expect(@state[:port]).to eq(4000)
    _pid, log = app.start("bin/rails", "wechat_work:simulator", ready: /Ctrl-C/)
    banner = File.read(log)
    expect(banner).to include("WeCom simulator listening on http://127.0.0.1:4000", "corp_id:  #{settings.fetch("corp_id")}",
                              "agent_id: 1000002")
    expect(banner).not_to include(settings.fetch("secret")) # printed masked
  end

  it "3. the application.rb line, Sidekiq, and the two sends of the Quick start" do
    line = @blocks.fetch(2).last.lines.map(&:strip).grep(/\Aconfig\./).fetch(0)
    expect(line).to eq("config.active_job.queue_adapter = :sidekiq")
    application = app.read("config/application.rb")
    app.write("config/application.rb", application.sub(/(class Application < Rails::Application\n)/, "\\1    #{line}\n"))
    @state[:sidekiq], = app.start("bundle", "exec", "sidekiq", ready: /Starting processing|Booted Rails/, env: redis_env)

    code = @blocks.fetch(3).last
    expect(code).to include("WechatWork.client.send_text", "WechatWork.deliver_later")
    output = runner!(code, env: redis_env)
    expect(wechat_work_lines(output)).to eq([])
    messages = NewApp.eventually(message: "both messages delivered") { delivered.size >= 2 && delivered }
    expect(messages.map { _1.dig("text", "content") }).to eq(["Interview today 15:00", "Interview moved to 16:00"])
    expect(runner!("print WechatWork::Delivery.last.status", env: redis_env)).to eq("delivered")
  end

  it "4. the generated spec passes, as the README runs it" do
    command = @blocks.fetch(4).last.lines.first.sub(/#.*/, "").strip
    expect(command).to eq("bundle exec rspec spec/requests/wechat_work_callbacks_spec.rb")
    result = app.run(*command.split)
    expect(result).to be_success, result.output
    expect(result.output).to include("3 examples, 0 failures")
  end

  it "5. the running app answers a callback signed and encrypted as WeCom sends it" do
    port = NewApp.free_port
    app.start("bin/rails", "server", "-p", port.to_s, ready: /Listening on/, env: redis_env)
    settings = YAML.safe_load(app.read("config/wechat_work.yml"), aliases: true).fetch("development")
    sender = WechatWork::Callback::Sender.new(url: "http://127.0.0.1:#{port}/wechat_work/callback",
                                              token: settings.fetch("callback_token"),
                                              encoding_aes_key: settings.fetch("encoding_aes_key"),
                                              corp_id: settings.fetch("corp_id"), agent_id: 1_000_002)
    expect(sender.verify_url).to be_a(String)
    delivery = sender.deliver(msg_type: "event", event: "enter_agent", from_user_name: "lilei")
    expect(delivery.status).to eq(200)
    expect(delivery.reply.content).to eq("Welcome back, lilei")

    # A callback signed with another token: refused, and the log says why and what to check.
    forged = WechatWork::Callback::Sender.new(url: sender.url, token: "not-the-apps-token", corp_id: sender.corp_id,
                                              encoding_aes_key: settings.fetch("encoding_aes_key"), retries: 0)
    expect(forged.deliver(msg_type: "event", event: "enter_agent", from_user_name: "lilei").status).to eq(403)
    expect { forged.verify_url }.to raise_error(WechatWork::Error)
    log = NewApp.eventually(message: "the refusals logged") do
      text = app.read("log/development.log")
      text if text.include?("WeCom callback: GET refused 403")
    end
    expect(log).to include("WeCom callback: POST refused 403: signature mismatch (check callback_token",
                           "WeCom callback: GET refused 403: signature mismatch (check callback_token")
  end

  it "6. every rake task runs in development" do
    check = app.bin_rails("wechat_work:check")
    expect(check).to be_success, check.output
    expect(check.output).to include("wechat_work settings for development", "from config/wechat_work.yml (development:)", "ok")
    online = app.bin_rails("wechat_work:check", "ONLINE=1")
    expect(online).to be_success, online.output
    expect(online.output).to include(":default: gettoken ok")

    refresh = app.bin_rails("wechat_work:tokens:refresh")
    expect(refresh).to be_success, refresh.output
    expect(refresh.output).to match(/wechat_work: default access_token: (fetched|fresh), \d+ s left/)

    # The sweeper after a crash: Sidekiq gone mid-burst, its queue lost, the rows left pending.
    app.stop(@state.fetch(:sidekiq), "KILL")
    before = delivered.size
    runner!("20.times { |i| WechatWork.deliver_later(to: 'lilei', msgtype: :text, content: \"burst \#{i}\") }", env: redis_env)
    app.run!("redis-cli", "-u", redis_env.fetch("REDIS_URL"), "DEL", "queue:default")
    sweep = app.bin_rails("wechat_work:deliveries:sweep", env: redis_env.merge("OLDER_THAN" => "0"))
    expect(sweep).to be_success, sweep.output
    expect(sweep.output).to include("wechat_work: re-enqueued 20 deliveries older than 0 s")
    @state[:sidekiq], = app.start("bundle", "exec", "sidekiq", ready: /Starting processing|Booted Rails/, env: redis_env)
    NewApp.eventually(message: "the swept deliveries delivered") { delivered.size >= before + 20 }
    burst = delivered.drop(before).map { _1.dig("text", "content") }
    expect(burst.sort).to eq((0...20).map { "burst #{_1}" }.sort)

    app.bin_rails!("generate", "model", "User", "name:string", "wecom_userid:string")
    app.bin_rails!("db:migrate")
    app.write("app/models/user.rb", "class User < ApplicationRecord\n  include WechatWork::UserMapping\nend\n")
    sync = app.bin_rails("wechat_work:contacts:sync", env: { "APP" => "default" })
    expect(sync).to be_success, sync.output
    expect(sync.output).to include("wechat_work: 3 users mapped to WeCom members")
  end

  it "7. an explicit environment variable wins over the files" do
    wrong = runner("WechatWork.client.send_text(to: 'lilei', content: 'x')", env: { "WECHAT_WORK_SECRET" => "wrong" })
    expect(wrong).not_to be_success
    expect(wrong.output).to include("40001")
    elsewhere = runner("WechatWork.client.send_text(to: 'lilei', content: 'x')",
                       env: { "WECHAT_WORK_BASE_URL" => "http://127.0.0.1:#{NewApp.free_port}" })
    expect(elsewhere.output).to include("Is the WeCom simulator running? Start it with `bin/rails wechat_work:simulator`")
  end

  it "8. the development simulator knows only config/wechat_work_simulator.yml's members, as WeCom knows only the corp's" do
    typo = runner("WechatWork.client.send_text(to: 'lilie', content: 'x')")
    expect(typo).not_to be_success
    expect(typo.output).to include("WechatWork::NoValidRecipientError", "81013")
    partly = runner!("p WechatWork.client.send_text(to: %w[lilei nobody], content: 'x').invalid_users")
    expect(partly).to include('["nobody"]')
  end

  it "9. commands that only look at the app print no warnings; production boots only when configured" do
    %w[routes about].each do |command|
      result = app.bin_rails(command)
      expect(result).to be_success, result.output
      expect(wechat_work_lines(result.output)).to eq([]), "bin/rails #{command} warned:\n#{result.output}"
    end
    production = { "RAILS_ENV" => "production", "SECRET_KEY_BASE" => "x" * 64 }
    expect(app.bin_rails("routes", env: production)).to be_success

    boot = runner("p :booted", env: production)
    expect(boot).not_to be_success
    expect(boot.output).to include("wechat_work is not configured for production (checked at boot because config.eager_load is on)",
                                   "  - corp_id is missing: set WECHAT_WORK_CORP_ID",
                                   "  - secret is missing: set WECHAT_WORK_SECRET",
                                   "  - agent_id is missing: set WECHAT_WORK_AGENT_ID")
    expect(boot.output).not_to include(":booted")
    sidekiq = app.run("bundle", "exec", "sidekiq", env: production.merge(redis_env), timeout: 60)
    expect(sidekiq).not_to be_success
    expect(sidekiq.output).to include("wechat_work is not configured for production", "  - secret is missing")
    check = app.bin_rails("wechat_work:check", env: production)
    expect(check).not_to be_success
    expect(check.output).to include("MISSING corp_id is missing")

    configured = production.merge("WECHAT_WORK_CORP_ID" => "ww1", "WECHAT_WORK_SECRET" => "s", "WECHAT_WORK_AGENT_ID" => "1000002")
    expect(runner!("p :booted", env: configured)).to include(":booted")
  end

  def redis_env = { "REDIS_URL" => ENV.fetch("REDIS_URL", "redis://127.0.0.1:6379/0") }
end
