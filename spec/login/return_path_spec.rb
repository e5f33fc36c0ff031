# frozen_string_literal: true

begin
  require "action_controller"
  require "rack/test"
rescue LoadError => e
  warn "skipping the return path specs: #{e.message} (apt-get install ruby-actionpack ruby-rack-test)"
end

# Where a sign-in sends the browser back to is always a path of this app: never another host
# (an open redirect), however the path is spelled, and never a 500.
RSpec.describe "WechatWork::Login return paths" do
  # What browsers read as another host (or a script), spelled in the ways that get past a
  # plain start_with?("/") check.
  FOREIGN = [
    "//evil.example/x", "/\t/evil.example/x", "/\n/evil.example/x", "/\\evil.example/x", "/\\/evil.example/x",
    "\\\\evil.example/x", "https://evil.example/x", "http:evil.example", "javascript:alert(1)", "%2F%2Fevil.example/x",
    "/%2F/evil.example/x", "/%2f%2fevil.example", "/%5Cevil.example", " /evil.example",
    "/\u0000/evil.example", "/\u00a0/evil.example", "/\u3000/evil.example", "/\x7f/evil.example", "evil.example/x", "", "/a\r\nSet-Cookie: x=1"
  ].freeze

  describe "WechatWork::Login.local_path?" do
    it "accepts this app's paths" do
      ["/", "/interviews/42?tab=notes&x=%2F%2F", "/面试/42", "/a%20b", "/a/b#c", "/x?next=//y"].each do |path|
        expect(WechatWork::Login.local_path?(path)).to be(true), path.inspect
      end
    end

    it "refuses everything a browser could take for another host, a script or a header" do
      FOREIGN.each { |path| expect(WechatWork::Login.local_path?(path)).to be(false), path.inspect }
      expect(WechatWork::Login.local_path?("/\xFF".dup.force_encoding("UTF-8"))).to be(false)
      expect(WechatWork::Login.local_path?(nil)).to be(false)
    end

    it "makes a path of this app of a decoded return_to by encoding its spaces, and of anything else /" do
      expect(WechatWork::Login.local_path?("/ /evil.example")).to be(false)
      expect(WechatWork::Login.local_path("/ /evil.example")).to eq("/%20/evil.example")
      expect(WechatWork::Login.local_path("/a b?c=d e")).to eq("/a%20b?c=d%20e")
      FOREIGN.each { |path| expect(WechatWork::Login.local_path(path)).to eq("/"), path.inspect }
      expect(WechatWork::Login.local_path("//x", fallback: "/rooms")).to eq("/rooms")
    end
  end

  describe WechatWork::Login::Failure do
    it "links only to a path of this app" do
      FOREIGN.each do |path|
        html = described_class.new(:forged_state, retry_path: path).to_html
        expect(html).to include('href="/"'), path.inspect
        expect(html).not_to include("evil"), path.inspect
      end
      expect(described_class.new(:forged_state, retry_path: "/rooms/3?tab=a").to_html).to include('href="/rooms/3?tab=a"')
    end
  end

  if defined?(Rack::Test)
    include Rack::Test::Methods

    include_context "on the simulator"
    let(:state) { SecureRandom.alphanumeric(32) }

    # A request whose path is exactly `path` (Rack::Test would read "//host" as a host).
    def raw_get(path, query)
      get "http://example.org#{path}?#{query}"
    end

    context "with the Rack middleware" do
      let(:app) do
        client = client_of(max_retries: 0)
        Rack::Builder.new do
          use Rack::Session::Cookie, secret: "s" * 64, key: "paths.session"
          use WechatWork::Login::Middleware, client: client, logger: Logger.new(StringIO.new)
          run ->(env) { [200, { "content-type" => "text/plain" }, ["page #{env["PATH_INFO"]}"]] }
        end
      end

      it "links the failure page of GET //evil.example/x?state=... to / (not to evil.example)" do
        raw_get("//evil.example/x", "state=#{state}")
        expect(last_request.path).to eq("//evil.example/x")
        expect(last_response.status).to eq(403)
        expect(last_response.body).to include('href="/"')
        expect(last_response.body).not_to include("evil.example")
      end

      it "sends a sign-in started on such a path back to /" do
        header("User-Agent", SignInHelpers::WXWORK_UA)
        raw_get("//evil.example/x", "y=1")
        expect(last_response.status).to eq(302)
        expect(query_of(last_response.location)["redirect_uri"]).to eq("http://example.org/")
      end
    end

    if defined?(ActionController::Base)
      context "with the Rails concern" do
        around do |example|
          WechatWork.configure do |c|
            c.corp_id = sim.corp_id
            c.secret = sim.secret
            c.agent_id = sim.agent_id
            c.base_url = sim.base_url
            c.logger = Logger.new(StringIO.new)
          end
          example.run
        ensure
          WechatWork.reset!
        end

        let(:app) do
          controller = Class.new(ActionController::Base) do
            include WechatWork::Login

            def self.name = "PathsController"

            wechat_work_login outside_wecom: "/sign_in"
            before_action :require_wechat_work_user, except: :sign_in_page

            def show = render(plain: "page #{request.path}")

            def sign_in_page = render(html: %(<a href="#{ERB::Util.h(wechat_work_sign_in_url)}">Sign in</a>).html_safe)
          end
          routes = ActionDispatch::Routing::RouteSet.new
          routes.draw do
            get "/sign_in", to: controller.action(:sign_in_page)
            get "/", to: controller.action(:show)
            get "*rest", to: controller.action(:show)
          end
          rails_app_with_session(routes, key: "_paths_session")
        end

        def sign_in_link = CGI.unescapeHTML(last_response.body[/href="([^"]+)"/, 1])

        def sign_in!
          header("User-Agent", SignInHelpers::WXWORK_UA)
          sim.auto_login = "lilei"
          get "/interviews/1"
          get sim_get(last_response.location)["location"]
          follow_redirect!
          expect(last_response.body).to eq("page /interviews/1")
        end

        # (Rails' router squeezes the path's slashes itself: what is left must stay on this host.)
        it "keeps a signed-in member on this app when //evil.example/x?state=... is opened" do
          sign_in!
          raw_get("//evil.example/x", "state=#{state}")
          expect(last_response.status).to eq(302)
          expect(last_response.location).to match(%r{\Ahttp://example\.org/(?![/\\])})
        end

        it "shows the failure page of //evil.example/x?state=... with a link to a path of this app" do
          raw_get("//evil.example/x", "state=#{state}")
          expect(last_response.status).to eq(403)
          expect(WechatWork::Login.local_path?(CGI.unescapeHTML(last_response.body[/href="([^"]*)"/, 1]))).to be(true)
        end

        it "signs in from the sign-in page back to / whatever foreign return_to it is given" do
          FOREIGN.each do |target|
            get "/sign_in", return_to: target
            expect(last_response.status).to eq(200), "#{target.inspect}: #{last_response.status}"
            expect(query_of(sign_in_link)["redirect_uri"]).to eq("http://example.org/"), target.inspect
          end

          sim.auto_login = "lilei"
          get "/sign_in", return_to: "//evil.example/x"
          get sim_get(sign_in_link)["location"]
          expect(last_response.location).to eq("http://example.org/")
        end

        it "keeps a return_to with a space (encoded), instead of a 500" do
          get "/sign_in?return_to=/a%20b"
          expect(last_response.status).to eq(200)
          expect(query_of(sign_in_link)["redirect_uri"]).to eq("http://example.org/a%20b")
          sim.auto_login = "lilei"
          get sim_get(sign_in_link)["location"]
          expect(last_response.location).to eq("http://example.org/a%20b")
          follow_redirect!
          expect(last_response.body).to eq("page /a%20b")
        end
      end
    end
  end
end
