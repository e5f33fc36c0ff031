# frozen_string_literal: true

H = CallbackHelpers unless defined?(H)

begin
  require "action_controller"
  require "rack/test"
  require "wechat_work/rails/callback_controller"
rescue LoadError => e
  warn "skipping the Rails concern specs: #{e.message} (apt-get install ruby-actionpack)"
end

if defined?(ActionController::Base)
  RSpec.describe "WechatWork::CallbackController (Rails concern)" do
    include Rack::Test::Methods

    # CSRF protection on, as in a generated Rails app: the concern must skip it for WeCom.
    controller = Class.new(ActionController::Base) do
      protect_from_forgery with: :exception
      include WechatWork::CallbackController

      def self.name = "WechatWorkCallbacksController"

      wechat_work_callback(lambda do
        cb = WechatWork::Callback.new(token: H::TOKEN, encoding_aes_key: H::KEY, corp_id: H::CORP)
        WechatWork::Callback::Router.new(cb) do
          on(:text) { |msg| reply_text "rails: #{msg.content}" }
          on(:event, "enter_agent") { |_msg| nil }
        end
      end)
    end

    let(:app) do
      routes = ActionDispatch::Routing::RouteSet.new
      routes.draw do
        get "/wechat_work/callback", to: controller.action(:show)
        post "/wechat_work/callback", to: controller.action(:create)
      end
      routes
    end

    let(:cb) { callback }

    it "includes through the short name and the Rails namespace" do
      expect(WechatWork::CallbackController).to equal(WechatWork::Rails::CallbackController)
      expect(controller.action_methods).to include("show", "create")
    end

    it "answers the GET verification" do
      get "/wechat_work/callback", signed_get(cb)
      expect(last_response.status).to eq(200)
      expect(last_response.body).to eq("5927782489442352469")
      get "/wechat_work/callback", signed_get(cb).merge("msg_signature" => "bad")
      expect(last_response.status).to eq(403)
    end

    describe "the timestamp window" do
      let(:now) { Time.at(1_750_000_000) }

      before { allow(Time).to receive(:now).and_return(now) }

      def post_at(offset)
        params, body = signed_post(cb, text_xml("hello", msg_id: "#{offset}"), timestamp: (now.to_i + offset).to_s)
        post "/wechat_work/callback?#{Rack::Utils.build_query(params)}", body, "CONTENT_TYPE" => "text/xml"
        last_response.status
      end

      def get_at(offset)
        get "/wechat_work/callback", signed_get(cb, timestamp: (now.to_i + offset).to_s)
        last_response.status
      end

      it "accepts a POST or GET just inside 10 minutes either side and refuses one just outside (403)" do
        expect([post_at(-600), post_at(600), post_at(-601), post_at(601), post_at(1 - now.to_i)]).to eq([200, 200, 403, 403, 403])
        expect(last_response.body).to eq("forbidden")
        expect([get_at(-600), get_at(600), get_at(-601), get_at(601)]).to eq([200, 200, 403, 403])
      end
    end

    describe "bounded bodies (the controller never reads the whole of a large body)" do
      let(:limit) { WechatWork::Callback::MAX_BODY }
      let(:endless) { EndlessBody.new(64 * 1024 * 1024) }

      def post_stream(content_length)
        query = Rack::Utils.build_query(signed_post(cb, text_xml("x")).first)
        env = Rack::MockRequest.env_for("/wechat_work/callback?#{query}", method: "POST", input: endless,
                                                                           "CONTENT_TYPE" => "text/xml")
        content_length ? env["CONTENT_LENGTH"] = content_length : env.delete("CONTENT_LENGTH")
        app.call(env)
      end

      it "answers 413 at once to a Content-Length over the limit, reading nothing" do
        status, _, body = post_stream((5 * 1024 * 1024 * 1024).to_s)
        expect(status).to eq(413)
        expect(body.each.to_a.join).to eq("payload too large")
        expect(endless.bytes_read).to eq(0)
      end

      it "reads at most the limit plus one byte of a body of unknown length (chunked), then answers 413" do
        expect(post_stream(nil).first).to eq(413)
        expect(endless.bytes_read).to eq(limit + 1)
      end

      it "reads at most the limit plus one byte when the Content-Length is smaller than the stream" do
        post_stream(limit.to_s)
        expect(endless.bytes_read).to be <= limit + 1
      end
    end

    it "answers a POSTed message with an encrypted reply, despite CSRF protection" do
      params, body = signed_post(cb, text_xml("hello", msg_id: "100"))
      post "/wechat_work/callback?#{Rack::Utils.build_query(params)}", body, "CONTENT_TYPE" => "text/xml"
      expect(last_response.status).to eq(200)
      reply = cb.parse(cb.instance_variable_get(:@native)._decrypt_reply(last_response.body))
      expect(reply.content).to eq("rails: hello")
      post "/wechat_work/callback?#{Rack::Utils.build_query(params)}", "<xml>", "CONTENT_TYPE" => "text/xml"
      expect(last_response.status).to eq(400)
    end

    it "works end to end with the Sender over a real server" do
      url = "#{serve(app)}/wechat_work/callback"
      s = WechatWork::Callback::Sender.new(url: url, token: H::TOKEN, encoding_aes_key: H::KEY, corp_id: H::CORP)
      expect(s.verify_url).to match(/\A\d+\z/)
      result = s.deliver(content: "from sender")
      expect(result).to be_ok
      expect(result.reply.content).to eq("rails: from sender")
      expect(s.deliver(msg_type: "event", event: "enter_agent")).to be_ok
    end
  end
end
