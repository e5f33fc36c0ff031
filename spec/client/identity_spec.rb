# frozen_string_literal: true

RSpec.describe WechatWork::Client, "identity (sign-in URLs, code exchange, user detail)" do
  around do |example|
    WechatWork::Simulator.run(apps: [{ name: "approvals", secret: "approvals-#{SecureRandom.hex(8)}", agent_id: 1_000_003 }]) do |sim|
      @sim = sim
      example.run
    end
  end

  let(:sim) { @sim }
  let(:client) { sim_client }
  let(:approvals) { sim_client(app: "approvals") }
  let(:callback) { "https://interviews.example.com/rooms/3?tab=notes" }

  def sim_client(app: "default")
    settings = sim.apps.find { |a| a["name"] == app }
    WechatWork::Client.new(corp_id: sim.corp_id, secret: settings["secret"], agent_id: settings["agent_id"], base_url: sim.base_url)
  end

  # A code the simulator's page issues for `who` (auto_login), through the URL the client built.
  def code_for(url, who: "lilei")
    sim.auto_login = who
    answer = sim_get(url)
    expect(answer.code).to eq("302")
    query_of(answer["location"]).fetch("code")
  end

  describe "#oauth_authorize_url" do
    it "builds WeCom's URL with the default base_url: parameters in WeCom's order, agentid, #wechat_redirect" do
      wecom = WechatWork::Client.new(corp_id: "wwcorp", secret: "s", agent_id: 1_000_002)
      url = wecom.oauth_authorize_url(redirect_uri: "http://api.3dept.com/cgi-bin/query?action=get", state: "abc123")
      expect(url).to eq("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wwcorp" \
                        "&redirect_uri=http%3A%2F%2Fapi.3dept.com%2Fcgi-bin%2Fquery%3Faction%3Dget" \
                        "&response_type=code&scope=snsapi_base&state=abc123&agentid=1000002#wechat_redirect")
      expect(wecom.oauth_authorize_url(redirect_uri: callback, state: "s", scope: :private_info)).to include("scope=snsapi_privateinfo")
      expect(wecom.oauth_authorize_url(redirect_uri: callback, state: "s", scope: "snsapi_privateinfo")).to include("scope=snsapi_privateinfo")
    end

    it "is built on the simulator when base_url points there, with no other setting" do
      url = client.oauth_authorize_url(redirect_uri: callback, state: "s1")
      expect(url).to start_with("#{sim.base_url}/connect/oauth2/authorize?appid=#{sim.corp_id}&")
    end

    it "keeps WeCom's hosts for a base_url not on this machine, unless host: says otherwise" do
      proxied = WechatWork::Client.new(corp_id: "wwcorp", secret: "s", agent_id: 1, base_url: "http://wecom-proxy.internal:8080")
      expect(proxied.oauth_authorize_url(redirect_uri: callback, state: "s")).to start_with("https://open.weixin.qq.com/connect/")
      expect(proxied.oauth_authorize_url(redirect_uri: callback, state: "s", host: :base_url)).to start_with("http://wecom-proxy.internal:8080/connect/")
      expect(client.oauth_authorize_url(redirect_uri: callback, state: "s", host: :wecom)).to start_with("https://open.weixin.qq.com/connect/")
      expect(proxied.qr_login_url(redirect_uri: callback, state: "s", host: :wecom)).to start_with("https://login.work.weixin.qq.com/wwlogin/sso/login?")
      expect(proxied.qr_login_url(redirect_uri: callback, state: "s", host: "https://sso.example.com/")).to start_with("https://sso.example.com/wwlogin/")
    end

    it "refuses what WeCom would refuse, naming the argument" do
      expect { client.oauth_authorize_url(redirect_uri: callback, state: "a-b") }.to raise_error(ArgumentError, /state must be 1 to 128 letters and digits/)
      expect { client.oauth_authorize_url(redirect_uri: callback, state: "a" * 129) }.to raise_error(ArgumentError, /state/)
      expect { client.oauth_authorize_url(redirect_uri: callback, state: "") }.to raise_error(ArgumentError, /state/)
      expect { client.oauth_authorize_url(redirect_uri: "/rooms/3", state: "s") }.to raise_error(ArgumentError, /redirect_uri must be an absolute/)
      expect { client.oauth_authorize_url(redirect_uri: callback, state: "s", scope: :userinfo) }.to raise_error(ArgumentError, /scope: must be :base/)
      expect { client.oauth_authorize_url(redirect_uri: callback, state: "s", host: 5) }.to raise_error(ArgumentError, /host:/)
      no_agent = WechatWork::Client.new(corp_id: "wwcorp", secret: "s")
      expect { no_agent.oauth_authorize_url(redirect_uri: callback, state: "s") }.to raise_error(WechatWork::ConfigurationError, /agent_id/)
      expect(client.oauth_authorize_url(redirect_uri: callback, state: "a" * 128)).to include("state=#{"a" * 128}&")
    end
  end

  describe "#qr_login_url" do
    it "builds the current web login URL (login_type=CorpApp)" do
      wecom = WechatWork::Client.new(corp_id: "wwcorp", secret: "s", agent_id: 1_000_002)
      expect(wecom.qr_login_url(redirect_uri: "https://a.example.com/cb", state: "xyz", lang: "en"))
        .to eq("https://login.work.weixin.qq.com/wwlogin/sso/login?login_type=CorpApp&appid=wwcorp&agentid=1000002" \
               "&redirect_uri=https%3A%2F%2Fa.example.com%2Fcb&state=xyz&lang=en")
      expect { wecom.qr_login_url(redirect_uri: callback, state: "s", lang: "fr") }.to raise_error(ArgumentError, /lang:/)
    end
  end

  describe "#user_from_code" do
    it "answers a member's userid (scope :base: no user ticket) and refuses the code the second time (40029)" do
      code = code_for(client.oauth_authorize_url(redirect_uri: callback, state: "s"))
      who = client.user_from_code(code)
      expect(who).to be_a(WechatWork::OAuthUser)
      expect(who).to be_member
      expect(who.userid).to eq("lilei")
      expect(who.user_ticket).to be_nil
      expect { client.user_from_code(code) }.to raise_error(WechatWork::InvalidCodeError, /40029/)
    end

    it "refuses a code older than 5 minutes" do
      code = code_for(client.qr_login_url(redirect_uri: callback, state: "s"))
      sim.advance_time(301)
      expect { client.user_from_code(code) }.to raise_error(WechatWork::InvalidCodeError)
    end

    it "answers someone who is not a member with an openid" do
      who = client.user_from_code(code_for(client.oauth_authorize_url(redirect_uri: callback, state: "s"), who: :visitor))
      expect(who).not_to be_member
      expect(who.openid).to match(/\Ao/)
      expect(who.userid).to be_nil
    end

    it "refuses another app's code with 50001, without using it up" do
      code = code_for(approvals.oauth_authorize_url(redirect_uri: callback, state: "s"))
      expect { client.user_from_code(code) }.to raise_error(WechatWork::PermissionError, /50001/)
      expect(approvals.user_from_code(code).userid).to eq("lilei")
    end

    it "reads the legacy capitalised fields (user/getuserinfo)" do
      server = fake_wecom
      server.on("auth/getuserinfo") { { "errcode" => 0, "errmsg" => "ok", "UserId" => "lilei", "DeviceId" => "d1" } }
      who = client_for(server).user_from_code("CODE")
      expect([who.userid, who.deviceid, who.member?]).to eq(["lilei", "d1", true])
      server.on("auth/getuserinfo") { { "errcode" => 0, "errmsg" => "ok", "OpenId" => "oX", "external_userid" => "wmY" } }
      who = client_for(server).user_from_code("CODE")
      expect([who.openid, who.external_userid, who.member?]).to eq(["oX", "wmY", false])
      expect(server.requests.last.params["code"]).to eq("CODE")
    end

    it "checks the code before any request" do
      expect { client.user_from_code(nil) }.to raise_error(ArgumentError, /code is missing/)
      expect { client.user_from_code("x" * 513) }.to raise_error(ArgumentError, /512/)
      expect(sim.request_count("auth/getuserinfo")).to eq(0)
    end
  end

  describe "#user_detail" do
    it "answers what the member shared through scope :private_info, even to an app user/get withholds it from" do
      who = client.user_from_code(code_for(client.oauth_authorize_url(redirect_uri: callback, state: "s", scope: :private_info), who: "hanmeimei"))
      expect(who.user_ticket).to be_a(String)
      expect(who.inspect).not_to include(who.user_ticket)
      detail = client.user_detail(who)
      expect(detail.userid).to eq("hanmeimei")
      expect(detail.mobile).to eq("13800000002")
      expect(detail.email).to eq("hanmeimei@example.com")
      expect(client.user_detail(who.user_ticket).mobile).to eq("13800000002")
      expect(client.user("hanmeimei").to_h).not_to have_key("mobile")
    end

    it "raises 84014 once the ticket is 30 minutes old" do
      who = client.user_from_code(code_for(client.oauth_authorize_url(redirect_uri: callback, state: "s", scope: :private_info)))
      sim.advance_time(1801)
      expect { client.user_detail(who) }.to raise_error(WechatWork::InvalidCodeError, /84014/)
    end

    it "says why there is no ticket for a :base or web login" do
      who = client.user_from_code(code_for(client.qr_login_url(redirect_uri: callback, state: "s")))
      expect { client.user_detail(who) }.to raise_error(ArgumentError, /scope: :private_info/)
    end
  end
end
