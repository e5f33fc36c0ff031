# frozen_string_literal: true

require "tmpdir"
require "wechat_work/rails/settings_loader"

RSpec.describe WechatWork::Rails::SettingsLoader do
  around do |example|
    Dir.mktmpdir do |root|
      @root = root
      FileUtils.mkdir_p(File.join(root, "config"))
      example.run
    end
  end

  def write_yaml(text) = File.write(File.join(@root, "config/wechat_work.yml"), text)
  def load(env: "development", credentials: nil) = described_class.new(root: @root, env: env, credentials: credentials)
  def configured(**kw) = load(**kw).apply(WechatWork::Configuration.new(env: {}))

  it "reads the environment's section with ERB and anchors, then credentials on top" do
    ENV["WW_TEST_CORP"] = "wwyaml"
    write_yaml(<<~YAML)
      default: &default
        corp_id: <%= ENV["WW_TEST_CORP"] %>
        agent_id: 1000002
        apps:
          approvals: { agent_id: 1000003 }
      development:
        <<: *default
        base_url: http://127.0.0.1:4000
      production:
        <<: *default
    YAML
    credentials = { wechat_work: { secret: "from-credentials", apps: { approvals: { secret: "approvals-secret" } } } }
    config = configured(credentials: credentials)
    expect(config).to have_attributes(corp_id: "wwyaml", agent_id: 1_000_002, base_url: "http://127.0.0.1:4000",
                                      secret: "from-credentials")
    expect(config.client_options(:approvals)).to include(secret: "approvals-secret", agent_id: 1_000_003, corp_id: "wwyaml")
    expect(configured(env: "production").base_url).to eq("https://qyapi.weixin.qq.com")
  ensure
    ENV.delete("WW_TEST_CORP")
  end

  it "refuses unknown settings and bad values, naming them" do
    write_yaml("development:\n  agent_idd: 1\n")
    expect { configured }.to raise_error(WechatWork::ConfigurationError, /wechat_work settings does not take agent_idd: \(did you mean agent_id:\?\); it takes corp_id:, .*, apps:/)
    write_yaml("development:\n  timeout: soon\n")
    expect { configured }.to raise_error(WechatWork::ConfigurationError, /timeout must be a positive number of seconds, got "soon"/)
    write_yaml("development: [1, 2\n")
    expect { configured }.to raise_error(WechatWork::ConfigurationError, /wechat_work.yml/)
  end

  it "reads the callback timestamp window (seconds, or false to turn it off)" do
    write_yaml("development:\n  callback_timestamp_window: 300\nproduction:\n  callback_timestamp_window: false\n")
    expect(configured.callback_timestamp_window).to eq(300)
    expect(configured(env: "production").callback_timestamp_window).to be_nil
    write_yaml("development:\n  callback_timestamp_window: 0\n")
    expect { configured }.to raise_error(WechatWork::ConfigurationError, /callback_timestamp_window must be 1 to 86400/)
  end

  it "works with neither a file nor credentials" do
    expect(configured.corp_id).to be_nil
  end
end

RSpec.describe WechatWork::Rails::SettingsLoader, "precedence: initializer > environment variable > credentials > yml > default" do
  around do |example|
    Dir.mktmpdir do |root|
      @root = root
      FileUtils.mkdir_p(File.join(root, "config"))
      example.run
    end
  end

  def write_yaml(text) = File.write(File.join(@root, "config/wechat_work.yml"), text)

  def loader(env: "development", credentials: nil, environment: {})
    described_class.new(root: @root, env: env, credentials: credentials, environment: environment)
  end

  def configured(**kw) = loader(**kw).apply(WechatWork::Configuration.new(env: {}))

  let(:yaml) { "development:\n  corp_id: wwyaml\n  secret: yaml-secret\n  agent_id: 1000002\n  base_url: http://127.0.0.1:4101\n" }

  it "1. the built-in default, with nothing set" do
    expect(configured.base_url).to eq("https://qyapi.weixin.qq.com")
    expect(configured.secret).to be_nil
  end

  it "2. the yml over the default" do
    write_yaml(yaml)
    expect(configured).to have_attributes(base_url: "http://127.0.0.1:4101", secret: "yaml-secret", corp_id: "wwyaml")
  end

  it "3. credentials over the yml, and the credentials' section for the environment over their top level" do
    write_yaml(yaml)
    credentials = { wechat_work: { secret: "shared-secret", production: { secret: "production-secret" } } }
    expect(configured(credentials: credentials).secret).to eq("shared-secret")
    expect(configured(env: "production", credentials: credentials).secret).to eq("production-secret")
    # Another environment's section never applies.
    expect(configured(env: "staging", credentials: credentials).secret).to eq("shared-secret")
  end

  it "4. an explicit WECHAT_WORK_* variable over the credentials and the yml (as DATABASE_URL over database.yml)" do
    write_yaml(yaml + "  apps:\n    approvals: { secret: yaml-approvals, agent_id: 1000003 }\n")
    credentials = { wechat_work: { secret: "credentials-secret" } }
    environment = { "WECHAT_WORK_SECRET" => "wrong", "WECHAT_WORK_BASE_URL" => "http://127.0.0.1:4999",
                    "WECHAT_WORK_APPROVALS_SECRET" => "env-approvals", "WECHAT_WORK_AGENT_ID" => "" }
    config = configured(credentials: credentials, environment: environment)
    expect(config).to have_attributes(secret: "wrong", base_url: "http://127.0.0.1:4999", agent_id: 1_000_002)
    expect(config.client_options(:approvals)).to include(secret: "env-approvals", agent_id: 1_000_003)
  end

  it "5. the initializer (WechatWork.configure, which the Railtie runs after the loader) over everything" do
    write_yaml(yaml)
    config = configured(environment: { "WECHAT_WORK_SECRET" => "from-env" })
    config.secret = "from-initializer"
    expect(config.secret).to eq("from-initializer")
    require "rails"
    require "wechat_work/railtie"
    initializer = WechatWork::Railtie.initializers.find { _1.name == "wechat_work.settings" }
    expect(initializer.before).to eq(:load_config_initializers)
  end

  it "says where each value came from" do
    write_yaml(yaml + "  apps:\n    approvals: { agent_id: 1000003 }\n")
    sources = loader(credentials: { wechat_work: { secret: "s", apps: { approvals: { secret: "a" } } } },
                     environment: { "WECHAT_WORK_CORP_ID" => "wwenv" }).sources
    expect(sources).to include(corp_id: "WECHAT_WORK_CORP_ID", secret: "credentials (wechat_work:)",
                               agent_id: "config/wechat_work.yml (development:)")
    expect(sources[:apps][:approvals]).to eq(agent_id: "config/wechat_work.yml (development:)", secret: "credentials (wechat_work:)")
  end
end
