# frozen_string_literal: true

require "active_support"
require "active_support/string_inquirer"

# base_url is where the corp secret goes (gettoken) and who answers auth/getuserinfo (who signs
# in). A base_url other than WeCom's moves neither the browser's sign-in nor, in production,
# anything over plain http:// or to a loopback stand-in unless the app says so.
RSpec.describe "base_url and security" do
  after { WechatWork.reset! }

  def client(base_url, **options)
    WechatWork::Client.new(corp_id: "wwcorp", secret: "s", agent_id: 1_000_002, base_url: base_url, **options)
  end

  def sign_in_host(base_url, **url_options)
    url = client(base_url).oauth_authorize_url(redirect_uri: "https://hr.example.com/x", state: "s", **url_options)
    url[%r{\A[^/]+//[^/]+}]
  end

  def qr_host(base_url) = client(base_url).qr_login_url(redirect_uri: "https://hr.example.com/x", state: "s")[%r{\A[^/]+//[^/]+}]

  describe "the sign-in pages' host" do
    it "is WeCom's for any base_url that is not on this machine (a proxy, a leftover setting, an attacker's)" do
      ["https://qyapi.weixin.qq.com", "http://wecom-proxy.internal:8080", "https://evil.example", "http://10.0.0.7",
       "http://127.0.0.1.evil.example", "http://localhost.evil.example:4000", "http://0.0.0.0:4000"].each do |base_url|
        expect(sign_in_host(base_url)).to eq("https://open.weixin.qq.com"), base_url
        expect(qr_host(base_url)).to eq("https://login.work.weixin.qq.com"), base_url
      end
    end

    it "is the base_url's for a loopback one (the simulator)" do
      ["http://127.0.0.1:4000", "http://localhost:4000/", "http://[::1]:4000", "http://127.8.9.10:4000",
       "https://sim.localhost:4443"].each do |base_url|
        expect(sign_in_host(base_url)).to eq(base_url.chomp("/")), base_url
      end
    end

    it "follows host: when the app gives one" do
      expect(sign_in_host("http://wecom-proxy.internal:8080", host: :base_url)).to eq("http://wecom-proxy.internal:8080")
      expect(sign_in_host("http://127.0.0.1:4000", host: :wecom)).to eq("https://open.weixin.qq.com")
      expect(sign_in_host("https://qyapi.weixin.qq.com", host: "https://sso.example.com")).to eq("https://sso.example.com")
    end
  end

  describe "in production" do
    INSECURE = ["http://wecom-proxy.internal:8080", "http://qyapi.weixin.qq.com", "http://127.0.0.1:4000", "https://localhost:4443"].freeze

    around do |example|
      saved = ENV.to_h.slice("RACK_ENV", "APP_ENV")
      ENV["RACK_ENV"] = "production"
      example.run
    ensure
      %w[RACK_ENV APP_ENV].each { |name| saved.key?(name) ? ENV[name] = saved[name] : ENV.delete(name) }
    end

    it "refuses an http:// or loopback base_url in Client.new outside Rails (RACK_ENV or APP_ENV), saying how to allow it" do
      hide_const("Rails") if defined?(::Rails)
      INSECURE.each do |base_url|
        expect { client(base_url) }.to raise_error(WechatWork::ConfigurationError) { |e|
          expect(e.message).to include(base_url, "allow_insecure_base_url: true", "proxy")
        }
      end
      expect(client("https://qyapi.weixin.qq.com").base_url).to eq("https://qyapi.weixin.qq.com")
      expect(client("https://wecom-gateway.example.com").base_url).to eq("https://wecom-gateway.example.com")
      expect(client("http://127.0.0.1:4000", allow_insecure_base_url: true).base_url).to eq("http://127.0.0.1:4000")
      WechatWork.configure { |c| c.allow_insecure_base_url = true }
      expect(client("http://wecom-proxy.internal:8080").base_url).to eq("http://wecom-proxy.internal:8080")
      ENV.delete("RACK_ENV")
      ENV["APP_ENV"] = "production"
      expect { client("http://127.0.0.1:4000", allow_insecure_base_url: false) }.to raise_error(WechatWork::ConfigurationError)
    end

    it "follows Rails.env inside Rails" do
      stub_const("Rails", Module.new) unless defined?(::Rails)
      allow(::Rails).to receive(:env).and_return(ActiveSupport::StringInquirer.new("development"))
      expect(client("http://127.0.0.1:4000").base_url).to eq("http://127.0.0.1:4000")
      allow(::Rails).to receive(:env).and_return(ActiveSupport::StringInquirer.new("production"))
      ENV.delete("RACK_ENV")
      expect { client("http://127.0.0.1:4000") }.to raise_error(WechatWork::ConfigurationError, /allow_insecure_base_url/)
    end

    it "refuses nothing outside production" do
      hide_const("Rails") if defined?(::Rails)
      ENV["RACK_ENV"] = "development"
      INSECURE.each { |base_url| expect(client(base_url).base_url).to eq(base_url) }
      expect { client("http://x", allow_insecure_base_url: "yes") }.to raise_error(WechatWork::ConfigurationError, /allow_insecure_base_url must be true or false/)
    end
  end

  describe WechatWork::Rails::BootCheck do
    def config(**settings)
      WechatWork::Configuration.new(env: {}).tap do |c|
        { corp_id: "ww1", secret: "s", agent_id: 1_000_002 }.merge(settings).each { |key, value| c.public_send(:"#{key}=", value) }
      end
    end

    it "lists an http:// or loopback base_url as a problem in production, with how to allow it" do
      INSECURE.each do |base_url|
        problems = described_class.new(config(base_url: base_url), env: "production").problems
        expect(problems.size).to eq(1), base_url
        expect(problems.first).to include("base_url #{base_url}", "allow_insecure_base_url: true under production: in config/wechat_work.yml",
                                          "c.allow_insecure_base_url = true", "proxy")
      end
      expect(described_class.new(config(base_url: "http://127.0.0.1:4000"), env: "development").problems).to eq([])
      expect(described_class.new(config(base_url: "https://wecom-gateway.example.com"), env: "production").problems).to eq([])
      allowed = config(base_url: "http://127.0.0.1:4000", allow_insecure_base_url: true)
      expect(described_class.new(allowed, env: "production").problems).to eq([])
    end
  end
end
