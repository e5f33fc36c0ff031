# frozen_string_literal: true

require "open3"
require "json"

H = CallbackHelpers unless defined?(H)

# Both directions against the real peers: WeCom's own Node library (@wecom/crypto) and
# wechatpy's WeChatCrypto. bin/test installs them (npm install in spec/interop/node, a venv in
# tmp/venv). Without them the examples are skipped locally, and fail in CI.
RSpec.describe "Callback interop with WeCom's @wecom/crypto and wechatpy" do
  root = File.expand_path("../..", __dir__)
  node_dir = File.join(root, "spec/interop/node")
  python = File.join(root, "tmp/venv/bin/python")

  def self.peer_missing(what, ready)
    return nil if ready

    raise "#{what} is not installed (run bin/test)" if ENV["CI"]

    "#{what} is not installed (bin/test installs it)"
  end

  let(:cb) { callback }
  let(:native) { cb.instance_variable_get(:@native) }

  def call_peer(cmd, request, chdir:)
    out, err, status = Open3.capture3(*cmd, stdin_data: JSON.generate(request), chdir: chdir)
    raise "peer failed: #{err}" unless status.success?

    JSON.parse(out)
  end

  def text(content) = text_xml(content, msg_id: "1234567890123456")

  describe "@wecom/crypto (Node)", skip: peer_missing("@wecom/crypto", File.directory?(File.join(node_dir, "node_modules/@wecom/crypto"))) do
    def node(request) = call_peer(["node", "peer.js"], request, chdir: File.expand_path("../interop/node", __dir__))

    it "we decrypt what it encrypts and signs (a message, the URL echostr, unicode)" do
      now = Time.now.to_i.to_s
      xml = text("面试 interview & <b>")
      enc = node(op: "encrypt", key: H::KEY, message: xml, id: H::CORP)["encrypt"]
      sig = node(op: "sign", token: H::TOKEN, timestamp: now, nonce: "12345", encrypt: enc)["signature"]
      body = "<xml><ToUserName><![CDATA[#{H::CORP}]]></ToUserName><Encrypt><![CDATA[#{enc}]]></Encrypt><AgentID><![CDATA[1]]></AgentID></xml>"
      msg = cb.decrypt_message(body, msg_signature: sig, timestamp: now, nonce: "12345")
      expect(msg.content).to eq("面试 interview & <b>")

      echo = node(op: "encrypt", key: H::KEY, message: "8342718953298", id: H::CORP)["encrypt"]
      sig = node(op: "sign", token: H::TOKEN, timestamp: now, nonce: "2", encrypt: echo)["signature"]
      expect(cb.verify_url(msg_signature: sig, timestamp: now, nonce: "2", echostr: echo)).to eq("8342718953298")
    end

    it "decrypts and verifies what we encrypt and sign, for message sizes around the 32-byte padding block" do
      [0, 1, 11, 12, 13, 44, 45, 300].each do |n|
        reply = "x" * n
        envelope = WechatWork::Native::Callback.parse_xml(cb.encrypt_reply(reply, timestamp: "1411525903", nonce: "461056294"))
        out = node(op: "decrypt", key: H::KEY, encrypt: envelope["Encrypt"])
        expect(out).to eq("message" => reply, "id" => H::CORP)
        sig = node(op: "sign", token: H::TOKEN, timestamp: "1411525903", nonce: "461056294", encrypt: envelope["Encrypt"])
        expect(envelope["MsgSignature"]).to eq(sig["signature"])
      end
    end

    it "produces wechatpy's known reply ciphertext with the same random prefix" do
      expected = "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
      plain = "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>"
      expect(node(op: "encrypt", key: H::KEY, message: plain, id: H::CORP, random: "1234567890123456")["encrypt"]).to eq(expected)
      expect(native._decrypt_reply(<<~XML)).to eq(plain)
        <xml><Encrypt><![CDATA[#{expected}]]></Encrypt><MsgSignature><![CDATA[407518b7649e86ef23978113f92d27afa9296533]]></MsgSignature><TimeStamp>1411525903</TimeStamp><Nonce><![CDATA[461056294]]></Nonce></xml>
      XML
    end
  end

  describe "wechatpy WeChatCrypto (Python)", skip: peer_missing("wechatpy (tmp/venv)", File.executable?(python)) do
    define_method(:wechatpy) do |request|
      call_peer([python, "wechatpy_peer.py"], { token: H::TOKEN, key: H::KEY, corp_id: H::CORP }.merge(request),
                chdir: File.expand_path("../interop", __dir__))
    end

    it "checks our URL verification echostr and decrypts our messages (we play WeCom)" do
      enc = native._encrypt("5927782489442352469")
      sig = cb.signature(timestamp: "1", nonce: "2", encrypt: enc)
      expect(wechatpy(op: "check_signature", signature: sig, timestamp: "1", nonce: "2", echostr: enc)["echo"])
        .to eq("5927782489442352469")

      envelope = cb.encrypt_reply(text("从 Ruby 来"), timestamp: "1411525903", nonce: "461056294")
      sig = WechatWork::Native::Callback.parse_xml(envelope)["MsgSignature"]
      out = wechatpy(op: "decrypt_message", xml: envelope, signature: sig, timestamp: "1411525903", nonce: "461056294")
      expect(cb.parse(out["message"]).content).to eq("从 Ruby 来")
    end

    it "its encrypted replies are accepted by our WeCom side, and its messages by our endpoint side" do
      plain = "<xml><ToUserName><![CDATA[zhangsan]]></ToUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[来自 wechatpy]]></Content></xml>"
      out = wechatpy(op: "encrypt_message", message: plain, nonce: "461056294", timestamp: Time.now.to_i.to_s)["xml"]
      expect(native._decrypt_reply(out)).to eq(plain)

      fields = WechatWork::Native::Callback.parse_xml(out)
      body = "<xml><ToUserName><![CDATA[#{H::CORP}]]></ToUserName><Encrypt><![CDATA[#{fields["Encrypt"]}]]></Encrypt></xml>"
      msg = cb.decrypt_message(body, msg_signature: fields["MsgSignature"], timestamp: fields["TimeStamp"], nonce: fields["Nonce"])
      expect(msg.content).to eq("来自 wechatpy")
    end

    it "refuses what we refuse: a tampered signature" do
      envelope = cb.encrypt_reply(text("x"), timestamp: "1", nonce: "2")
      expect do
        wechatpy(op: "decrypt_message", xml: envelope, signature: "0" * 40, timestamp: "1", nonce: "2")
      end.to raise_error(/InvalidSignatureException|peer failed/)
    end
  end
end
