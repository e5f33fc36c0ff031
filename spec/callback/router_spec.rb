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
      r = router(dedupe: WechatWork::Callback::Dedupe.new(s, ttl: 1200, atomic: atomic)) { on(:text) { |_m| count += 1 } }
      2.times { post(r, text_xml("x", msg_id: "7")) }
      expect(count).to eq(1)
      expect(s.writes.first[1]).to eq(1200)
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
    get = signed_get(cb)
    expect(r.receive(params.merge("msg_signature" => "0" * 40), body)).to eq([403, "text/plain", "forbidden"])
    expect(r.receive(params, "")).to eq([400, "text/plain", "bad request"])
    expect(r.receive(params, "<!DOCTYPE x [<!ENTITY a 'b'>]><xml/>").first).to eq(400)
    expect(r.verify({}).first).to eq(400) # no echostr: not a verification
    expect(r.verify("echostr" => H::ECHOSTR).first).to eq(403)
    expect(r.verify(get)).to eq([200, "text/plain", "5927782489442352469"])
    expect(io.string).not_to include(H::TOKEN + "\"")
    expect(io.string).not_to include(H::KEY)
    expect(io.string).not_to include(params["msg_signature"])
    expect(io.string).not_to include(get["msg_signature"], get["echostr"])
    expect(io.string).not_to include(body)
  end

  describe "refusals: every one logged with its reason and what to check" do
    let(:logged) { string_logger }
    let(:r) { router(logger: logged.first) { on(:any) { |_m| raise "must not run" } } }

    def log_lines = logged.last.string.lines.map { _1.chomp.sub(/\A.*? -- : /, "") }

    it "POST and GET alike, for each reason, with a response that says only the status" do
      # One clock for the whole example: "3600 s behind" must not become 3601 when a second ticks.
      now = Time.now
      allow(Time).to receive(:now).and_return(now)
      params, body = signed_post(cb, text_xml("x"))
      stale = (Time.now.to_i - 3600).to_s
      stale_params, stale_body = signed_post(cb, text_xml("x"), timestamp: stale)
      other_key = callback(encoding_aes_key: H::OTHER_KEY)
      undecryptable = signed_post(other_key, text_xml("x"))
      other_corp = callback(corp_id: "wwother")
      elsewhere = other_corp.encrypted_request(text_xml("x"))

      answers = [
        r.receive(params.merge("msg_signature" => "0" * 40), body),
        r.receive(stale_params, stale_body),
        r.receive(*undecryptable),
        r.receive(*elsewhere),
        r.receive(params, "<xml>"),
        r.verify(signed_get(cb).merge("msg_signature" => "0" * 40)),
        r.verify(signed_get(cb, timestamp: stale))
      ]
      expect(answers).to eq([[403, "text/plain", "forbidden"], [403, "text/plain", "forbidden"],
                             [400, "text/plain", "bad request"], [400, "text/plain", "bad request"],
                             [400, "text/plain", "bad request"], [403, "text/plain", "forbidden"],
                             [403, "text/plain", "forbidden"]])
      lines = log_lines
      expect(lines.size).to eq(7)
      expect(lines[0]).to start_with("[wechat_work] callback: POST refused 403: signature mismatch (check token: " \
                                     "(or WECHAT_WORK_CALLBACK_TOKEN): the Token in the app's 接收消息 API settings")
      expect(lines[1]).to start_with("[wechat_work] callback: POST refused 403: timestamp out of range (outside 600 s either " \
                                     "side of this server's clock: check the clock, or it is a replay): the timestamp is 3600 s behind")
      expect(lines[2]).to start_with("[wechat_work] callback: POST refused 400: undecryptable body (check encoding_aes_key: ")
      expect(lines[3]).to start_with("[wechat_work] callback: POST refused 400: wrong receive id (check corp_id: ")
      expect(lines[4]).to start_with("[wechat_work] callback: POST refused 400: malformed body (not a WeCom callback body): ")
      expect(lines[5]).to start_with("[wechat_work] callback: GET refused 403: signature mismatch")
      expect(lines[6]).to start_with("[wechat_work] callback: GET refused 403: timestamp out of range")
      text = logged.last.string
      expect(text).not_to include(H::TOKEN + " ", H::KEY, H::OTHER_KEY, params["msg_signature"], stale)
      answers.each { |_, _, answer| expect(answer).not_to match(/signature|timestamp|token|key|receive/i) }
    end

    it "publishes the reason and the refusal in callback.wechat_work, for GET too" do
      require "active_support/notifications"
      events = []
      subscriber = ActiveSupport::Notifications.subscribe("callback.wechat_work") { |*, payload| events << payload.dup }
      params, body = signed_post(cb, text_xml("x"))
      r.receive(params.merge("msg_signature" => "0" * 40), body)
      r.verify(signed_get(cb, timestamp: "1"))
      r.verify(signed_get(cb))
      r.refuse_too_large("5000000000")
      expect(events.map { _1.slice(:method, :status, :reason) })
        .to eq([{ method: "POST", status: 403, reason: :signature }, { method: "GET", status: 403, reason: :timestamp },
                { method: "GET", status: 200 }, { method: "POST", status: 413, reason: :too_large }])
      expect(events[0][:refusal]).to eq(cb.explain(:signature))
      expect(events[2][:message]).to eq("URL verification")
      expect(log_lines.last).to eq("[wechat_work] callback: POST refused 413: body too large (WeCom's callbacks are " \
                                   "a few KB): Content-Length 5000000000 is over 1048576 bytes")
    ensure
      ActiveSupport::Notifications.unsubscribe(subscriber) if subscriber
    end
  end

  describe "replays" do
    it "keeps deliveries in the dedupe store for twice the timestamp window" do
      expect(router.replay_ttl).to eq(1200)
      expect(router.dedupe.ttl).to eq(1200)
      expect(router(dedupe: WechatWork::Callback::Dedupe::MemoryStore.new).dedupe.ttl).to eq(1200)
      expect(described_class.new(callback(timestamp_window: 60)).replay_ttl).to eq(WechatWork::Callback::Dedupe::DEFAULT_TTL)
      expect(described_class.new(callback(timestamp_window: false)).replay_ttl).to eq(WechatWork::Callback::Dedupe::DEFAULT_TTL)
    end

    it "does not dispatch a replay inside the window after WeCom's retry window, and refuses one after it" do
      clock = 0.0
      store = WechatWork::Callback::Dedupe::MemoryStore.new(clock: -> { clock })
      count = 0
      r = router(dedupe: store) { on(:text) { |_m| count += 1 } }
      sent = Time.now
      params, body = signed_post(cb, text_xml("hi", msg_id: "77"), timestamp: sent.to_i.to_s)
      expect(r.receive(params, body).first).to eq(200)

      # 7 minutes later: past the old 300 s dedupe, inside the 600 s window. Still a duplicate.
      clock += 420
      allow(Time).to receive(:now).and_return(sent + 420)
      expect(r.receive(params, body).first).to eq(200)
      expect(count).to eq(1)

      # 11 minutes later: outside the window.
      clock += 240
      allow(Time).to receive(:now).and_return(sent + 660)
      expect(r.receive(params, body).first).to eq(403)
      expect(count).to eq(1)
    end

    it "warns when a given Dedupe forgets sooner than the window allows a replay" do
      expect(WechatWork).to receive(:warn).with(/dedupe ttl \(300 s\) is shorter than twice the timestamp window \(1200 s\)/)
      router(dedupe: WechatWork::Callback::Dedupe.new(ttl: 300))
      expect(WechatWork).not_to receive(:warn)
      router(dedupe: WechatWork::Callback::Dedupe.new(ttl: 1200))
    end
  end

  it "a subclass's settings refuse a misspelt one with its near miss" do
    expect { Class.new(described_class) { settings dedup: false } }
      .to raise_error(ArgumentError, "settings does not take dedup: (did you mean dedupe:?); it takes app:, dedupe:, logger:, on_error:")
  end
end
