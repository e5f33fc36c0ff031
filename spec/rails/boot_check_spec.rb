# frozen_string_literal: true

RSpec.describe WechatWork::Rails::BootCheck do
  def config(**settings)
    WechatWork::Configuration.new(env: {}).tap do |c|
      settings.each { |key, value| c.public_send(:"#{key}=", value) }
    end
  end

  it "lists every missing setting at once, each with where to set it" do
    c = config
    c.app :approvals, agent_id: 1_000_003
    problems = described_class.new(c, env: "production").problems
    expect(problems).to eq([
      "corp_id is missing: set WECHAT_WORK_CORP_ID, or corp_id: under production: in config/wechat_work.yml, " \
      "or c.corp_id = ... in config/initializers/wechat_work.rb",
      "secret is missing: set WECHAT_WORK_SECRET, or wechat_work: production: secret: in the credentials " \
      "(bin/rails credentials:edit), or c.secret = ... in config/initializers/wechat_work.rb",
      "agent_id is missing: set WECHAT_WORK_AGENT_ID, or agent_id: under production: in config/wechat_work.yml, " \
      "or c.agent_id = ... in config/initializers/wechat_work.rb",
      "app :approvals: secret is missing: set WECHAT_WORK_APPROVALS_SECRET, or wechat_work: production: apps: approvals: " \
      "secret: in the credentials (bin/rails credentials:edit), or c.app :approvals, secret: ... in config/initializers/wechat_work.rb"
    ])
  end

  it "raises one ConfigurationError holding them all" do
    expect { described_class.new(config(corp_id: "ww1"), env: "production").check!(context: "checked at boot") }
      .to raise_error(WechatWork::Rails::BootCheck::IncompleteError) { |e|
        expect(e).to be_a(WechatWork::ConfigurationError)
        expect(e.problems.size).to eq(2)
        expect(e.message).to start_with("wechat_work is not configured for production (checked at boot):\n  - secret is missing")
        expect(e.message).to include("\n  - agent_id is missing", "bin/rails wechat_work:check")
      }
  end

  it "passes a complete configuration, and refuses half of a callback pair" do
    complete = config(corp_id: "ww1", secret: "s", agent_id: 1_000_002)
    expect(described_class.new(complete, env: "production").check!(context: "x")).to be(true)
    complete.callback_token = "token"
    expect(described_class.new(complete, env: "production").problems)
      .to eq(["encoding_aes_key is missing while callback_token is set (WeCom's 接收消息 settings come in pairs): set " \
              "WECHAT_WORK_ENCODING_AES_KEY, or wechat_work: production: encoding_aes_key: in the credentials " \
              "(bin/rails credentials:edit), or c.encoding_aes_key = ... in config/initializers/wechat_work.rb"])
  end
end

RSpec.describe WechatWork::Rails::SimulatorCommand do
  let(:configuration) do
    WechatWork::Configuration.new(env: {}).tap do |c|
      c.corp_id = "wwapp"
      c.secret = "app-secret"
      c.agent_id = 1_000_005
      c.base_url = "http://127.0.0.1:4101"
      c.callback_token = "tok"
      c.encoding_aes_key = "k" * 43
      c.app :approvals, secret: "approvals-secret", agent_id: 1_000_006
      c.app :contacts, secret: "contacts-secret"
    end
  end

  it "serves base_url's host and port and the app's corp, apps and callback settings, secrets in the environment" do
    env, ruby, exe, *args = described_class.new(configuration, environment: {}).argv
    expect([ruby, File.basename(exe)]).to eq([Gem.ruby, "wechat_work"])
    expect(args).to eq(%w[simulator --host 127.0.0.1 --port 4101 --app approvals:approvals-secret:1000006])
    expect(env).to include("WECHAT_WORK_CORP_ID" => "wwapp", "WECHAT_WORK_SECRET" => "app-secret",
                           "WECHAT_WORK_AGENT_ID" => "1000005", "WECHAT_WORK_CALLBACK_TOKEN" => "tok")
  end

  it "refuses a base_url that is not a local simulator" do
    configuration.base_url = "https://qyapi.weixin.qq.com"
    expect { described_class.new(configuration) }
      .to raise_error(WechatWork::ConfigurationError, %r{base_url is https://qyapi.weixin.qq.com, not a local simulator})
  end
end
