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

  it "works with neither a file nor credentials" do
    expect(configured.corp_id).to be_nil
  end
end
