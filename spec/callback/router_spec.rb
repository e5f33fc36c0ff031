# frozen_string_literal: true

H = CallbackHelpers unless defined?(H)

RSpec.describe WechatWork::Callback::Router do
  let(:cb) { callback }
  let(:calls) { [] }

  def router(**options, &block)
    described_class.new(cb, **options, &block)
  end

  def post(r, xml)
    params, body = signed_post(cb, xml)
    r.receive(params, body)
  end

  def reply_of(response)
    status, type, body = response
    expect([status, type]).to eq([200, "application/xml"])
    cb.parse(cb.instance_variable_get(:@native)._decrypt_reply(body))
  end

  it "dispatches to the first matching rule and answers its reply" do
    seen = calls
    r = router do
      on(:text, content: /^interview/) { |msg| seen << [:interview, msg.content]; reply_text "Which day?" }
      on(:text) { |msg| seen << [:text, msg.content] }
      on(:event, "enter_agent") { |_msg| seen << :enter; reply_text "welcome" }
      on(:click, event_key: "MENU_1") { |_msg| seen << :menu }
      on(:event, "template_card_event") { |msg| seen << :card; update_button "Voted #{msg.event_key}" }
      otherwise { |msg| seen << [:other, msg.msg_type] }
    end
    expect(reply_of(post(r, text_xml("interview please", msg_id: "1"))).content).to eq("Which day?")
    expect(post(r, text_xml("hello", msg_id: "2"))).to eq([200, "text/plain", ""])
    expect(reply_of(post(r, event_xml("enter_agent"))).content).to eq("welcome")
    post(r, event_xml("CLICK", extra: "<EventKey>MENU_1</EventKey>"))
    card = reply_of(post(r, event_xml("template_card_event", extra: "<EventKey>yes</EventKey><TaskId>t</TaskId>")))
    expect(card.msg_type).to eq("update_button")
    expect(card.dig("Button", "ReplaceName")).to eq("Voted yes")
    expect(card.to_user_name).to eq("zhangsan")
    post(r, "<xml><ToUserName>#{H::CORP}</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>image</MsgType><MediaId>m</MediaId><MsgId>3</MsgId></xml>")
    expect(calls).to eq([[:interview, "interview please"], [:text, "hello"], :enter, :menu, :card, [:other, "image"]])
  end

  it "answers a returned Reply, ignores other return values" do
    r = router do
      on(:text, content: "reply") { |msg| msg.reply_text("returned") }
      on(:text) { |_msg| "not a reply" }
    end
    expect(reply_of(post(r, text_xml("reply", msg_id: "1"))).content).to eq("returned")
    expect(post(r, text_xml("x", msg_id: "2"))).to eq([200, "text/plain", ""])
  end

  it "does not dispatch a duplicate delivery twice and answers it the first reply" do
    count = 0
    r = router { on(:text) { |_m| count += 1; reply_text "once #{count}" } }
    params, body = signed_post(cb, text_xml("hi", msg_id: "42"))
    first = reply_of(r.receive(params, body))
    second = reply_of(r.receive(params, body))
    expect(count).to eq(1)
    expect([first.content, second.content]).to eq(["once 1", "once 1"])
    # a retry re-signed with another nonce is still the same MsgId
    post(r, text_xml("hi", msg_id: "42"))
    expect(count).to eq(1)
  end

  it "tells events apart: same user and second, different event or fields" do
    seen = []
    r = router { on(:any) { |m| seen << (m.event_key || m.event) } }
    post(r, event_xml("template_card_event", extra: "<EventKey>a</EventKey><TaskId>t</TaskId>"))
    post(r, event_xml("template_card_event", extra: "<EventKey>b</EventKey><TaskId>t</TaskId>"))
    post(r, event_xml("enter_agent"))
    post(r, event_xml("template_card_event", extra: "<EventKey>a</EventKey><TaskId>t</TaskId>"))
    expect(seen).to eq(%w[a b enter_agent])
  end

  it "works with a Rails.cache-like store, atomic or read-then-write" do
    store = Class.new do
      attr_reader :writes

      def initialize = (@data = {}) && (@writes = [])
      def read(key) = @data[key]

      def write(key, value, expires_in: nil, unless_exist: false)
        @writes << [key, expires_in, unless_exist]
        return false if unless_exist && @data.key?(key)

        @data[key] = value
        true
      end
    end
    [true, false].each do |atomic|
      s = store.new
      count = 0
      r = router(dedupe: WechatWork::Callback::Dedupe.new(s, ttl: 60, atomic: atomic)) { on(:text) { |_m| count += 1 } }
      2.times { post(r, text_xml("x", msg_id: "7")) }
      expect(count).to eq(1)
      expect(s.writes.first[1]).to eq(60)
      expect(s.writes.first[2]).to eq(atomic)
    end
  end

  it "bounds and expires the memory store" do
    now = 0.0
    store = WechatWork::Callback::Dedupe::MemoryStore.new(max_size: 3, clock: -> { now })
    5.times { |i| store.write("k#{i}", "v", expires_in: 10) }
    expect(store.size).to eq(3)
    expect(store.read("k0")).to be_nil
    expect(store.write("k4", "v", expires_in: 10, unless_exist: true)).to be(false)
    now = 11.0
    expect(store.read("k4")).to be_nil
    expect(store.write("k4", "v", expires_in: 10, unless_exist: true)).to be(true)
  end

  it "answers 500 and forgets the claim when a handler raises, so WeCom's retry runs it again" do
    attempts = 0
    logger, io = string_logger
    r = router(logger: logger) do
      on(:text) do |_m|
        attempts += 1
        raise "database down" if attempts == 1

        reply_text "ok"
      end
    end
    params, body = signed_post(cb, text_xml("x", msg_id: "9"))
    expect(r.receive(params, body).first).to eq(500)
    expect(reply_of(r.receive(params, body)).content).to eq("ok")
    expect(io.string).to include("RuntimeError: database down")
  end

  it "keeps working when the dedupe store fails" do
    broken = Class.new do
      def read(*) = raise(IOError, "redis down")
      def write(*, **) = raise(IOError, "redis down")
    end.new
    count = 0
    r = router(dedupe: broken) { on(:text) { |_m| count += 1 } }
    expect(post(r, text_xml("x")).first).to eq(200)
    expect(count).to eq(1)
  end

  it "answers 403 to bad signatures, 400 to malformed bodies, and logs no secret" do
    logger, io = string_logger
    r = router(logger: logger) { on(:any) { |_m| raise "must not run" } }
    params, body = signed_post(cb, text_xml("x"))
    expect(r.receive(params.merge("msg_signature" => "0" * 40), body)).to eq([403, "text/plain", "forbidden"])
    expect(r.receive(params, "")).to eq([400, "text/plain", "bad request"])
    expect(r.receive(params, "<!DOCTYPE x [<!ENTITY a 'b'>]><xml/>").first).to eq(400)
    expect(r.verify({}).first).to eq(400) # no echostr: not a verification
    expect(r.verify("echostr" => H::ECHOSTR).first).to eq(403)
    expect(r.verify("msg_signature" => H::URL_SIG, "timestamp" => H::URL_TS, "nonce" => H::URL_NONCE, "echostr" => H::ECHOSTR))
      .to eq([200, "text/plain", "5927782489442352469"])
    expect(io.string).not_to include(H::TOKEN + "\"")
    expect(io.string).not_to include(H::KEY)
    expect(io.string).not_to include(params["msg_signature"])
    expect(io.string).not_to include(body)
  end

  it "a subclass's settings refuse a misspelt one with its near miss" do
    expect { Class.new(described_class) { settings dedup: false } }
      .to raise_error(ArgumentError, "settings does not take dedup: (did you mean dedupe:?); it takes app:, dedupe:, logger:, on_error:")
  end
end
