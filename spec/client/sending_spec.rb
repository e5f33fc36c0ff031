# frozen_string_literal: true

RSpec.describe WechatWork::Client, "sending messages" do
  let(:server) { fake_wecom }
  let(:client) { client_for(server) }

  it "sends a textcard with the agent id, recipients and a duplicate check" do
    response = client.send_textcard(to: "zhangsan", title: "Interview at 15:00", description: "Room 3",
                                    url: "https://example.com/rooms/3", btntxt: "Join")
    expect(response.msgid).to eq("fake-msg-1")
    expect(response["msgid"]).to eq(response[:msgid])
    expect(server.delivered.last).to include(
      "touser" => "zhangsan", "msgtype" => "textcard", "agentid" => 1000002,
      "textcard" => { "title" => "Interview at 15:00", "description" => "Room 3",
                      "url" => "https://example.com/rooms/3", "btntxt" => "Join" },
      "enable_duplicate_check" => 1, "duplicate_check_interval" => 300
    )
  end

  it "sends text, markdown, news and any msgtype" do
    client.send_text(to: %w[zhangsan lisi], content: "hello", safe: 1)
    client.send_markdown(to: { parties: [2, 3], tags: [5] }, content: "**hi**")
    client.send_news(to: :all, articles: [{ title: "T", url: "https://example.com" }])
    client.send_message(to: "zhangsan", msgtype: "template_card",
                        template_card: { card_type: "text_notice", main_title: { title: "x" },
                                                        card_action: { type: 1, url: "https://example.com" } })
    client.send_message(to: "zhangsan", msgtype: :image, media_id: "MEDIA")
    text, markdown, news, card, image = server.delivered
    expect(text).to include("touser" => "zhangsan|lisi", "text" => { "content" => "hello" }, "safe" => 1)
    expect(markdown).to include("toparty" => "2|3", "totag" => "5", "markdown" => { "content" => "**hi**" })
    expect(markdown).not_to have_key("touser")
    expect(news).to include("touser" => "@all", "news" => { "articles" => [{ "title" => "T", "url" => "https://example.com" }] })
    expect(card["template_card"]).to include("card_type" => "text_notice", "main_title" => { "title" => "x" })
    expect(image["image"]).to eq("media_id" => "MEDIA")
  end

  it "can turn the duplicate check off or change its window" do
    client.send_text(to: "a", content: "x", enable_duplicate_check: false)
    client.send_text(to: "a", content: "y", duplicate_check_interval: 1800)
    expect(server.delivered[0]).to include("enable_duplicate_check" => 0)
    expect(server.delivered[0]).not_to have_key("duplicate_check_interval")
    expect(server.delivered[1]).to include("enable_duplicate_check" => 1, "duplicate_check_interval" => 1800)
  end

  it "exposes partial failures of a send" do
    server.on("message/send") do
      { "errcode" => 0, "errmsg" => "ok", "invaliduser" => "ghost|nobody", "invalidparty" => "9",
        "unlicenseduser" => "late", "msgid" => "m", "response_code" => "rc" }
    end
    response = client.send_text(to: %w[zhangsan ghost nobody], content: "x")
    expect(response.invalid_users).to eq(%w[ghost nobody])
    expect(response.invalid_parties).to eq(%w[9])
    expect(response.invalid_tags).to eq([])
    expect(response.unlicensed_users).to eq(%w[late])
    expect(response.response_code).to eq("rc")
  end

  describe "bad arguments fail before any request" do
    after { expect(server.requests).to be_empty }

    it "refuses a missing or empty recipient" do
      expect { client.send_text(to: [], content: "x") }.to raise_error(ArgumentError, /no recipient/)
      expect { client.send_text(to: { users: [] }, content: "x") }.to raise_error(ArgumentError, /no recipient/)
      expect { client.send_text(to: 42, content: "x") }.to raise_error(ArgumentError, /to: 42 is not a userid.*parties: \[42\]/)
      expect { client.send_text(to: 4.2, content: "x") }.to raise_error(ArgumentError, /to: must be a userid/)
      expect { client.send_text(to: { people: ["a"] }, content: "x") }.to raise_error(ArgumentError, /people/)
      expect { client.send_text(content: "x") }.to raise_error(ArgumentError, /to/)
    end

    it "refuses text over 2048 bytes, counting UTF-8 bytes" do
      expect { client.send_text(to: "a", content: "面" * 683) }.to raise_error(ArgumentError, /2049 bytes.*2048/)
    end

    it "refuses an unknown msgtype and empty content" do
      expect { client.send_message(to: "a", msgtype: "fax", fax: {}) }.to raise_error(ArgumentError, /unknown msgtype "fax"/)
      expect { client.send_text(to: "a", content: "") }.to raise_error(ArgumentError, /content/)
      expect { client.send_news(to: "a", articles: []) }.to raise_error(ArgumentError, /1 to 8 articles/)
    end

    it "refuses a safe level WeCom does not have" do
      expect { client.send_text(to: "a", content: "x", safe: "abc") }.to raise_error(ArgumentError, /safe: must be 0/)
      expect { client.send_text(to: "a", content: "x", safe: 3) }.to raise_error(ArgumentError, /got 3/)
    end

    it "refuses a send without an agent id" do
      no_agent = client_for(server, agent_id: nil)
      expect { no_agent.send_text(to: "a", content: "x") }.to raise_error(ArgumentError, /agent_id is missing/)
    end
  end

  it "calls any API with get and post" do
    server.on("user/get") { |req| { "errcode" => 0, "userid" => req.params["userid"], "name" => "Zhang San" } }
    server.on("message/recall") { |req| { "errcode" => 0, "errmsg" => "ok", "echo" => req.json["msgid"] } }
    expect(client.get("user/get", userid: "zhangsan")["name"]).to eq("Zhang San")
    expect(client.get("/cgi-bin/user/get", "userid" => "lisi")[:userid]).to eq("lisi")
    expect(client.post("message/recall", msgid: "m1")["echo"]).to eq("m1")
  end

  describe "API errors" do
    it "raises the class of the errcode with a message that says what to do" do
      server.on("message/send") do
        { "errcode" => 60020, "errmsg" => "not allow to access from your ip, hint: [123], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=60020" }
      end
      expect { client.send_text(to: "a", content: "x") }.to raise_error(WechatWork::IpNotAllowedError) { |e|
        expect(e.errcode).to eq(60020)
        expect(e.path).to eq("message/send")
        expect(e.message).to include("trusted IPs", "not allow to access from your ip")
        expect(e.message).not_to include("hint:")
        expect(e).to be_a(WechatWork::ApiError)
      }
    end

    it "reports invalid recipients on 81013" do
      server.on("message/send") { { "errcode" => 81013, "errmsg" => "user & party & tag all invalid", "invaliduser" => "ghost" } }
      expect { client.send_text(to: "ghost", content: "x") }.to raise_error(WechatWork::NoValidRecipientError) { |e|
        expect(e.invalid_users).to eq(%w[ghost])
      }
    end

    it "maps the codes people handle" do
      { 45009 => WechatWork::RateLimitError, 301002 => WechatWork::WrongAgentError, 40056 => WechatWork::InvalidAgentError,
        48002 => WechatWork::PermissionError, 12345 => WechatWork::ApiError }.each do |code, klass|
        server.on("message/send") { { "errcode" => code, "errmsg" => "e#{code}" } }
        expect { client.send_text(to: "a", content: "x") }.to raise_error(klass) { |e| expect(e.errcode).to eq(code) }
      end
    end

    it "raises InvalidCredentialError for a wrong secret and InvalidCorpIdError for a wrong corp" do
      bad = WechatWork::Client.new(corp_id: server.corp_id, secret: "wrong", agent_id: 1, base_url: server.base_url)
      expect { bad.access_token }.to raise_error(WechatWork::InvalidCredentialError, /secret/)
      other = WechatWork::Client.new(corp_id: "ww-other", secret: "x", agent_id: 1, base_url: server.base_url)
      expect { other.access_token }.to raise_error(WechatWork::InvalidCorpIdError)
    end

    it "raises ProtocolError for an answer that is not WeCom's JSON" do
      server.on("message/send") { [200, "<html>captive portal</html>"] }
      expect { client.send_text(to: "a", content: "x") }.to raise_error(WechatWork::ProtocolError, /not WeCom's JSON/) { |e|
        expect(e.http_status).to eq(200)
      }
      server.on("message/send") { [404, "<html>not found</html>"] }
      expect { client.send_text(to: "a", content: "x") }.to raise_error(WechatWork::ProtocolError) { |e| expect(e.http_status).to eq(404) }
    end
  end

  describe "configuration" do
    after { WechatWork.reset! }

    it "reads WECHAT_WORK_* and builds a shared client" do
      env = { "WECHAT_WORK_CORP_ID" => server.corp_id, "WECHAT_WORK_SECRET" => server.secret,
              "WECHAT_WORK_AGENT_ID" => "1000003", "WECHAT_WORK_BASE_URL" => server.base_url }
      config = WechatWork::Configuration.new(env: env)
      expect(config.agent_id).to eq(1000003)
      expect(config.inspect).not_to include(server.secret)
      WechatWork.instance_variable_set(:@configuration, config)
      expect(WechatWork.client).to be(WechatWork.client)
      WechatWork.client.send_text(to: "a", content: "x")
      expect(server.delivered.last["agentid"]).to eq(1000003)
    end

    it "rebuilds the shared client after configure" do
      WechatWork.configure do |c|
        c.corp_id = server.corp_id
        c.secret = server.secret
        c.agent_id = 7
        c.base_url = server.base_url
      end
      first = WechatWork.client
      WechatWork.configure { |c| c.agent_id = 8 }
      expect(WechatWork.client).not_to be(first)
      expect(WechatWork.client.agent_id).to eq(8)
    end

    it "raises ConfigurationError for settings that cannot work" do
      expect { WechatWork::Client.new(corp_id: "", secret: "s") }.to raise_error(WechatWork::ConfigurationError, /corp_id/)
      expect { WechatWork::Client.new(corp_id: "ww", secret: nil) }.to raise_error(WechatWork::ConfigurationError, /secret/)
      expect { WechatWork::Client.new(corp_id: "ww", secret: "s", base_url: "nope") }.to raise_error(WechatWork::ConfigurationError, /base_url/)
      expect { WechatWork::Client.new(corp_id: "ww", secret: "s", timeout: 0) }.to raise_error(WechatWork::ConfigurationError, /timeout/)
      expect { WechatWork::Client.new(corp_id: "ww", secret: "s", token_store: Object.new) }.to raise_error(WechatWork::ConfigurationError, /read and write/)
      expect { WechatWork::Configuration.new(env: { "WECHAT_WORK_AGENT_ID" => "abc" }) }.to raise_error(WechatWork::ConfigurationError, /AGENT_ID/)
    end
  end
end
