# frozen_string_literal: true

require "logger"
require "active_support"
require "active_support/cache"
require "active_support/notifications"

RSpec.describe WechatWork::Configuration do
  after { WechatWork.reset! }

  def configure(&block) = WechatWork.configure(&block)

  describe "checked at boot" do
    it "raises ConfigurationError in the initializer for a bad value, naming the setting" do
      {
        base_url: [["https://qyapi.weixin.qq.com/cgi-bin", %r{ends in /cgi-bin}], ["qyapi.weixin.qq.com", /has no scheme/], [42, /base_url must be a String/]],
        timeout: [["abc", /timeout must be a positive number of seconds, got "abc"/], [0, /timeout/], [Float::NAN, /timeout/]],
        logger: [["x", /logger must respond to debug, info, warn, error .* got "x" \(String\)/]],
        token_store: [[Object.new, /token_store must respond to read and write .* got Object/]],
        agent_id: [["abc", /agent_id must be the app's AgentId, a positive Integer, got "abc"/], [-1, /agent_id/]],
        max_retries: [[-1, /max_retries must be an Integer from 0 to 10/]],
        duplicate_check_interval: [[99_999, /duplicate_check_interval must be 1 to 14400 seconds/]],
        callback_timestamp_window: [[0, /callback_timestamp_window must be 1 to 86400 seconds \(or false/], ["soon", /got "soon"/],
                                    [true, /got true/], [86_401, /86400/]]
      }.each do |setting, cases|
        cases.each do |value, message|
          expect { configure { |c| c.public_send(:"#{setting}=", value) } }
            .to raise_error(WechatWork::ConfigurationError, message), "#{setting} = #{value.inspect}"
        end
      end
    end

    it "accepts what a Rails app passes: digit Strings from ENV, Durations, Rails-like loggers" do
      configure do |c|
        c.agent_id = "1000002"
        c.timeout = 2.5
        c.logger = Logger.new(nil)
        c.base_url = "http://127.0.0.1:4000/"
      end
      expect(WechatWork.configuration.agent_id).to eq(1_000_002)
      expect(WechatWork.configuration.timeout).to eq(2.5)
    end

    it "has a callback timestamp window of 10 minutes, settable, off with false or nil, kept away from the client" do
      expect(WechatWork.configuration.callback_timestamp_window).to eq(600)
      configure { |c| c.callback_timestamp_window = "120" }
      expect(WechatWork.configuration.callback_options).to include(timestamp_window: 120)
      configure { |c| c.callback_timestamp_window = false }
      expect(WechatWork.configuration.callback_timestamp_window).to be_nil
      configure { |c| c.callback_timestamp_window = 300 }
      expect(WechatWork::Configuration::SHARED_SETTINGS).to include(:callback_timestamp_window)
      expect(WechatWork.configuration.client_options).not_to have_key(:callback_timestamp_window)
      configure do |c|
        c.corp_id = "wwcorp"
        c.secret = "s"
      end
      expect(WechatWork.client).to be_a(WechatWork::Client) # Client.new refuses unknown keywords
    end

    it "names the environment variable when ENV holds a bad value" do
      expect { described_class.new(env: { "WECHAT_WORK_AGENT_ID" => "12a" }) }
        .to raise_error(WechatWork::ConfigurationError, /\AWECHAT_WORK_AGENT_ID: agent_id must be/)
      expect { described_class.new(env: { "WECHAT_WORK_BASE_URL" => "localhost:4000" }) }
        .to raise_error(WechatWork::ConfigurationError, /\AWECHAT_WORK_BASE_URL: base_url "localhost:4000" has no scheme/)
    end
  end

  describe "caches that cannot share" do
    before { WechatWork::Stores.reset! }

    def in_rails_env(name)
      stub_const("Rails", Module.new) unless defined?(::Rails)
      allow(::Rails).to receive(:env).and_return(ActiveSupport::StringInquirer.new(name))
    end

    it "warns once in production when the token store is a NullStore or a MemoryStore, naming the token store's fix" do
      in_rails_env("production")
      expect { configure { |c| c.token_store = ActiveSupport::Cache::NullStore.new } }
        .to output(/token_store is ActiveSupport::Cache::NullStore: a NullStore keeps nothing .* each process fetches its own access token. To share it, .*c.token_store = WechatWork::TokenStore::Redis/).to_stderr
      expect { configure { |c| c.token_store = ActiveSupport::Cache::NullStore.new } }.not_to output.to_stderr
      expect { configure { |c| c.token_store = ActiveSupport::Cache::MemoryStore.new } }
        .to output(/MemoryStore is private to each process/).to_stderr
    end

    it "says nothing in development and tests, where one process does all a shared cache would" do
      %w[development test].each do |env|
        in_rails_env(env)
        expect { configure { |c| c.token_store = ActiveSupport::Cache::MemoryStore.new } }.not_to output.to_stderr
      end
    end

    it "says nothing for a store that shares" do
      in_rails_env("production")
      expect { configure { |c| c.token_store = WechatWork::TokenStore::Memory.new } }.not_to output.to_stderr
    end

    it "warns in production when the callback dedupe store is a NullStore, naming the router's setting, and dedupes in memory" do
      in_rails_env("production")
      cb = WechatWork::Callback.new(token: "t", encoding_aes_key: "a" * 43, corp_id: "ww1")
      router = nil
      expect { router = WechatWork::Callback::Router.new(cb, dedupe: ActiveSupport::Cache::NullStore.new) }
        .to output(/dedupe store is ActiveSupport::Cache::NullStore.*WeCom's retries can run a handler again.*settings dedupe: -> \{ Rails.cache \}/).to_stderr
      expect(router.dedupe.claim("msg-1")).to be(true)
      expect(router.dedupe.claim("msg-1")).to be(false)
      expect(router.dedupe.store).not_to be_a(ActiveSupport::Cache::NullStore)
    end
  end

  describe "named apps" do
    it "builds one client per app, sharing the corp id and settings, with its own secret" do
      configure do |c|
        c.corp_id = "ww1"
        c.secret = "default-secret"
        c.agent_id = 1_000_002
        c.timeout = 3
        c.app :approvals, secret: "approvals-secret", agent_id: 1_000_003
      end
      default = WechatWork.client
      approvals = WechatWork.client(:approvals)
      expect(approvals).to be(WechatWork.client("approvals"))
      expect([default.agent_id, approvals.agent_id]).to eq([1_000_002, 1_000_003])
      expect(approvals.corp_id).to eq("ww1")
      expect(approvals.timeout).to eq(3.0)
      expect(approvals.inspect).to include("app=:approvals").and(include("secret=[FILTERED]"))
      expect(approvals.inspect).not_to include("approvals-secret")
      expect(WechatWork.configuration.app_for_agent(1_000_003)).to eq(:approvals)
    end

    it "refuses unknown app settings and unknown app names" do
      expect { configure { |c| c.app :approvals, secrett: "x" } }
        .to raise_error(ArgumentError, "app(:approvals) does not take secrett: (did you mean secret:?); " \
                                       "it takes corp_id:, secret:, agent_id:, callback_token:, encoding_aes_key:")
      expect { configure { |c| c.app :x, agent_id: "abc" } }.to raise_error(WechatWork::ConfigurationError, /agent_id/)
      expect { WechatWork.client(:nope) }.to raise_error(WechatWork::ConfigurationError, /no app named :nope; configured: :default/)
    end
  end
end

RSpec.describe "Logging and instrumentation never break a call" do
  let(:server) { fake_wecom }

  it "a logger whose debug raises does not turn a delivered message into an exception" do
    angry = Class.new(Logger) { def debug(*) = raise(NoMethodError, "boom") }.new(nil)
    client = client_for(server, logger: angry)
    response = nil
    expect { response = client.send_text(to: "a", content: "x") }.to output(/the logger raised NoMethodError: boom/).to_stderr
    expect(response.msgid).to eq("fake-msg-1")
    expect(server.delivered.size).to eq(1)
  end

  it "refuses a logger that is not one" do
    expect { client_for(server, logger: "x") }.to raise_error(WechatWork::ConfigurationError, /logger must respond to debug/)
  end

  it "a subscriber that raises does not break the call" do
    subscriber = ActiveSupport::Notifications.subscribe("request.wechat_work") { raise "subscriber bug" }
    client = client_for(server)
    response = nil
    expect { response = client.send_text(to: "b", content: "x") }.to output(/subscriber.*raised RuntimeError: subscriber bug/).to_stderr
    expect(response.msgid).not_to be_nil
  ensure
    ActiveSupport::Notifications.unsubscribe(subscriber)
  end

  it "publishes request.wechat_work around the call, so event.duration is the call's duration" do
    server.on("message/send") do
      sleep 0.05
      { "errcode" => 0, "errmsg" => "ok", "msgid" => "slow" }
    end
    events = []
    subscriber = ActiveSupport::Notifications.subscribe("request.wechat_work") { |*args| events << ActiveSupport::Notifications::Event.new(*args) }
    client_for(server).send_text(to: "a", content: "x")
    expect(events.size).to eq(1)
    expect(events.first.duration).to be >= 50.0 # milliseconds: the event spans the HTTP call
    expect(events.first.payload[:attempts].last[:duration]).to be >= 0.05
  ensure
    ActiveSupport::Notifications.unsubscribe(subscriber)
  end

  it "records the exception of a failed call in the event" do
    server.on("message/send") { { "errcode" => 60020, "errmsg" => "not allow to access from your ip" } }
    events = []
    subscriber = ActiveSupport::Notifications.subscribe("request.wechat_work") { |*args| events << args.last }
    expect { client_for(server).send_text(to: "a", content: "x") }.to raise_error(WechatWork::IpNotAllowedError)
    expect(events.last[:exception]).to eq(["WechatWork::IpNotAllowedError", events.last[:exception_object].message])
    expect(events.last[:errcode]).to eq(60_020)
  ensure
    ActiveSupport::Notifications.unsubscribe(subscriber)
  end
end
