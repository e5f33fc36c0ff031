# frozen_string_literal: true

require "rack"
require "rack/test"

H = CallbackHelpers unless defined?(H)

RSpec.describe WechatWork::Callback::RackApp do
  include Rack::Test::Methods

  let(:cb) { callback }
  let(:log) { [] }
  let(:router) do
    seen = log
    WechatWork::Callback::Router.new(cb) do
      on(:text, content: /^slow/) { |msg| seen << msg.msg_id; sleep 0.8; reply_text "slow reply" }
      on(:text) { |msg| seen << msg.msg_id; reply_text "you said #{msg.content}" }
      on(:event, "enter_agent") { |msg| seen << msg.event; nil }
    end
  end
  let(:app) { described_class.new(router) }

  def sender(url, **options)
    WechatWork::Callback::Sender.new(url: url, token: H::TOKEN, encoding_aes_key: H::KEY, corp_id: H::CORP, **options)
  end

  describe "over Rack::Test" do
    it "answers the URL verification, with + in echostr encoded or not" do
      get "/", msg_signature: H::URL_SIG, timestamp: H::URL_TS, nonce: H::URL_NONCE, echostr: H::ECHOSTR
      expect(last_response.status).to eq(200)
      expect(last_response.body).to eq("5927782489442352469")
      get "/?msg_signature=#{H::URL_SIG}&timestamp=#{H::URL_TS}&nonce=#{H::URL_NONCE}&echostr=#{H::ECHOSTR}"
      expect(last_response.body).to eq("5927782489442352469")
    end

    it "refuses bad requests with the right status" do
      get "/", msg_signature: "x", timestamp: H::URL_TS, nonce: H::URL_NONCE, echostr: H::ECHOSTR
      expect(last_response.status).to eq(403)
      post "/?msg_signature=#{H::MSG_SIG}&timestamp=#{H::MSG_TS}&nonce=#{H::MSG_NONCE}", "", "CONTENT_TYPE" => "text/xml"
      expect(last_response.status).to eq(400)
      post "/?msg_signature=#{H::MSG_SIG}&timestamp=#{H::MSG_TS}&nonce=#{H::MSG_NONCE}", "x" * (2 * 1024 * 1024)
      expect(last_response.status).to eq(413)
      put "/"
      expect(last_response.status).to eq(405)
      post "/?msg_signature=#{H::MSG_SIG}&timestamp=#{H::MSG_TS}&nonce=#{H::MSG_NONCE}", H::MSG_BODY
      expect(last_response.status).to eq(200)
      expect(last_response.content_type).to eq("application/xml")
    end
  end

  describe "end to end: the Sender delivering to a real local server" do
    it "verifies the URL, delivers a text message and an event, and checks the encrypted reply" do
      url = serve(app)
      s = sender(url)
      expect(s.verify_url).to match(/\A\d{19}\z/)

      result = s.deliver(content: "hello", from_user_name: "lisi")
      expect(result).to be_ok
      expect(result.attempts.size).to eq(1)
      expect(result.status).to eq(200)
      expect(result.reply).to be_a(WechatWork::Callback::Message::Text)
      expect(result.reply.content).to eq("you said hello")
      expect(result.reply.to_user_name).to eq("lisi")

      event = s.deliver(msg_type: "event", event: "enter_agent", event_key: "")
      expect(event).to be_ok
      expect(event.reply).to be_nil
      expect(event.body).to eq("")
      expect(log).to include("enter_agent")
    end

    it "retries a slow answer with the same MsgId, and the handler runs once" do
      url = serve(app)
      result = sender(url, timeout: 0.3, retries: 3).deliver(content: "slow job", msg_id: "555")
      expect(result.attempts.first.timeout?).to be(true)
      expect(result.attempts.size).to be >= 2
      expect(result.status).to eq(200)
      expect(result).to be_ok
      sleep 0.8 # let the first attempt finish
      expect(log).to eq(["555"])
    end

    it "reports what WeCom would see when the endpoint is wrong" do
      wrong = WechatWork::Callback.new(token: H::TOKEN, encoding_aes_key: H::OTHER_KEY, corp_id: H::CORP)
      url = serve(described_class.new(WechatWork::Callback::Router.new(wrong) { on(:text) { |_m| reply_text "x" } }))
      expect { sender(url).verify_url }.to raise_error(WechatWork::ProtocolError, /400/)
      result = sender(url, retries: 2).deliver(content: "hi")
      expect(result).not_to be_ok
      expect(result.attempts.map(&:status)).to eq([400, 400, 400])

      # A 200 with a reply encrypted with another key: WeCom refuses the reply.
      other = WechatWork::Callback.new(token: H::TOKEN, encoding_aes_key: H::OTHER_KEY, corp_id: H::CORP, verify_receive_id: false)
      liar = lambda do |env|
        _ = env
        [200, { "content-type" => "application/xml" }, [other.encrypt_reply("<xml><MsgType>text</MsgType></xml>")]]
      end
      result = sender(serve(liar)).deliver(content: "hi")
      expect(result).not_to be_ok
      expect(result.reply_error).to match(/padding|length|receive id|decrypt/i)
    end

    it "reports a connection failure and a timeout of the verification" do
      port = TCPServer.open("127.0.0.1", 0).then { |s| s.addr[1].tap { s.close } }
      result = sender("http://127.0.0.1:#{port}/", retries: 1).deliver(content: "x")
      expect(result.attempts.size).to eq(2)
      expect(result.attempts.map(&:status)).to eq([nil, nil])
      expect(result).not_to be_ok

      slow = ->(_env) { sleep 1; [200, {}, ["late"]] }
      expect { sender(serve(slow), timeout: 0.2).verify_url }.to raise_error(WechatWork::TimeoutError)
    end

    it "releases the GVL while waiting" do
      slow = ->(_env) { sleep 0.5; [200, { "content-type" => "text/plain" }, [""]] }
      url = serve(slow)
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      threads = 4.times.map { Thread.new { sender(url).deliver(content: "x") } }
      threads.each(&:join)
      expect(Process.clock_gettime(Process::CLOCK_MONOTONIC) - started).to be < 1.5
    end
  end
end
