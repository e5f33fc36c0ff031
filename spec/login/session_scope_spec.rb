# frozen_string_literal: true

begin
  require "action_controller"
  require "rack/test"
rescue LoadError => e
  warn "skipping the sign-in scope specs: #{e.message} (apt-get install ruby-actionpack ruby-rack-test)"
end

if defined?(ActionController::Base)
  # A sign-in holds for the corp and the app it was made with, nothing else: userids are
  # unique only within a corp, and each app has its own visible range. One browser session,
  # pages guarded by different apps (one corp) and by apps of different corps (two simulators,
  # each its own corp, both with a "zhangsan").
  RSpec.describe "WechatWork::Login: a sign-in is scoped to its corp and app" do
    include Rack::Test::Methods

    APPROVALS_APP = { name: "approvals", secret: "approvals-secret-for-the-scope-spec", agent_id: 1_000_003 }.freeze

    around do |example|
      WechatWork::Simulator.run(apps: [APPROVALS_APP]) do |sim|
        WechatWork::Simulator.run(corp_id: "wwothercorp000002") do |other_sim|
          @sim = sim
          @other_sim = other_sim
          WechatWork.configure do |c|
            c.corp_id = sim.corp_id
            c.secret = sim.secret
            c.agent_id = sim.agent_id
            c.base_url = sim.base_url
            c.logger = Logger.new(StringIO.new)
            c.app :approvals, secret: APPROVALS_APP[:secret], agent_id: APPROVALS_APP[:agent_id]
          end
          example.run
        ensure
          WechatWork.reset!
        end
      end
    end

    let(:sim) { @sim }
    let(:other_sim) { @other_sim }
    let(:other_corp_client) do
      WechatWork::Client.new(corp_id: other_sim.corp_id, secret: other_sim.secret, agent_id: other_sim.agent_id,
                             base_url: other_sim.base_url, max_retries: 0)
    end
    # Every identity a find_user block was given: [guard, userid, corp_id].
    let(:seen) { [] }

    before { header("User-Agent", SignInHelpers::WXWORK_UA) }

    # Signs `who` in on `path` through `simulator` (auto_login), ending on the page.
    def sign_in(path, simulator, who)
      get path
      expect(last_response.status).to eq(302)
      expect(last_response.location).to start_with(simulator.base_url)
      simulator.auto_login = who
      get sim_get(last_response.location)["location"]
      expect(last_response.status).to eq(302)
      follow_redirect!
    end

    shared_examples "scoped sign-in" do
      it "asks an app of the same corp to sign in again, and keeps both sign-ins apart" do
        sign_in("/default/1", sim, "lilei")
        expect(last_response.body).to eq("default: lilei")

        get "/approvals/1"
        expect(last_response.status).to eq(302)
        expect(last_response.location).to start_with("#{sim.base_url}/connect/oauth2/authorize?")
        expect(query_of(last_response.location)["agentid"]).to eq("1000003")
        expect(seen.map(&:first)).not_to include("approvals")

        sim.auto_login = "hanmeimei"
        get sim_get(last_response.location)["location"]
        follow_redirect!
        expect(last_response.body).to eq("approvals: hanmeimei")
        # Each app keeps its own member; no trip to WeCom for either any more.
        exchanges = sim.request_count("auth/getuserinfo")
        get "/default/2"
        expect(last_response.body).to eq("default: lilei")
        get "/approvals/2"
        expect(last_response.body).to eq("approvals: hanmeimei")
        expect(sim.request_count("auth/getuserinfo")).to eq(exchanges)
      end

      it "never takes a userid of one corp for the same userid of another" do
        sign_in("/default/1", sim, "zhangsan")
        expect(last_response.body).to eq("default: zhangsan")

        get "/other_corp/1"
        expect(last_response.status).to eq(302)
        expect(last_response.location).to start_with("#{other_sim.base_url}/connect/oauth2/authorize?")
        expect(query_of(last_response.location)["appid"]).to eq(other_sim.corp_id)
        expect(seen.select { |guard, _, _| guard == "other_corp" }).to eq([])

        other_sim.auto_login = "zhangsan"
        get other_sim_back = sim_get(last_response.location)["location"]
        expect(other_sim_back).to include("code=")
        follow_redirect!
        expect(last_response.body).to eq("other_corp: zhangsan")
        expect(seen.select { |guard, _, _| guard == "other_corp" }.map(&:last).uniq).to eq([other_sim.corp_id])
      end

      it "gives find_user the corp id, at sign-in and on later requests" do
        sign_in("/default/1", sim, "lilei")
        get "/default/2"
        default_calls = seen.select { |guard, _, _| guard == "default" }
        expect(default_calls.size).to be >= 2
        expect(default_calls.map(&:last).uniq).to eq([sim.corp_id])
      end
    end

    context "with the Rails concern" do
      def guard_controller(name, seen, **options)
        Class.new(ActionController::Base) do
          include WechatWork::Login

          define_singleton_method(:name) { "#{name.capitalize}Controller" }

          wechat_work_login(**options) do |identity|
            seen << [name, identity.userid, identity.corp_id]
            identity
          end
          before_action :require_wechat_work_user

          define_method(:show) do
            render plain: "#{name}: #{current_wechat_work_userid}"
          end
        end
      end

      let(:app) do
        guards = {
          "default" => guard_controller("default", seen, app: :default),
          "approvals" => guard_controller("approvals", seen, app: :approvals),
          "other_corp" => guard_controller("other_corp", seen, client: other_corp_client)
        }
        routes = ActionDispatch::Routing::RouteSet.new
        routes.draw do
          guards.each { |name, controller| get "/#{name}/:id", to: controller.action(:show) }
        end
        rails_app_with_session(routes, key: "_scope_session")
      end

      include_examples "scoped sign-in"
    end

    context "with the Rack middleware" do
      let(:app) do
        seen = self.seen
        other = other_corp_client
        guard = lambda do |name|
          lambda do |identity, _env|
            seen << [name, identity.userid, identity.corp_id]
            identity
          end
        end
        Rack::Builder.new do
          use Rack::Session::Cookie, secret: "s" * 64, key: "scope.session"
          use WechatWork::Login::Middleware, app: :default, only: "/default", &guard.call("default")
          use WechatWork::Login::Middleware, app: :approvals, only: "/approvals", &guard.call("approvals")
          use WechatWork::Login::Middleware, client: other, only: "/other_corp", &guard.call("other_corp")
          run lambda { |env|
            name = env["PATH_INFO"].split("/")[1]
            [200, { "content-type" => "text/plain" },
             ["#{name}: #{env["wechat_work.userid"]}"]]
          }
        end
      end

      include_examples "scoped sign-in"
    end
  end
end
