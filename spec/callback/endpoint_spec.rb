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
      get "/", signed_get(cb)
      expect(last_response.status).to eq(200)
      expect(last_response.body).to eq("5927782489442352469")
      # wechatpy's recorded vector has a + in echostr (replayed with the window off).
      replayer = described_class.new(WechatWork::Callback::Router.new(vector_callback))
      env = Rack::MockRequest.env_for("/?msg_signature=#{H::URL_SIG}&timestamp=#{H::URL_TS}&nonce=#{H::URL_NONCE}&echostr=#{H::ECHOSTR}")
      expect(replayer.call(env)[2]).to eq(["5927782489442352469"])
    end

    it "refuses bad requests with the right status" do
      get "/", signed_get(cb).merge("msg_signature" => "x")
      expect(last_response.status).to eq(403)
      params, body = signed_post(cb, text_xml("hello"))
      query = Rack::Utils.build_query(params)
      post "/?#{query}", "", "CONTENT_TYPE" => "text/xml"
      expect(last_response.status).to eq(400)
      post "/?#{query}", "x" * (2 * 1024 * 1024)
      expect(last_response.status).to eq(413)
      put "/"
      expect(last_response.status).to eq(405)
      post "/?#{query}", body
      expect(last_response.status).to eq(200)
      expect(last_response.content_type).to eq("application/xml")
    end
  end

  describe "the timestamp window" do
    let(:now) { Time.at(1_750_000_000) }

    before { allow(Time).to receive(:now).and_return(now) }

    def post_at(offset)
      params, body = signed_post(cb, text_xml("hello", msg_id: "#{offset}"), timestamp: (now.to_i + offset).to_s)
      post "/?#{Rack::Utils.build_query(params)}", body, "CONTENT_TYPE" => "text/xml"
      last_response.status
    end

    def get_at(offset)
      get "/", signed_get(cb, timestamp: (now.to_i + offset).to_s)
      last_response.status
    end

    it "accepts a POST or GET just inside 10 minutes either side and refuses one just outside (403)" do
      expect([post_at(-600), post_at(600), post_at(-601), post_at(601), post_at(1 - now.to_i)]).to eq([200, 200, 403, 403, 403])
      expect([get_at(-600), get_at(600), get_at(-601), get_at(601)]).to eq([200, 200, 403, 403])
      expect(log.size).to eq(2) # only the two accepted POSTs were dispatched
      expect(last_response.body).to eq("forbidden")
    end
  end

  describe "bounded bodies" do
    let(:endless) { EndlessBody.new(64 * 1024 * 1024) }
    let(:limit) { WechatWork::Callback::MAX_BODY }
    let(:query) { Rack::Utils.build_query(signed_post(cb, text_xml("x")).first) }

    it "shares the core's limit" do
      expect(limit).to eq(WechatWork::LIMITS.fetch(:callback_body_bytes))
      expect(described_class::MAX_BODY).to eq(limit)
    end

    it "answers 413 at once to a Content-Length over the limit, reading nothing" do
      env = Rack::MockRequest.env_for("/?#{query}", method: "POST", input: endless)
      env["CONTENT_LENGTH"] = (5 * 1024 * 1024 * 1024).to_s
      status, headers, body = app.call(env)
      expect([status, body]).to eq([413, ["payload too large"]])
      expect(headers["content-length"]).to eq("17")
      expect(endless.bytes_read).to eq(0)
    end

    it "reads at most the limit plus one byte of a body of unknown length (chunked), then answers 413" do
      env = Rack::MockRequest.env_for("/?#{query}", method: "POST", input: endless)
      env.delete("CONTENT_LENGTH")
      env["HTTP_TRANSFER_ENCODING"] = "chunked"
      expect(app.call(env).first).to eq(413)
      expect(endless.bytes_read).to eq(limit + 1)
      expect(log).to be_empty
    end

    it "reads a body of exactly the limit (and refuses it as XML, not as too large)" do
      env = Rack::MockRequest.env_for("/?#{query}", method: "POST", input: StringIO.new("x" * limit))
      env.delete("CONTENT_LENGTH")
      expect(app.call(env).first).to eq(400)
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
