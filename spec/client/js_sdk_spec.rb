# frozen_string_literal: true

RSpec.describe "The JS-SDK (tickets, signatures, wx.config / wx.agentConfig)" do
  OFFICIAL_TICKET = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
  PAGE = "https://interviews.example.com/rooms/3?tab=notes&lang=zh"

  describe WechatWork::JsSdk do
    it "computes WeCom's official vectors" do
      expect(described_class.signature(ticket: OFFICIAL_TICKET, noncestr: "Wm3WZYTPz0wzccnW", timestamp: 1_414_587_457,
                                       url: "http://mp.weixin.qq.com?params=value")).to eq("0f9de62fce790f9a083d5c99e95740ceb90c27ed")
      expect(described_class.signature(ticket: OFFICIAL_TICKET, noncestr: "Wm3WZYTPz0wzccnW", timestamp: "1414587457",
                                       url: "http://mp.weixin.qq.com")).to eq("f4d90daf4b3bca3078ab155816175ba34c443a7b")
    end

    it "drops the URL's #fragment" do
      sign = ->(url) { described_class.signature(ticket: "t", noncestr: "n", timestamp: 1, url: url) }
      expect(sign.call("https://a.example.com/p?x=1#/room/42")).to eq(sign.call("https://a.example.com/p?x=1"))
      expect(sign.call("https://a.example.com/p?x=1")).not_to eq(sign.call("https://a.example.com/p?x=2"))
      expect(described_class.signed_url("https://a/p#x#y")).to eq("https://a/p")
    end

    it "names bad arguments" do
      expect { described_class.signature(ticket: nil, noncestr: "n", timestamp: 1, url: "u") }.to raise_error(ArgumentError, /ticket/)
      expect { described_class.signature(ticket: "t", noncestr: "n", timestamp: "soon", url: "u") }.to raise_error(ArgumentError, /timestamp/)
    end

    it "escapes JSON for a <script> element" do
      json = described_class.json_for_script(x: "</script><script>alert(1)</script>&\u2028")
      expect(json).not_to include("<", ">", "&", "\u2028")
      expect(JSON.parse(json)).to eq("x" => "</script><script>alert(1)</script>&\u2028")
    end
  end

  context "against the simulator" do
    around do |example|
      WechatWork::Simulator.run(apps: [{ name: "approvals", secret: "approvals-#{SecureRandom.hex(8)}", agent_id: 1_000_003 }]) do |sim|
        @sim = sim
        example.run
      end
    end

    let(:sim) { @sim }
    let(:client) { sim_client }

    def sim_client(app: "default", **options)
      settings = sim.apps.find { |a| a["name"] == app }
      WechatWork::Client.new(corp_id: sim.corp_id, secret: settings["secret"], agent_id: settings["agent_id"],
                             base_url: sim.base_url, **options)
    end

    it "returns exactly what wx.config takes, signed as WeCom's client checks it" do
      config = client.js_sdk_config(url: "#{PAGE}#/notes", js_api_list: %w[scanQRCode openEnterpriseChat])
      expect(config.keys).to eq(%i[beta debug appId timestamp nonceStr signature jsApiList])
      expect(config).to include(beta: true, debug: false, appId: sim.corp_id, jsApiList: %w[scanQRCode openEnterpriseChat])
      expect(config[:timestamp]).to be_within(5).of(Time.now.to_i)
      expect(config[:nonceStr]).to match(/\A[a-zA-Z0-9]{16}\z/)
      expect(config[:signature]).to eq(WechatWork::JsSdk.signature(ticket: client.jsapi_ticket, noncestr: config[:nonceStr],
                                                                   timestamp: config[:timestamp], url: PAGE))
      expect(sim.verify_js_sdk(config, url: PAGE)).to include("ok" => true, "errMsg" => "config:ok")
      expect(sim.verify_js_sdk(config, url: "#{PAGE}&x=1")["ok"]).to be(false)
    end

    it "returns exactly what wx.agentConfig takes, signed with this app's own ticket" do
      config = client.agent_config(url: PAGE, js_api_list: %w[selectExternalContact], timestamp: 1_700_000_000, nonce_str: "n0nce")
      expect(config).to eq(corpid: sim.corp_id, agentid: "1000002", timestamp: 1_700_000_000, nonceStr: "n0nce",
                           signature: WechatWork::JsSdk.signature(ticket: client.agent_ticket, noncestr: "n0nce",
                                                                  timestamp: 1_700_000_000, url: PAGE),
                           jsApiList: %w[selectExternalContact])
      expect(client.agent_ticket).not_to eq(client.jsapi_ticket)
      expect(sim.verify_js_sdk(config, url: PAGE)).to include("ok" => true, "errMsg" => "agentConfig:ok")
      expect(sim.verify_js_sdk(config.merge(agentid: "1000003"), url: PAGE)["ok"]).to be(false)
    end

    it "caches the tickets like the token: 32 threads on a cold client make one request of each kind" do
      sim.inject(:latency, seconds: 0.2, path: "get_jsapi_ticket")
      sim.inject(:latency, seconds: 0.2, path: "ticket/get")
      configs = Array.new(32) do |i|
        Thread.new { i.even? ? client.js_sdk_config(url: PAGE) : client.agent_config(url: PAGE) }
      end.map(&:value)
      configs += Array.new(32) { Thread.new { [client.js_sdk_config(url: PAGE), client.agent_config(url: PAGE)] } }.flat_map(&:value)
      expect(sim.request_count("gettoken")).to eq(1)
      expect(sim.request_count("get_jsapi_ticket")).to eq(1)
      expect(sim.request_count("ticket/get")).to eq(1)
      expect(configs.map { |c| sim.verify_js_sdk(c, url: PAGE)["ok"] }.uniq).to eq([true])
    end

    it "recovers from a ticket the page reports as invalid: drop it (compare-and-drop), fetch a new one once" do
      old = client.js_sdk_config(url: PAGE)
      old_agent = client.agent_config(url: PAGE)
      reported = WechatWork::JsSdk.fingerprint(client.jsapi_ticket)
      sim.revoke_tickets!
      expect(sim.verify_js_sdk(old, url: PAGE)).to include("ok" => false, "errcode" => 40093)
      expect(sim.verify_js_sdk(old_agent, url: PAGE)).to include("ok" => false, "errcode" => 40093)
      # The cache cannot know: the same (revoked) ticket until the page reports it.
      expect(sim.verify_js_sdk(client.js_sdk_config(url: PAGE), url: PAGE)["errcode"]).to eq(40093)

      # A ticket younger than js_sdk_refresh_min_age is kept: the page's signature is wrong,
      # not the ticket (and refetching would not help).
      client.js_sdk_config(url: PAGE, refresh: reported)
      expect(sim.request_count("get_jsapi_ticket")).to eq(1)

      age_tickets(WechatWork::Configuration::DEFAULT_JS_SDK_REFRESH_MIN_AGE + 1)
      fresh = client.js_sdk_config(url: PAGE, refresh: reported)
      expect(sim.verify_js_sdk(fresh, url: PAGE)["ok"]).to be(true)
      expect(sim.request_count("get_jsapi_ticket")).to eq(2)
      # Other pages report the same old ticket: it is no longer the cached one, nothing is fetched.
      Array.new(8) { Thread.new { client.js_sdk_config(url: PAGE, refresh: reported) } }.each(&:join)
      expect(sim.request_count("get_jsapi_ticket")).to eq(2)

      fresh_agent = client.agent_config(url: PAGE, refresh: true)
      expect(sim.verify_js_sdk(fresh_agent, url: PAGE)["ok"]).to be(true)
      expect(sim.request_count("ticket/get")).to eq(2)
      expect { client.js_sdk_config(url: PAGE, refresh: 1) }.to raise_error(ArgumentError, /refresh:/)
    end

    # Time passes for the Ruby side (the guard's clock), as it would for every ticket.
    def age_tickets(seconds)
      now = Time.now
      allow(Time).to receive(:now).and_return(now + seconds)
    end

    describe "refreshes a page asks for (refresh:), which anyone can ask for" do
      let(:min_age) { WechatWork::Configuration::DEFAULT_JS_SDK_REFRESH_MIN_AGE }
      let(:interval) { WechatWork::Configuration::DEFAULT_JS_SDK_REFRESH_INTERVAL }

      it "are honoured for a ticket at least 5 minutes old, at most once every 10 minutes" do
        client.js_sdk_config(url: PAGE)
        client.agent_config(url: PAGE)
        10.times { client.js_sdk_config(url: PAGE, refresh: true) }
        expect(sim.request_count("get_jsapi_ticket")).to eq(1)

        age_tickets(min_age + 1)
        100.times do
          client.js_sdk_config(url: PAGE, refresh: WechatWork::JsSdk.fingerprint(client.jsapi_ticket))
          client.agent_config(url: PAGE, refresh: true)
        end
        expect(sim.request_count("get_jsapi_ticket")).to eq(2)
        expect(sim.request_count("ticket/get")).to eq(2) # each kind of ticket on its own

        age_tickets(interval - min_age)
        client.js_sdk_config(url: PAGE, refresh: true)
        expect(sim.request_count("get_jsapi_ticket")).to eq(2) # the last one was honoured less than 10 minutes ago
        age_tickets(min_age)
        client.js_sdk_config(url: PAGE, refresh: true)
        expect(sim.request_count("get_jsapi_ticket")).to eq(3)
        expect(sim.verify_js_sdk(client.js_sdk_config(url: PAGE), url: PAGE)["ok"]).to be(true)
      end

      it "are counted per app: another app of the corp has its own allowance" do
        approvals = sim_client(app: "approvals")
        [client, approvals].each { |c| c.agent_config(url: PAGE) }
        age_tickets(min_age + 1)
        [client, approvals].each { |c| 3.times { c.agent_config(url: PAGE, refresh: true) } }
        expect(sim.request_count("ticket/get")).to eq(4)
      end

      it "are counted across processes through token_store:" do
        store = WechatWork::TokenStore::Memory.new
        first = sim_client(token_store: store)
        first.js_sdk_config(url: PAGE)
        age_tickets(min_age + 1)
        first.js_sdk_config(url: PAGE, refresh: true)
        expect(sim.request_count("get_jsapi_ticket")).to eq(2)
        expect(store.keys.grep(/refresh/).size).to eq(1)

        WechatWork::JsSdk::RefreshGuard.reset! # what another process knows without the store
        second = sim_client(token_store: store)
        age_tickets(min_age + 1)
        second.js_sdk_config(url: PAGE, refresh: true)
        expect(sim.request_count("get_jsapi_ticket")).to eq(2)
      end

      it "are per process without a store, and configurable (0 turns a limit off)" do
        eager = sim_client(js_sdk_refresh_min_age: 0, js_sdk_refresh_interval: 0)
        eager.js_sdk_config(url: PAGE)
        3.times { eager.js_sdk_config(url: PAGE, refresh: true) }
        expect(sim.request_count("get_jsapi_ticket")).to eq(4)
        expect { sim_client(js_sdk_refresh_interval: -1) }.to raise_error(WechatWork::ConfigurationError, /js_sdk_refresh_interval/)
        expect { sim_client(js_sdk_refresh_min_age: "soon") }.to raise_error(WechatWork::ConfigurationError, /js_sdk_refresh_min_age/)
      end
    end

    it "shares tickets between processes through token_store: and drops a refreshed one there too" do
      store = WechatWork::TokenStore::Memory.new
      first = sim_client(token_store: store)
      ticket = first.jsapi_ticket
      key = first.instance_variable_get(:@native)._credential_key("jsapi_ticket")
      expect(key).to start_with("wechat_work:jsapi_ticket:#{sim.corp_id}:")
      expect(JSON.parse(store.read(key))).to include("value" => ticket)
      agent_key = first.instance_variable_get(:@native)._credential_key("agent_ticket")
      expect(agent_key).to start_with("wechat_work:agent_ticket:#{sim.corp_id}:1000002:")

      sim.revoke_tickets!
      age_tickets(WechatWork::Configuration::DEFAULT_JS_SDK_REFRESH_MIN_AGE + 1)
      first.js_sdk_config(url: PAGE, refresh: true)
      expect(JSON.parse(store.read(key))["value"]).not_to eq(ticket)
      expect(JSON.parse(store.read(key))["value"]).to eq(first.jsapi_ticket)
    end

    it "needs the page's full URL, and an agent id for wx.agentConfig" do
      expect { client.js_sdk_config(url: "/rooms/3") }.to raise_error(ArgumentError, /url must be the page's full URL/)
      expect { client.js_sdk_config(url: PAGE, js_api_list: "scanQRCode") }.to raise_error(ArgumentError, /js_api_list/)
      no_agent = WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret, base_url: sim.base_url)
      expect { no_agent.agent_config(url: PAGE) }.to raise_error(WechatWork::ConfigurationError, /agent_id/)
      expect { no_agent.agent_ticket }.to raise_error(WechatWork::ConfigurationError, /agent_id/)
      expect(no_agent.js_sdk_config(url: PAGE)[:appId]).to eq(sim.corp_id)
    end
  end
end
