# frozen_string_literal: true

RSpec.describe WechatWork::Client, "retries and timeouts" do
  let(:server) { fake_wecom }
  let(:client) { client_for(server, timeout: 5) }

  it "retries errcode -1 with backoff and succeeds" do
    attempts = 0
    server.on("message/send") do |req|
      attempts += 1
      attempts < 3 ? { "errcode" => -1, "errmsg" => "system busy" } : { "errcode" => 0, "msgid" => "m-#{req.json["text"]["content"]}" }
    end
    expect(client.send_text(to: "a", content: "x").msgid).to eq("m-x")
    expect(attempts).to eq(3)
  end

  it "gives up after max_retries with SystemBusyError" do
    server.on("message/send") { { "errcode" => -1, "errmsg" => "system busy" } }
    expect { client_for(server, max_retries: 2).send_text(to: "a", content: "x") }.to raise_error(WechatWork::SystemBusyError)
    expect(server.count("message/send")).to eq(3)
  end

  it "never delivers twice when a send is retried after it reached WeCom" do
    seen = {}
    server.on("message/send") do |req|
      body = req.json
      key = req.body
      # WeCom's duplicate check: the same body within the window is accepted but not delivered again.
      if body["enable_duplicate_check"] == 1 && seen.key?(key)
        { "errcode" => 0, "msgid" => seen[key] }
      else
        server.delivered << body
        seen[key] = "m#{server.delivered.size}"
        # ...but the answer is lost on the way back the first time.
        server.delivered.size == 1 ? [502, "<html>bad gateway</html>"] : { "errcode" => 0, "msgid" => seen[key] }
      end
    end
    response = client.send_text(to: "zhangsan", content: "Interview at 15:00")
    expect(response.msgid).to eq("m1")
    expect(server.count("message/send")).to eq(2)
    expect(server.delivered.size).to eq(1)
  end

  it "does not retry a non-deduplicated POST after a 5xx" do
    server.on("message/send") { [502, "<html>bad gateway</html>"] }
    expect { client.send_text(to: "a", content: "x", enable_duplicate_check: false) }
      .to raise_error(WechatWork::ProtocolError) { |e| expect(e.http_status).to eq(502) }
    expect(server.count("message/send")).to eq(1)
  end

  it "retries a dropped connection for GETs" do
    attempts = 0
    server.on("user/get") do
      attempts += 1
      attempts == 1 ? :close : { "errcode" => 0, "userid" => "a" }
    end
    expect(client.get("user/get", userid: "a")["userid"]).to eq("a")
  end

  it "raises TimeoutError about timeout: seconds after a silent server" do
    quick = client_for(server, timeout: 0.5)
    quick.access_token
    server.on("message/send") { :hang }
    time = elapsed do
      expect { quick.send_text(to: "a", content: "x") }.to raise_error(WechatWork::TimeoutError) { |e|
        expect(e.timeout).to eq(0.5)
        expect(e.path).to eq("message/send")
        expect(e).to be_a(WechatWork::NetworkError)
      }
    end
    expect(time).to be_between(0.45, 3)
  end

  it "raises NetworkError when nothing listens" do
    port = TCPServer.new("127.0.0.1", 0).then { |s| s.addr[1].tap { s.close } }
    dead = WechatWork::Client.new(corp_id: "ww", secret: "s", agent_id: 1, base_url: "http://127.0.0.1:#{port}", timeout: 2)
    expect { dead.access_token }.to raise_error(WechatWork::NetworkError, /connect/) { |e| expect(e.path).to eq("gettoken") }
  end
end
