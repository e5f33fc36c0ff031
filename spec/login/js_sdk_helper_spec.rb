# frozen_string_literal: true

begin
  require "action_controller"
  require "rack/test"
rescue LoadError => e
  warn "skipping the JS-SDK helper specs: #{e.message} (apt-get install ruby-actionpack)"
end

if defined?(ActionController::Base)
  # The view helper: a page with wx.config / wx.agentConfig, checked by the simulator the way
  # WeCom's browser checks it.
  RSpec.describe WechatWork::Rails::JsSdkHelper do
    include Rack::Test::Methods

    around do |example|
      WechatWork::Simulator.run do |sim|
        @sim = sim
        WechatWork.configure do |c|
          c.corp_id = sim.corp_id
          c.secret = sim.secret
          c.agent_id = sim.agent_id
          c.base_url = sim.base_url
        end
        example.run
      ensure
        WechatWork.reset!
      end
    end

    let(:sim) { @sim }

    let(:app) do
      controller = Class.new(ActionController::Base) do
        include WechatWork::Login

        def self.name = "PagesController"

        def page
          render inline: <<~ERB
            <html><body>
            <%= wechat_work_js_sdk js_api_list: Array(params[:apis] || "scanQRCode"), agent_config: params[:agent].present?, nonce: params[:nonce] %>
            </body></html>
          ERB
        end
      end
      routes = ActionDispatch::Routing::RouteSet.new
      routes.draw { get "/rooms/:id", to: controller.action(:page) }
      routes
    end

    # The data object the script carries ({config, agentConfig, ticket, agentTicket, ...}).
    def page_data
      expect(last_response.status).to eq(200), last_response.body
      json = last_response.body[/var s = (\{.*?\});\n/, 1] or raise "no data in #{last_response.body}"
      JSON.parse(json)
    end

    it "renders the JS-SDK and a wx.config signed for the page's URL" do
      get "/rooms/3?tab=notes"
      expect(last_response.body).to include(%(<script src="#{WechatWork::JsSdk::JWEIXIN_URL}"></script>))
      expect(last_response.body).not_to include("jwxwork")
      expect(last_response.body).to include("wx.config(s.config)")
      data = page_data
      expect(data["config"]).to include("beta" => true, "appId" => sim.corp_id, "jsApiList" => ["scanQRCode"])
      expect(sim.verify_js_sdk(data["config"], url: "http://example.org/rooms/3?tab=notes")["ok"]).to be(true)
      expect(data["agentConfig"]).to be_nil
    end

    it "adds wx.agentConfig, with this app's ticket, after wx.config" do
      get "/rooms/3?agent=1"
      expect(last_response.body).to include(WechatWork::JsSdk::JWXWORK_URL, "wx.agentConfig(c)")
      data = page_data
      expect(sim.verify_js_sdk(data["agentConfig"], url: "http://example.org/rooms/3?agent=1")).to include("errMsg" => "agentConfig:ok")
      expect(sim.verify_js_sdk(data["config"], url: "http://example.org/rooms/3?agent=1")).to include("errMsg" => "config:ok")
    end

    it "escapes whatever goes into the script" do
      get "/rooms/3", apis: ["</script><script>alert(1)</script>"]
      expect(last_response.body).not_to include("<script>alert(1)")
      expect(page_data["config"]["jsApiList"]).to eq(["</script><script>alert(1)</script>"])
    end

    it "puts a CSP nonce on the tags when given one" do
      get "/rooms/3", nonce: "abc123"
      expect(last_response.body.scan('nonce="abc123"').size).to eq(2)
    end

    it "recovers from a ticket WeCom revoked early: the page reloads once with its fingerprint, one new ticket" do
      get "/rooms/3"
      old = page_data
      sim.revoke_tickets!
      expect(sim.verify_js_sdk(old["config"], url: "http://example.org/rooms/3")["errcode"]).to eq(40093)
      # What the script does on wx.error: reload with ?wechat_work_ticket=<fingerprint>.
      expect(last_response.body).to include("s.param + \"=\" + encodeURIComponent(fingerprint)")
      reloaded = "/rooms/3?wechat_work_ticket=#{old["ticket"]}"
      # A ticket younger than 5 minutes is kept (a report about one is almost always a wrong
      # signature, not a revoked ticket): the page reloads, still with it.
      get reloaded
      expect(page_data["ticket"]).to eq(old["ticket"])
      expect(sim.request_count("get_jsapi_ticket")).to eq(1)

      now = Time.now
      allow(Time).to receive(:now).and_return(now + WechatWork::Configuration::DEFAULT_JS_SDK_REFRESH_MIN_AGE + 1)
      get reloaded
      fresh = page_data
      expect(sim.verify_js_sdk(fresh["config"], url: "http://example.org#{reloaded}")["ok"]).to be(true)
      expect(fresh["ticket"]).not_to eq(old["ticket"])
      expect(sim.request_count("get_jsapi_ticket")).to eq(2)
      # More pages reporting the old ticket (or a forged fingerprint) fetch nothing more.
      get reloaded
      get "/rooms/3?wechat_work_ticket=#{"0" * 16}"
      get "/rooms/3?wechat_work_ticket=not-a-fingerprint"
      expect(sim.request_count("get_jsapi_ticket")).to eq(2)
    end

    # Every page shows its ticket's fingerprint, so anyone can report it: 100 reports in a row
    # (each of the fingerprint the last page showed) fetch one new ticket, and WeCom's quota
    # (100 fetches an hour per app) is never reached.
    it "fetches at most one new ticket for 100 forced refreshes, and the quota is never reached" do
      get "/rooms/3?agent=1"
      expect(sim.request_count("get_jsapi_ticket")).to eq(1)
      now = Time.now
      allow(Time).to receive(:now).and_return(now + WechatWork::Configuration::DEFAULT_JS_SDK_REFRESH_MIN_AGE + 1)
      100.times do
        data = page_data
        get "/rooms/3?agent=1&wechat_work_ticket=#{data["ticket"]}"
        expect(last_response.status).to eq(200)
        get "/rooms/3?agent=1&wechat_work_ticket=#{page_data["agentTicket"]}"
      end
      expect(sim.request_count("get_jsapi_ticket")).to eq(2)
      expect(sim.request_count("ticket/get")).to eq(2)
      expect(sim.requests.map { |r| r["errcode"] }).not_to include(45_009)
      url = "http://example.org#{last_request.fullpath}"
      expect(sim.verify_js_sdk(page_data["config"], url: url)["ok"]).to be(true)
      expect(sim.verify_js_sdk(page_data["agentConfig"], url: url)["ok"]).to be(true)
    end
  end
end
