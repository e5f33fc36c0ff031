# frozen_string_literal: true

H = CallbackHelpers unless defined?(H)

require "action_controller"
require "rack/test"
require "logger"
require "stringio"
require "wechat_work/rails/callback_controller"

RSpec.describe "Callback handler failures and the Rails log" do
  include Rack::Test::Methods

  let(:cb) { callback }

  describe "a handler that raises" do
    let(:reported) { [] }
    let(:router) do
      seen = reported
      WechatWork::Callback::Router.new(cb, on_error: ->(e, msg) { seen << [:on_error, e.message, msg.content] }) do
        on(:text) { |_msg| raise "interview lookup failed" }
      end
    end

    it "answers 500 (WeCom retries) and reports to Rails.error and on_error" do
      reporter = Class.new do
        attr_reader :calls

        def initialize = (@calls = [])
        def report(error, **context) = @calls << [error.message, context]
      end.new
      stub_const("Rails", Module.new.tap { |m| m.define_singleton_method(:error) { reporter } })
      params, body = signed_post(cb, text_xml("hi", msg_id: "900"))
      status, = router.receive(params, body)
      expect(status).to eq(500)
      expect(reported).to eq([[:on_error, "interview lookup failed", "hi"]])
      expect(reporter.calls.size).to eq(1)
      message, context = reporter.calls.first
      expect(message).to eq("interview lookup failed")
      expect(context).to include(handled: false, context: { wechat_work_callback: "text message", msg_id: "900" })
    end

    it "still answers 500 when the reporter itself fails" do
      failing = Object.new.tap { |o| o.define_singleton_method(:report) { |*| raise "reporter down" } }
      stub_const("Rails", Module.new.tap { |m| m.define_singleton_method(:error) { failing } })
      params, body = signed_post(cb, text_xml("hi", msg_id: "901"))
      expect(router.receive(params, body).first).to eq(500)
    end
  end

  describe "the controller's log line" do
    controller = Class.new(ActionController::Base) do
      include WechatWork::CallbackController

      def self.name = "FilteredCallbacksController"

      wechat_work_callback(lambda do
        WechatWork::Callback::Router.new(WechatWork::Callback.new(token: H::TOKEN, encoding_aes_key: H::KEY, corp_id: H::CORP))
      end)
    end

    let(:log) { StringIO.new }
    let(:app) do
      routes = ActionDispatch::Routing::RouteSet.new
      routes.draw { get "/cb", to: controller.action(:show) }
      routes
    end

    around do |example|
      previous = ActionController::Base.logger
      ActionController::Base.logger = Logger.new(log)
      ActionController::LogSubscriber.attach_to :action_controller
      example.run
    ensure
      ActionController::Base.logger = previous
    end

    it "filters msg_signature, echostr, timestamp and nonce" do
      params = signed_get(cb)
      get "/cb", params
      expect(last_response.status).to eq(200)
      line = log.string.lines.grep(/Parameters:/).first
      expect(line).to include('"msg_signature"=>"[FILTERED]"', '"echostr"=>"[FILTERED]"', '"timestamp"=>"[FILTERED]"',
                              '"nonce"=>"[FILTERED]"')
      expect(log.string).not_to include(params["msg_signature"])
      expect(log.string).not_to include(params["echostr"])
    end
  end

  describe "the log subscriber's callback lines" do
    require "wechat_work/rails/log_subscriber"

    controller = Class.new(ActionController::Base) do
      include WechatWork::CallbackController

      def self.name = "LoggedCallbacksController"

      wechat_work_callback(lambda do
        WechatWork.configure do |c|
          c.corp_id = H::CORP
          c.callback_token = H::TOKEN
          c.encoding_aes_key = H::KEY
        end
        WechatWork::Callback::Router.new(WechatWork::Callback.new(:default)) { on(:text) { |_m| nil } }
      end)
    end

    let(:log) { StringIO.new }
    let(:app) do
      routes = ActionDispatch::Routing::RouteSet.new
      routes.draw do
        get "/cb", to: controller.action(:show)
        post "/cb", to: controller.action(:create)
      end
      routes
    end

    around do |example|
      previous = ActiveSupport::LogSubscriber.logger
      ActiveSupport::LogSubscriber.logger = Logger.new(log)
      WechatWork::Rails::LogSubscriber.attach_to :wechat_work
      example.run
    ensure
      WechatWork::Rails::LogSubscriber.detach_from :wechat_work
      ActiveSupport::LogSubscriber.logger = previous
      WechatWork.reset!
    end

    def lines = log.string.lines.map { _1.chomp.sub(/\A.*? -- : /, "").sub(/\(\d+\.\d+ms\)\z/, "(Nms)") }

    it "says why a POST or GET was refused and what to check, and what was answered otherwise" do
      params, body = signed_post(cb, text_xml("hi", from: "lilei"))
      post "/cb?#{Rack::Utils.build_query(params.merge("msg_signature" => "0" * 40))}", body, "CONTENT_TYPE" => "text/xml"
      post "/cb?#{Rack::Utils.build_query(params)}", body, "CONTENT_TYPE" => "text/xml"
      get "/cb", signed_get(cb, timestamp: "1")
      get "/cb", signed_get(cb)
      post "/cb?#{Rack::Utils.build_query(params)}", "<xml>", "CONTENT_TYPE" => "text/xml"
      post "/cb?#{Rack::Utils.build_query(params)}", "x" * (WechatWork::Callback::MAX_BODY + 1), "CONTENT_TYPE" => "text/xml"
      expect(lines).to eq([
                            "WeCom callback: POST refused 403: signature mismatch (check callback_token of app :default: " \
                            "the Token in the app's 接收消息 API settings, and that the request is for this app) (Nms)",
                            "WeCom callback: POST text message from lilei answered 200 (Nms)",
                            "WeCom callback: GET refused 403: timestamp out of range (outside 600 s either side of this " \
                            "server's clock: check the clock, or it is a replay) (Nms)",
                            "WeCom callback: GET URL verification answered 200 (Nms)",
                            "WeCom callback: POST refused 400: malformed body (not a WeCom callback body) (Nms)",
                            "WeCom callback: POST refused 413: body too large (WeCom's callbacks are a few KB) (Nms)"
                          ])
      expect(log.string.lines.first).to start_with("W,") # a refusal is a warning
      expect(log.string).not_to include(H::TOKEN + " ", H::KEY, params["msg_signature"])
    end
  end

  describe "the Railtie" do
    it "adds WeCom's secrets and callback parameters to filter_parameters" do
      require "rails"
      require "wechat_work/railtie" # what Bundler.require does in an app, after rails is loaded
      expect(WechatWork::Railtie::FILTERED_PARAMETERS).to include(:corpsecret, :encoding_aes_key, :msg_signature, :echostr)
      initializer = WechatWork::Railtie.initializers.find { _1.name == "wechat_work.filter_parameters" }
      app = Struct.new(:config).new(Struct.new(:filter_parameters).new([:password]))
      initializer.run(app)
      expect(app.config.filter_parameters).to include(:password, :secret, :access_token, :echostr)
    end
  end
end
