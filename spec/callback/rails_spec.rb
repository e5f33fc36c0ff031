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
      get "/wechat_work/callback", msg_signature: H::URL_SIG, timestamp: H::URL_TS, nonce: H::URL_NONCE, echostr: H::ECHOSTR
      expect(last_response.status).to eq(200)
      expect(last_response.body).to eq("5927782489442352469")
      get "/wechat_work/callback", msg_signature: "bad", timestamp: H::URL_TS, nonce: H::URL_NONCE, echostr: H::ECHOSTR
      expect(last_response.status).to eq(403)
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
