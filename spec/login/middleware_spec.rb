# frozen_string_literal: true

require "rack"
require "rack/test"

# WechatWork::Login::Middleware: the same sign-in for any Rack app, against the simulator.
RSpec.describe WechatWork::Login::Middleware do
  include Rack::Test::Methods

  include_context "on the simulator"
  let(:log) { StringIO.new }
  let(:client) { client_of(max_retries: 0) }
  let(:options) { {} }
  let(:found) { [] }

  let(:app) do
    found = self.found
    middleware_options = { client: client, logger: Logger.new(log), only: "/interviews" }.merge(options)
    Rack::Builder.new do
      use Rack::Session::Cookie, secret: "s" * 64, key: "interviews.session"
      use WechatWork::Login::Middleware, **middleware_options do |identity, env|
        found << [identity.userid, env["PATH_INFO"]]
        "Interviewer #{identity.userid}"
      end
      run lambda { |env|
        [200, { "content-type" => "text/plain" }, ["#{env["wechat_work.user"]} (#{env["wechat_work.userid"]}) at #{env["PATH_INFO"]}"]]
      }
    end
  end

  it "signs in with OAuth inside WeCom and passes the user to the app" do
    header "User-Agent", SignInHelpers::WXWORK_UA
    get "/interviews/3?x=1"
    expect(last_response.status).to eq(302)
    expect(last_response.location).to start_with("#{sim.base_url}/connect/oauth2/authorize?")
    get through_simulator(sim, last_response.location, pick: "zhangsan")
    expect(last_response.location).to eq("http://example.org/interviews/3?x=1")
    follow_redirect!
    expect(last_response.body).to eq("Interviewer zhangsan (zhangsan) at /interviews/3")
    expect(found.first).to eq(["zhangsan", "/interviews/3"])
  end

  it "signs in with the web (QR) login elsewhere" do
    sim.auto_login = "lilei"
    get "/interviews/3"
    expect(last_response.location).to start_with("#{sim.base_url}/wwlogin/sso/login?login_type=CorpApp&")
    get sim_get(last_response.location)["location"]
    follow_redirect!
    expect(last_response.body).to eq("Interviewer lilei (lilei) at /interviews/3")
  end

  it "leaves paths outside only: alone" do
    get "/health"
    expect(last_response.body).to eq(" () at /health")
  end

  context "with failure: a path" do
    let(:options) { { failure: "/sign_in_failed" } }

    it "redirects failures there with the reason, and logs them" do
      get "/interviews/3?code=c&state=#{SecureRandom.alphanumeric(32)}"
      expect(last_response.location).to eq("http://example.org/sign_in_failed?wechat_work_error=forged_state")
      expect(log.string).to include("sign-in failed: forged_state")
    end
  end

  context "with failure: a Proc" do
    let(:options) { { failure: ->(failure, _env) { [418, {}, ["no: #{failure.reason}"]] } } }

    it "answers what it returns" do
      sim.auto_login = :visitor
      get "/interviews/3"
      get sim_get(last_response.location)["location"]
      expect([last_response.status, last_response.body]).to eq([418, "no: not_a_member"])
    end
  end

  it "shows a 403 page by default, and never a 500" do
    back = through_simulator(sim, (get("/interviews/3") && last_response.location))
    sim.inject(:reset, path: "auth/getuserinfo", times: nil)
    get back
    expect(last_response.status).to eq(403)
    expect(last_response.body).to include("WeCom could not be reached")
  end

  it "needs a session middleware before it" do
    bare = described_class.new(->(_env) { [200, {}, []] }, client: client)
    expect { bare.call(Rack::MockRequest.env_for("/x")) }.to raise_error(WechatWork::ConfigurationError, /needs a session/)
    expect { described_class.new(->(_env) {}, only: 5) }.to raise_error(ArgumentError, /only:/)
    expect { described_class.new(->(_env) {}, onyl: "/x") }
      .to raise_error(ArgumentError, /\ALogin::Middleware does not take onyl: \(did you mean only:\?\); it takes only:, app:, client:/)
  end
end
