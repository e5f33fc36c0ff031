# frozen_string_literal: true

H = CallbackHelpers unless defined?(H)

# Several apps of one corp: each its own secret, agent id, token and tickets.
RSpec.describe "Several apps in one corp" do
  APPROVALS_SECRET = "approvals-secret-0123456789abcdef"

  around do |example|
    WechatWork::Simulator.run(apps: [{ name: "approvals", secret: APPROVALS_SECRET, agent_id: 1_000_003 }]) do |sim|
      @sim = sim
      example.run
    end
  end

  after { WechatWork.reset! }

  let(:sim) { @sim }
  let(:default_app) { WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret, agent_id: sim.agent_id, base_url: sim.base_url) }
  let(:approvals) { WechatWork::Client.new(corp_id: sim.corp_id, secret: APPROVALS_SECRET, agent_id: 1_000_003, base_url: sim.base_url) }

  def key(client, kind) = client.instance_variable_get(:@native)._credential_key(kind)

  def configure!
    WechatWork.configure do |c|
      c.corp_id = sim.corp_id
      c.secret = sim.secret
      c.agent_id = sim.agent_id
      c.base_url = sim.base_url
      c.app :approvals, secret: APPROVALS_SECRET, agent_id: 1_000_003
    end
  end

  it "never shares a token or a ticket between two apps, even under 32 threads at once" do
    sim.inject(:latency, seconds: 0.1, path: "gettoken", times: 2)
    results = Array.new(32) do |i|
      client = i.even? ? default_app : approvals
      Thread.new { [i.even?, client.access_token, client.agent_ticket, client.jsapi_ticket] }
    end.map(&:value)
    by_app = results.group_by(&:first).transform_values { |rows| rows.map { |r| r[1..] }.uniq }
    expect(by_app.values.map(&:size)).to eq([1, 1]) # one token and ticket pair per app
    default_token, default_agent_ticket, default_corp_ticket = by_app.fetch(true).first
    approvals_token, approvals_agent_ticket, approvals_corp_ticket = by_app.fetch(false).first

    expect(default_token).not_to eq(approvals_token)
    expect(default_agent_ticket).not_to eq(approvals_agent_ticket)
    # The corp ticket is the corp's (WeCom issues one per corp), cached per app key.
    expect(default_corp_ticket).to eq(approvals_corp_ticket)
    expect(sim.request_count("gettoken")).to eq(2)
    expect(sim.request_count("ticket/get")).to eq(2)
    expect(sim.request_count("get_jsapi_ticket")).to eq(2)

    # The simulator never hands one app's token to the other: each works only with its own agent id.
    expect(default_app.send_text(to: "lilei", content: "x").msgid).to be_a(String)
    expect { default_app.send_text(to: "lilei", content: "x", agent_id: 1_000_003) }.to raise_error(WechatWork::WrongAgentError)
    expect(approvals.send_text(to: "lilei", content: "y").msgid).to be_a(String)
    expect(sim.messages.map { |m| m["agentid"] }).to eq([1_000_002, 1_000_003])
  end

  it "keys every credential by corp and secret (and agent id for the agent ticket)" do
    %w[access_token jsapi_ticket agent_ticket].each do |kind|
      expect(key(default_app, kind)).not_to eq(key(approvals, kind))
      expect(key(default_app, kind)).not_to include(sim.secret)
      expect(key(approvals, kind)).to start_with("wechat_work:#{kind}:#{sim.corp_id}:")
    end
    expect(key(approvals, "agent_ticket")).to start_with("wechat_work:agent_ticket:#{sim.corp_id}:1000003:")
    # The same app (same secret) shares its credentials between clients of the process.
    same = WechatWork::Client.new(corp_id: sim.corp_id, secret: APPROVALS_SECRET, agent_id: 1_000_003, base_url: sim.base_url)
    expect(key(same, "agent_ticket")).to eq(key(approvals, "agent_ticket"))
  end

  it "signs each app's wx.agentConfig with its own ticket" do
    page = "https://interviews.example.com/rooms/3"
    mine = approvals.agent_config(url: page)
    expect(mine[:agentid]).to eq("1000003")
    expect(sim.verify_js_sdk(mine, url: page)["ok"]).to be(true)
    expect(sim.verify_js_sdk(mine.merge(agentid: "1000002"), url: page)["ok"]).to be(false)
  end

  describe "301002 (a token of one app with another app's agent id)" do
    it "says which configured app to use instead" do
      configure!
      expect { WechatWork.client.send_text(to: "lilei", content: "x", agent_id: 1_000_003) }
        .to raise_error(WechatWork::WrongAgentError, /301002.*agent id 1000003 is the configured app :approvals: use WechatWork\.client\(:approvals\)/)
      expect { WechatWork.client(:approvals).post("message/send", touser: "lilei", msgtype: "text", agentid: 1_000_002, text: { content: "x" }) }
        .to raise_error(WechatWork::WrongAgentError, /use WechatWork\.client\(:default\)/)
    end

    it "says when the client's own secret and agent id are not a pair" do
      configure!
      mixed = WechatWork::Client.new(corp_id: sim.corp_id, secret: APPROVALS_SECRET, agent_id: 1_000_002, base_url: sim.base_url)
      expect { mixed.send_text(to: "lilei", content: "x") }
        .to raise_error(WechatWork::WrongAgentError, /this client's secret is not the secret of agent id 1000002/)
    end

    it "says when the agent id is no configured app" do
      server = fake_wecom
      server.on("message/send") { { "errcode" => 301_002, "errmsg" => "not allow operate another agent with this accesstoken." } }
      error = begin
        client_for(server).send_text(to: "lilei", content: "x", agent_id: 1_000_009)
      rescue WechatWork::WrongAgentError => e
        e
      end
      expect(error.errcode).to eq(301_002)
      expect(error.message).to include("agent id 1000009 is not a configured app (:default): add it with c.app :name")
    end
  end

  describe "WechatWork::Callback.new(:approvals)" do
    it "reads the app's callback token and EncodingAESKey from the configuration" do
      WechatWork.configure do |c|
        c.corp_id = H::CORP
        c.app :approvals, secret: "s", agent_id: 1_000_003, callback_token: H::TOKEN, encoding_aes_key: H::KEY
      end
      cb = WechatWork::Callback.new(:approvals)
      expect(cb.app).to eq(:approvals)
      expect(cb.corp_id).to eq(H::CORP)
      # wechatpy's vector was recorded in 2014: outside the window, unless it is turned off.
      vector = -> { _1.decrypt_message(H::MSG_BODY, msg_signature: H::MSG_SIG, timestamp: H::MSG_TS, nonce: H::MSG_NONCE) }
      expect { vector.call(cb) }.to raise_error(WechatWork::TimestampError)
      WechatWork.configure { |c| c.callback_timestamp_window = false }
      expect(vector.call(WechatWork::Callback.new(:approvals)).to_user_name).to eq(H::CORP)
      expect(WechatWork::Callback.new(:approvals, token: "other").verify_receive_id?).to be(true)
    end

    it "names the app's missing setting, and refuses an unknown app" do
      WechatWork.configure do |c|
        c.corp_id = H::CORP
        c.app :approvals, secret: "s", agent_id: 1_000_003
      end
      expect { WechatWork::Callback.new(:approvals) }.to raise_error(WechatWork::ConfigurationError, /c\.app :approvals, callback_token:/)
      expect { WechatWork::Callback.new(:nope) }.to raise_error(WechatWork::ConfigurationError, /no app named :nope/)
    end
  end
end
