# frozen_string_literal: true

H = CallbackHelpers unless defined?(H)

RSpec.describe WechatWork::Callback do
  let(:cb) { callback }

  describe "#verify_url" do
    it "answers wechatpy's vector" do
      expect(cb.verify_url(msg_signature: H::URL_SIG, timestamp: H::URL_TS, nonce: H::URL_NONCE, echostr: H::ECHOSTR))
        .to eq("5927782489442352469")
    end

    it "answers WeCom's official sample" do
      official = described_class.new(token: "QDG6eK", encoding_aes_key: H::OTHER_KEY, corp_id: "wx5823bf96d3bd56c7")
      echo = official.verify_url(
        msg_signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", timestamp: "1409659589", nonce: 263014780,
        echostr: "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
      )
      expect(echo).to eq("1616140317555161061")
    end

    it "raises SignatureError for a tampered signature" do
      expect { cb.verify_url(msg_signature: H::URL_SIG.tr("d", "e"), timestamp: H::URL_TS, nonce: H::URL_NONCE, echostr: H::ECHOSTR) }
        .to raise_error(WechatWork::SignatureError)
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

    it "gives the right error class for every kind of bad input" do
      expect { decrypt(H::MSG_BODY, H::MSG_SIG.tr("7", "8")) }.to raise_error(WechatWork::SignatureError)
      expect { decrypt(H::MSG_BODY, nil) }.to raise_error(WechatWork::SignatureError)
      expect { decrypt(H::MSG_BODY, timestamp: "1411525904") }.to raise_error(WechatWork::SignatureError)
      wrong_key = described_class.new(token: H::TOKEN, encoding_aes_key: H::OTHER_KEY, corp_id: H::CORP)
      expect { decrypt(H::MSG_BODY, with: wrong_key) }.to raise_error(WechatWork::DecryptError)
      other_corp = described_class.new(token: H::TOKEN, encoding_aes_key: H::KEY, corp_id: "wwother")
      expect { decrypt(H::MSG_BODY, with: other_corp) }.to raise_error(WechatWork::DecryptError, /receive id/)
      suite = described_class.new(token: H::TOKEN, encoding_aes_key: H::KEY, corp_id: "wwother", verify_receive_id: false)
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
        expect { decrypt(body) }.to raise_error(WechatWork::ProtocolError), body.inspect
      end
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
      expect(described_class.new.verify_url(msg_signature: H::URL_SIG, timestamp: H::URL_TS, nonce: H::URL_NONCE, echostr: H::ECHOSTR))
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
