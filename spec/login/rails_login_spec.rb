# frozen_string_literal: true

begin
  require "action_controller"
  require "rack/test"
rescue LoadError => e
  warn "skipping the Rails login specs: #{e.message} (apt-get install ruby-actionpack ruby-rack-test)"
end

if defined?(ActionController::Base)
  # The Login concern end to end, as a Rails request spec: the app under Rack::Test with Rails'
  # cookie session (encrypted, JSON), WeCom's side played by the simulator over HTTP (Net::HTTP between the hosts,
  # as a browser would go).
  RSpec.describe "WechatWork::Login (Rails concern) against the simulator" do
    include Rack::Test::Methods

    APPROVALS = { name: "approvals", secret: "approvals-secret-0123456789abcdef", agent_id: 1_000_003 }.freeze

    around do |example|
      WechatWork::Simulator.run(apps: [APPROVALS]) do |sim|
        @sim = sim
        WechatWork.configure do |c|
          c.corp_id = sim.corp_id
          c.secret = sim.secret
          c.agent_id = sim.agent_id
          c.base_url = sim.base_url
          c.logger = logger
          c.app :approvals, secret: APPROVALS[:secret], agent_id: APPROVALS[:agent_id]
        end
        example.run
      ensure
        WechatWork.reset!
      end
    end

    let(:sim) { @sim }
    let(:log) { StringIO.new }
    let(:logger) { Logger.new(log) }
    # What the block saw: [identity, signing in?] per call.
    let(:seen) { [] }
    let(:login_options) { {} }
    let(:finder) do
      seen = self.seen
      lambda do |identity|
        seen << identity
        identity.userid == "zhangsan" ? nil : "User(#{identity.userid})"
      end
    end

    let(:controller) do
      options = login_options
      find = finder
      Class.new(ActionController::Base) do
        include WechatWork::Login

        def self.name = "InterviewsController"

        wechat_work_login(**options, &find)
        before_action :require_wechat_work_user, except: %i[failed sign_in_page session_id]

        def show
          render plain: "#{current_wechat_work_user} #{current_wechat_work_userid} tab=#{params[:tab]} " \
                        "signed_in=#{wechat_work_signed_in?} code=#{params[:code].inspect}"
        end

        def update = head(:ok)

        def detail = render(plain: wechat_work_client.user_detail(session[:ticket]).mobile)

        def session_id
          session[:seen] = true # a session exists before sign-in
          render plain: session.id.to_s
        end

        def failed = render(plain: "failed: #{params[:wechat_work_error]}", status: :forbidden)

        # Your own page: a "Sign in with WeCom" link (or WeCom's QR panel) built by the helper.
        def sign_in_page = render(html: %(<a id="wecom" href="#{ERB::Util.h(wechat_work_sign_in_url)}">Sign in</a>).html_safe)

        def sign_out
          sign_out_wechat_work
          render plain: "bye"
        end
      end
    end

    let(:app) do
      routes = ActionDispatch::Routing::RouteSet.new
      target = controller
      routes.draw do
        get "/interviews/:id", to: target.action(:show)
        post "/interviews/:id", to: target.action(:update)
        get "/sign_in_failed", to: target.action(:failed)
        get "/sign_out", to: target.action(:sign_out)
        get "/detail", to: target.action(:detail)
        get "/sign_in", to: target.action(:sign_in_page)
        get "/session_id", to: target.action(:session_id)
      end
      rails_app_with_session(routes, key: "_interviews_session")
    end

    def inside_wecom! = header("User-Agent", SignInHelpers::WXWORK_UA)
    def in_a_browser! = header("User-Agent", SignInHelpers::BROWSER_UA)

    # The page → WeCom (the simulator) → back with code and state. => the URL WeCom sent back to.
    def start_sign_in(path, pick: "lilei")
      get path
      expect(last_response.status).to eq(302)
      expect(last_response.location).to start_with(sim.base_url)
      through_simulator(sim, last_response.location, pick: pick)
    end

    def failure_reason
      expect(last_response.status).to eq(302)
      expect(last_response.location).to start_with("http://example.org/sign_in_failed?")
      query_of(last_response.location)["wechat_work_error"]
    end

    context "inside WeCom's browser" do
      before { inside_wecom! }

      it "signs a member in: no session → authorize URL → code → signed in, back on the page without code and state" do
        get "/interviews/42?tab=notes"
        expect(last_response.status).to eq(302)
        authorize = last_response.location
        expect(authorize).to start_with("#{sim.base_url}/connect/oauth2/authorize?")
        expect(authorize).to end_with("#wechat_redirect")
        query = query_of(authorize)
        expect(query).to include("appid" => sim.corp_id, "response_type" => "code", "scope" => "snsapi_base",
                                 "agentid" => "1000002", "redirect_uri" => "http://example.org/interviews/42?tab=notes")
        expect(query["state"]).to match(/\A[a-zA-Z0-9]{32}\z/)

        # WeCom's page: the member is picked (tapping the app signs in silently in real WeCom).
        back = through_simulator(sim, authorize, pick: "lilei")
        expect(back).to start_with("http://example.org/interviews/42?tab=notes&code=")
        expect(query_of(back)["state"]).to eq(query["state"])

        get back
        expect(last_response.status).to eq(302)
        expect(last_response.location).to eq("http://example.org/interviews/42?tab=notes")
        follow_redirect!
        expect(last_response.status).to eq(200)
        expect(last_response.body).to eq("User(lilei) lilei tab=notes signed_in=true code=nil")

        # Signed in: no more trips to WeCom.
        get "/interviews/7"
        expect(last_response.body).to start_with("User(lilei) lilei")
        expect(sim.request_count("auth/getuserinfo")).to eq(1)
        expect(seen.map(&:userid)).to eq(%w[lilei lilei lilei])
        expect(log.string).not_to include("sign-in failed")
      end

      context "with scope: :private_info" do
        let(:login_options) { { scope: :private_info } }
        let(:finder) do
          seen = self.seen
          lambda do |identity|
            seen << identity
            session[:ticket] = identity.user_ticket if identity.user_ticket
            "User(#{identity.userid})"
          end
        end

        it "asks for consent, and the block gets a user ticket for the member's details" do
          back = start_sign_in("/interviews/1", pick: "hanmeimei")
          get back
          follow_redirect!
          expect(last_response.body).to start_with("User(hanmeimei)")
          expect(seen.first.user_ticket).to be_a(String)
          expect(seen.last.user_ticket).to be_nil # later requests know the userid only
          get "/detail"
          expect(last_response.body).to eq("13800000002")
        end
      end

      context "with app: :approvals" do
        let(:login_options) { { app: :approvals } }

        it "signs in with that app: its agent id, its token for the code" do
          sim.auto_login = "lilei"
          get "/interviews/1"
          expect(query_of(last_response.location)["agentid"]).to eq("1000003")
          # The simulator binds the code to agent 1000003: only the approvals token may exchange it.
          get through_simulator(sim, last_response.location)
          follow_redirect!
          expect(last_response.body).to start_with("User(lilei)")
        end
      end
    end

    context "in a normal browser" do
      before { in_a_browser! }

      it "signs in with the web (QR) login, the same way (auto_login, as a test helper would drive it)" do
        sim.auto_login = "hanmeimei"
        get "/interviews/9"
        login = last_response.location
        expect(login).to start_with("#{sim.base_url}/wwlogin/sso/login?login_type=CorpApp&appid=#{sim.corp_id}&agentid=1000002&")
        expect(query_of(login)["redirect_uri"]).to eq("http://example.org/interviews/9")
        back = sim_get(login)["location"] # auto_login: straight back
        get back
        expect(last_response.location).to eq("http://example.org/interviews/9")
        follow_redirect!
        expect(last_response.body).to start_with("User(hanmeimei) hanmeimei")
      end

      context "with outside_wecom: a path" do
        let(:login_options) { { outside_wecom: "/sign_in" } }

        it "sends the member to your own sign-in page, whose link signs in and comes back" do
          get "/interviews/9?tab=x"
          expect(last_response.location).to eq("http://example.org/sign_in?return_to=%2Finterviews%2F9%3Ftab%3Dx")
          follow_redirect!
          link = CGI.unescapeHTML(last_response.body[/href="([^"]+)"/, 1])
          expect(link).to start_with("#{sim.base_url}/wwlogin/sso/login?")
          expect(query_of(link)["redirect_uri"]).to eq("http://example.org/interviews/9?tab=x")
          get through_simulator(sim, link, pick: "lilei")
          expect(last_response.location).to eq("http://example.org/interviews/9?tab=x")
          follow_redirect!
          expect(last_response.body).to start_with("User(lilei) lilei tab=x")
          # return_to is a path of this app, never another host.
          get "/sign_in?return_to=//evil.example/x"
          expect(query_of(CGI.unescapeHTML(last_response.body[/href="([^"]+)"/, 1]))["redirect_uri"]).to eq("http://example.org/")
        end
      end
    end

    describe "failures land on the failure page, logged, never a 500" do
      let(:login_options) { { failure: "/sign_in_failed" } }

      before { inside_wecom! }

      it "a replayed code (40029)" do
        back = start_sign_in("/interviews/1")
        get back
        follow_redirect!
        get "/sign_out"
        # A new sign-in in the same session, finished with the old code.
        fresh = start_sign_in("/interviews/1")
        get "/interviews/1?code=#{query_of(back)["code"]}&state=#{query_of(fresh)["state"]}"
        expect(failure_reason).to eq("invalid_code")
        expect(log.string).to include("sign-in failed: invalid_code")
        expect(log.string).not_to include(query_of(back)["code"])
      end

      it "an expired code" do
        back = start_sign_in("/interviews/1")
        sim.advance_time(301)
        get back
        expect(failure_reason).to eq("invalid_code")
      end

      it "a forged state" do
        start_sign_in("/interviews/1")
        get "/interviews/1?code=anything&state=#{SecureRandom.alphanumeric(32)}"
        expect(failure_reason).to eq("forged_state")
        expect(sim.request_count("auth/getuserinfo")).to eq(0)
      end

      it "a state from another browser session (login CSRF)" do
        back = start_sign_in("/interviews/1")
        clear_cookies
        get back
        expect(failure_reason).to eq("forged_state")
        expect(sim.request_count("auth/getuserinfo")).to eq(0)
      end

      it "a replayed state" do
        back = start_sign_in("/interviews/1")
        get back
        get "/sign_out"
        get back
        expect(failure_reason).to eq("replayed_state")
      end

      it "an expired state" do
        back = start_sign_in("/interviews/1")
        now = Time.now
        allow(Time).to receive(:now).and_return(now + WechatWork::OAuthState::DEFAULT_TTL + 1)
        get back
        expect(failure_reason).to eq("expired_state")
      end

      it "a member who declined (no code)" do
        back = start_sign_in("/interviews/1")
        get "/interviews/1?state=#{query_of(back)["state"]}"
        expect(failure_reason).to eq("denied")
      end

      it "someone who is not a member" do
        get start_sign_in("/interviews/1", pick: :visitor)
        expect(failure_reason).to eq("not_a_member")
        expect(log.string).to match(/not_a_member .* for o/)
        get "/interviews/1"
        expect(last_response.status).to eq(302)
        expect(last_response.location).to start_with(sim.base_url) # not signed in
      end

      it "a member the app refuses (the block answers nil)" do
        get start_sign_in("/interviews/1", pick: "zhangsan")
        expect(failure_reason).to eq("rejected")
      end

      it "WeCom refusing the exchange" do
        back = start_sign_in("/interviews/1")
        sim.inject(:errcode, errcode: 50_001, path: "auth/getuserinfo")
        get back
        expect(failure_reason).to eq("wecom_error")
        expect(log.string).to include("WechatWork::PermissionError")
      end

      it "a POST or an XHR without a session: not sent to WeCom, through the failure handler" do
        post "/interviews/1"
        expect(failure_reason).to eq("not_signed_in")
        get "/interviews/1", {}, { "HTTP_X_REQUESTED_WITH" => "XMLHttpRequest" }
        expect(failure_reason).to eq("not_signed_in")
        get "/interviews/1", {}, { "HTTP_ACCEPT" => "application/json" }
        expect(failure_reason).to eq("not_signed_in")
      end
    end

    describe "without a failure: option" do
      before { inside_wecom! }

      it "renders a small 403 page with a link to sign in again" do
        back = start_sign_in("/interviews/1?tab=a")
        clear_cookies
        get back
        expect(last_response.status).to eq(403)
        expect(last_response.body).to include("Sign-in with WeCom failed", "not started by this browser session")
        expect(last_response.body).to include('href="/interviews/1?tab=a"')
        post "/interviews/1"
        expect(last_response.status).to eq(401)
      end

      context "with a failure Proc" do
        let(:login_options) { { failure: ->(failure) { render plain: "custom #{failure.reason}", status: :unauthorized } } }

        it "runs it in the controller" do
          get "/interviews/1?code=x&state=#{SecureRandom.alphanumeric(32)}"
          expect([last_response.status, last_response.body]).to eq([401, "custom forged_state"])
        end
      end
    end

    it "leaves a signed-in member signed in when an old sign-in link is opened again" do
      inside_wecom!
      back = start_sign_in("/interviews/1")
      get back
      get back
      expect(last_response.location).to eq("http://example.org/interviews/1")
      follow_redirect!
      expect(last_response.body).to start_with("User(lilei)")
    end

    it "starts a new session id at sign-in (no session fixation)" do
      inside_wecom!
      get "/session_id"
      before = last_response.body
      get start_sign_in("/interviews/1")
      get "/session_id"
      expect(last_response.body).not_to eq(before)
      expect(last_response.body).not_to be_empty
    end

    it "checks its options when declared" do
      expect { Class.new(ActionController::Base) { include WechatWork::Login }.wechat_work_login(scope: :userinfo) }
        .to raise_error(ArgumentError, /scope: must be one of :base, :private_info/)
      expect { Class.new(ActionController::Base) { include WechatWork::Login }.wechat_work_login(failure: "https://evil.example") }
        .to raise_error(ArgumentError, /failure: must be a path/)
      expect { Class.new(ActionController::Base) { include WechatWork::Login }.wechat_work_login(outside_wecom: "//evil.example") }
        .to raise_error(ArgumentError, /outside_wecom/)
      expect { Class.new(ActionController::Base) { include WechatWork::Login }.wechat_work_login(host: "open.weixin.qq.com") }
        .to raise_error(ArgumentError, /host:/)
      expect { Class.new(ActionController::Base) { include WechatWork::Login }.wechat_work_login(colour: 1) }
        .to raise_error(ArgumentError, "wechat_work_login does not take colour:; it takes app:, client:, scope:, outside_wecom:, " \
                                       "failure:, host:, state_ttl:, logger:")
      expect { Class.new(ActionController::Base) { include WechatWork::Login }.wechat_work_login(scpoe: :base) }
        .to raise_error(ArgumentError, /\Awechat_work_login does not take scpoe: \(did you mean scope:\?\)/)
    end
  end
end
