# frozen_string_literal: true

H = CallbackHelpers unless defined?(H)

RSpec.describe WechatWork::Callback do
  # The vectors were recorded in 2014: replayed with the window off ("the timestamp window" below).
  let(:cb) { vector_callback }

  describe "#verify_url" do
    it "answers wechatpy's vector" do
      expect(cb.verify_url(msg_signature: H::URL_SIG, timestamp: H::URL_TS, nonce: H::URL_NONCE, echostr: H::ECHOSTR))
        .to eq("5927782489442352469")
    end

    it "answers WeCom's official sample" do
      official = described_class.new(token: "QDG6eK", encoding_aes_key: H::OTHER_KEY, corp_id: "wx5823bf96d3bd56c7",
                                     timestamp_window: false)
      echo = official.verify_url(
        msg_signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", timestamp: "1409659589", nonce: 263014780,
        echostr: "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
      )
      expect(echo).to eq("1616140317555161061")
    end

    it "raises SignatureError for a tampered signature" do
      expect { cb.verify_url(msg_signature: H::URL_SIG.tr("d", "e"), timestamp: H::URL_TS, nonce: H::URL_NONCE, echostr: H::ECHOSTR) }
        .to raise_error(WechatWork::SignatureError) { |e| expect([e.reason, e.http_status]).to eq([:signature, 403]) }
    end
  end

  describe "#decrypt_message" do
    it "decrypts wechatpy's vector into a message with WeCom's names and snake_case readers" do
      msg = cb.decrypt_message(H::MSG_BODY, msg_signature: H::MSG_SIG, timestamp: H::MSG_TS, nonce: H::MSG_NONCE)
      expect(msg).to be_a(WechatWork::Callback::Message::Text)
      expect(msg["Content"]).to eq("test")
      expect(msg["FromUserName"]).to eq("messense")
      expect(msg[:from_user_name]).to eq("messense")
      expect(msg.content).to eq("test")
      expect(msg.msg_type).to eq("text")
      expect(msg.msg_id).to eq("4363689963896700987")
      expect(msg.create_time).to eq(Time.at(1411525903))
      expect(msg.to_user_name).to eq(H::CORP)
      expect(msg.agent_id).to eq(1)
      expect(msg).to be_text
      expect(msg.xml).to start_with("<xml><ToUserName>")
      expect(msg.to_h).to include("MsgType" => "text")
      expect(msg.inspect).not_to include("test\"")
    end

    def decrypt(body, sig = H::MSG_SIG, timestamp: H::MSG_TS, nonce: H::MSG_NONCE, with: cb)
      with.decrypt_message(body, msg_signature: sig, timestamp: timestamp, nonce: nonce)
    end

    def signed_body(encrypt)
      [cb.signature(timestamp: H::MSG_TS, nonce: H::MSG_NONCE, encrypt: encrypt),
       "<xml><Encrypt><![CDATA[#{encrypt}]]></Encrypt></xml>"]
    end

    it "gives the right error class and reason for every kind of bad input" do
      expect { decrypt(H::MSG_BODY, H::MSG_SIG.tr("7", "8")) }.to raise_error(WechatWork::SignatureError)
      expect { decrypt(H::MSG_BODY, nil) }.to raise_error(WechatWork::SignatureError)
      expect { decrypt(H::MSG_BODY, timestamp: "1411525904") }
        .to raise_error(WechatWork::SignatureError) { |e| expect(e).not_to be_a(WechatWork::TimestampError) }
      wrong_key = vector_callback(encoding_aes_key: H::OTHER_KEY)
      expect { decrypt(H::MSG_BODY, with: wrong_key) }
        .to raise_error(WechatWork::DecryptError) { |e| expect([e.class, e.reason, e.http_status]).to eq([WechatWork::DecryptError, :decrypt, 400]) }
      other_corp = vector_callback(corp_id: "wwother")
      expect { decrypt(H::MSG_BODY, with: other_corp) }
        .to raise_error(WechatWork::ReceiveIdError, /receive id/) { |e| expect([e.reason, e.http_status]).to eq([:receive_id, 400]) }
      suite = vector_callback(corp_id: "wwother", verify_receive_id: false)
      expect(decrypt(H::MSG_BODY, with: suite).content).to eq("test")

      real = H::MSG_BODY[/CDATA\[([^\]]+=)\]\]><\/Encrypt/, 1]
      ["#{real[0, 64]}", "not*base64!", "AAAA", real[0...-24] + "=="].each do |encrypt|
        sig, body = signed_body(encrypt)
        expect { decrypt(body, sig) }.to raise_error(WechatWork::DecryptError), encrypt
      end

      ["", "   ", "hello", "<xml><ToUserName>x</ToUserName></xml>", "<xml><Encrypt>abc",
       %(<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>),
       %(<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>),
       "<xml><Encrypt>&unknown;</Encrypt></xml>", "\xFF\xFE<xml/>".b, nil].each do |body|
        malformed = raise_error(WechatWork::MalformedCallbackError) do |e|
          expect([e.reason, e.http_status, e.path]).to eq([:malformed, 400, "callback"])
          expect(e).to be_a(WechatWork::ProtocolError)
        end
        expect { decrypt(body) }.to malformed, body.inspect
      end
      expect { decrypt("<xml><Encrypt>#{"A" * WechatWork::Callback::MAX_BODY}</Encrypt></xml>") }
        .to raise_error(WechatWork::MalformedCallbackError) { |e| expect([e.reason, e.http_status]).to eq([:too_large, 413]) }
      refused = [WechatWork::SignatureError, WechatWork::TimestampError, WechatWork::DecryptError, WechatWork::ReceiveIdError,
                 WechatWork::MalformedCallbackError]
      expect(refused).to all(be < WechatWork::CallbackRefused)
      expect(refused).to all(be < WechatWork::Error)
    end

    it "raises only WechatWork::Error for random garbage" do
      rng = Random.new(42)
      200.times do
        body = ["<xml><Encrypt>#{rng.bytes(rng.rand(80)).unpack1("m0") rescue ""}</Encrypt></xml>",
                rng.bytes(rng.rand(200)), "<xml>" + rng.bytes(rng.rand(50)).force_encoding("UTF-8")].sample(random: rng)
        begin
          decrypt(body, rng.bytes(20).unpack1("H*"))
        rescue WechatWork::Error
          nil
        end
      end
    end

    it "rejects an oversized length field and bad padding (built with the real key)" do
      # A plaintext whose length field says 1000 bytes; and one whose padding byte is 0.
      key = "#{H::KEY}=".unpack1("m")
      raw = lambda do |plain|
        c = OpenSSL::Cipher.new("aes-256-cbc").tap(&:encrypt)
        c.key = key
        c.iv = key[0, 16]
        c.padding = 0
        [c.update(plain) + c.final].pack("m0")
      end
      require "openssl"
      core = ("r" * 16).b + [1000].pack("N") + "<xml/>#{H::CORP}"
      pad = 32 - (core.bytesize % 32)
      oversized = core + (pad.chr * pad)
      bad_pad = ("r" * 16).b + [6].pack("N") + "<xml/>#{H::CORP}"
      bad_pad += "\x00" * (32 - (bad_pad.bytesize % 32))
      [oversized, bad_pad].each do |plain|
        sig, body = signed_body(raw.call(plain))
        expect { decrypt(body, sig) }.to raise_error(WechatWork::DecryptError)
      end
    end
  end

  describe "the timestamp window (against replays)" do
    let(:cb) { callback }
    # Time.now is what the window is checked against: frozen, so a second cannot tick between
    # signing and checking.
    let(:now) { Time.at(1_750_000_000) }

    before { allow(Time).to receive(:now).and_return(now) }

    def post_at(offset, with: cb)
      timestamp = (now.to_i + offset).to_s
      params, body = signed_post(with, text_xml("hi"), timestamp: timestamp)
      with.decrypt_message(body, msg_signature: params["msg_signature"], timestamp: timestamp, nonce: params["nonce"])
    end

    def get_at(offset, with: cb)
      params = signed_get(with, timestamp: (now.to_i + offset).to_s)
      with.verify_url(**params.transform_keys(&:to_sym))
    end

    def refused_at(offset, via:, with: cb)
      expect { send(via, offset, with: with) }.to raise_error(WechatWork::TimestampError) { |e|
        expect([e.reason, e.http_status]).to eq([:timestamp, 403])
        expect(e).to be_a(WechatWork::SignatureError)
        expect(e.message).to match(/#{(offset.abs)} s (behind|ahead of) this server's clock/)
      }
    end

    it "decrypt_message: accepts 10 minutes either side, refuses a second more, and 1970" do
      expect(cb.timestamp_window).to eq(600)
      expect(post_at(0).content).to eq("hi")
      expect(post_at(-600).content).to eq("hi")
      expect(post_at(600).content).to eq("hi")
      refused_at(-601, via: :post_at)
      refused_at(601, via: :post_at)
      refused_at(1 - now.to_i, via: :post_at) # timestamp=1
    end

    it "verify_url: the GET carries a timestamp too, checked the same way" do
      expect(get_at(-600)).to eq("5927782489442352469")
      expect(get_at(600)).to eq("5927782489442352469")
      refused_at(-601, via: :get_at)
      refused_at(601, via: :get_at)
    end

    it "judges the signature first: a forged request with an old timestamp is a signature mismatch" do
      params, body = signed_post(cb, text_xml("hi"), timestamp: "1")
      expect { cb.decrypt_message(body, msg_signature: "0" * 40, timestamp: "1", nonce: params["nonce"]) }
        .to raise_error(WechatWork::SignatureError) { |e| expect(e.reason).to eq(:signature) }
    end

    it "is configurable per Callback: seconds, or false / nil for tools replaying stored requests" do
      short = callback(timestamp_window: 30)
      expect(post_at(-30, with: short).content).to eq("hi")
      refused_at(31, via: :post_at, with: short)
      [false, nil].each do |off|
        replayer = callback(timestamp_window: off)
        expect(replayer.timestamp_window).to be_nil
        expect(post_at(1 - now.to_i, with: replayer).content).to eq("hi")
        expect(get_at(86_400 * 365, with: replayer)).to eq("5927782489442352469")
      end
      expect(callback(timestamp_window: 120.0).timestamp_window).to eq(120)
      [0, -5, 86_401, 1.5, "soon", :ten].each do |bad|
        expect { callback(timestamp_window: bad) }
          .to raise_error(WechatWork::ConfigurationError, /timestamp_window must be 1 to 86400 seconds \(or false/), bad.inspect
      end
    end

    it "defaults to the configuration's callback_timestamp_window" do
      WechatWork.configure { |c| c.callback_timestamp_window = 60 }
      expect(callback.timestamp_window).to eq(60)
      refused_at(-61, via: :post_at, with: callback)
      WechatWork.configure { |c| c.callback_timestamp_window = false }
      expect(post_at(1 - now.to_i, with: callback).content).to eq("hi")
    ensure
      WechatWork.reset!
    end

    it "leaves parse alone: a stored plaintext message has no timestamp to check" do
      expect(cb.parse(text_xml("stored", create_time: 1)).content).to eq("stored")
    end
  end

  describe "#explain: what the log says about a refusal" do
    it "names the reason and the setting to check, never a value" do
      cb = callback
      expect(cb.explain(:signature)).to eq("signature mismatch (check token: (or WECHAT_WORK_CALLBACK_TOKEN): the Token in " \
                                           "the app's 接收消息 API settings, and that the request is for this app)")
      expect(cb.explain(:timestamp)).to eq("timestamp out of range (outside 600 s either side of this server's clock: " \
                                           "check the clock, or it is a replay)")
      expect(cb.explain(:decrypt)).to eq("undecryptable body (check encoding_aes_key: (or WECHAT_WORK_ENCODING_AES_KEY))")
      expect(cb.explain(:receive_id)).to eq("wrong receive id (check corp_id: (or WECHAT_WORK_CORP_ID), or receive_id: for a third-party suite)")
      expect(cb.explain(:malformed)).to eq("malformed body (not a WeCom callback body)")
      expect(cb.explain(:too_large)).to eq("body too large (WeCom's callbacks are a few KB)")
      expect(callback(receive_id: "suite1").explain(:receive_id)).to eq("wrong receive id (check receive_id: (the suite id))")
      WechatWork::Callback::REFUSALS.each_key { |reason| expect(cb.explain(reason)).not_to include(H::TOKEN, H::KEY, H::CORP) }
    end

    it "names the configured app's settings" do
      WechatWork.configure do |c|
        c.corp_id = H::CORP
        c.callback_token = H::TOKEN
        c.encoding_aes_key = H::KEY
      end
      cb = described_class.new(:default)
      expect(cb.explain(:signature)).to start_with("signature mismatch (check callback_token of app :default: ")
      expect(cb.explain(:decrypt)).to eq("undecryptable body (check encoding_aes_key of app :default)")
      expect(cb.explain(:receive_id)).to start_with("wrong receive id (check corp_id of app :default, ")
    ensure
      WechatWork.reset!
    end
  end

  describe "#encrypt_reply" do
    it "produces an envelope WeCom's side can check and decrypt" do
      reply = WechatWork::Callback::Reply.text("hello ]]> world")
      envelope = cb.encrypt_reply(reply, timestamp: "1411525903", nonce: "461056294", to: "messense")
      fields = WechatWork::Native::Callback.parse_xml(envelope)
      expect(fields.keys).to eq(%w[Encrypt MsgSignature Nonce TimeStamp].sort.then { fields.keys.sort == _1 ? fields.keys : _1 })
      expect(fields["TimeStamp"]).to eq("1411525903")
      expect(fields["MsgSignature"]).to eq(cb.signature(timestamp: "1411525903", nonce: "461056294", encrypt: fields["Encrypt"]))
      plain = cb.instance_variable_get(:@native)._decrypt_reply(envelope)
      parsed = cb.parse(plain)
      expect(parsed.content).to eq("hello ]]> world")
      expect(parsed.to_user_name).to eq("messense")
      expect(parsed.from_user_name).to eq(H::CORP)
    end

    it "accepts a plaintext XML reply and checks timestamp and nonce" do
      expect(cb.encrypt_reply("<xml><MsgType>text</MsgType></xml>", timestamp: "1", nonce: "2")).to include("<MsgSignature>")
      expect { cb.encrypt_reply("<xml/>", timestamp: "abc", nonce: "2") }.to raise_error(ArgumentError)
    end
  end

  describe "configuration" do
    it "reads ENV" do
      env = { "WECHAT_WORK_CALLBACK_TOKEN" => H::TOKEN, "WECHAT_WORK_ENCODING_AES_KEY" => H::KEY, "WECHAT_WORK_CORP_ID" => H::CORP }
      stub_const("ENV", ENV.to_h.merge(env))
      expect(described_class.new.timestamp_window).to eq(600)
      expect(described_class.new(timestamp_window: false).verify_url(msg_signature: H::URL_SIG, timestamp: H::URL_TS, nonce: H::URL_NONCE, echostr: H::ECHOSTR))
        .to eq("5927782489442352469")
    end

    it "refuses missing or malformed settings without echoing secrets" do
      expect { described_class.new(token: nil, encoding_aes_key: H::KEY, corp_id: H::CORP) }
        .to raise_error(WechatWork::ConfigurationError, /token/)
      expect { described_class.new(token: H::TOKEN, encoding_aes_key: "", corp_id: H::CORP) }
        .to raise_error(WechatWork::ConfigurationError, /EncodingAESKey/)
      expect { described_class.new(token: H::TOKEN, encoding_aes_key: H::KEY, corp_id: nil) }
        .to raise_error(WechatWork::ConfigurationError, /corp id/)
      expect { described_class.new(token: H::TOKEN, encoding_aes_key: "#{H::KEY[0, 40]}!!!", corp_id: H::CORP) }
        .to raise_error(WechatWork::ConfigurationError) { |e| expect(e.message).not_to include(H::KEY[0, 40]) }
      expect { described_class.new(token: H::TOKEN, encoding_aes_key: H::KEY[0, 42], corp_id: H::CORP) }
        .to raise_error(WechatWork::ConfigurationError, /43/)
    end

    it "never shows the token or key" do
      expect(cb.inspect).not_to include(H::TOKEN)
      expect(cb.inspect).not_to include(H::KEY)
      expect(cb.inspect).to include("[FILTERED]")
      expect(cb.instance_variables).not_to include(:@token, :@encoding_aes_key)
      expect(cb.to_s).not_to include(H::KEY)
    end

    it "uses the suite id as receive id for third-party apps" do
      suite = described_class.new(token: H::TOKEN, encoding_aes_key: H::KEY, corp_id: H::CORP, receive_id: "suite123")
      expect(suite.receive_id).to eq("suite123")
    end
  end
end
