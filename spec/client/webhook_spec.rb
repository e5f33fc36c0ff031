# frozen_string_literal: true

require "tmpdir"
require "stringio"
require "logger"
require "socket"
require "digest/md5"
require "base64"

RSpec.describe WechatWork::Webhook do
  key = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"

  include_context "on the simulator"
  around do |example|
    Dir.mktmpdir do |dir|
      @dir = dir
      example.run
    end
  end

  let(:url) { "#{sim.base_url}/cgi-bin/webhook/send?key=#{key}" }
  let(:robot) { described_class.new(url) }

  def file(name, bytes)
    File.join(@dir, name).tap { |path| File.binwrite(path, bytes) }
  end

  def posts = sim.messages.map { |m| m.except("channel", "robot") }

  describe ".new" do
    it "takes the webhook URL (base URL from it) or the key with base_url:" do
      expect(robot.base_url).to eq(sim.base_url)
      expect(robot.send_text("from the URL")).to be(true)
      by_key = described_class.new(key, base_url: sim.base_url)
      expect(by_key.send_text("from the key")).to be(true)
      expect(sim.messages.map { _1["robot"] }).to eq([key, key])
      expect(sim.messages.map { _1["channel"] }).to eq(%w[robot robot])
    end

    it "defaults to WeCom's base URL for a bare key, and keeps a URL's path prefix" do
      expect(described_class.new(key).base_url).to eq("https://qyapi.weixin.qq.com")
      proxied = described_class.new("https://proxy.example.com/wecom/cgi-bin/webhook/send?key=#{key}")
      expect(proxied.base_url).to eq("https://proxy.example.com/wecom")
    end

    it "names the bad argument, without the key" do
      expect { described_class.new(nil) }.to raise_error(ArgumentError, /key_or_url must be the robot's webhook key or URL, got nil/)
      expect { described_class.new("  ") }.to raise_error(ArgumentError, /key_or_url/)
      expect { described_class.new("https://qyapi.weixin.qq.com/cgi-bin/webhook/send") }
        .to raise_error(ArgumentError, /key_or_url is not a robot's webhook URL/)
      expect { described_class.new("https://qyapi.weixin.qq.com/cgi-bin/message/send?key=#{key}") }
        .to raise_error(ArgumentError) { |e| expect(e.message).not_to include(key) }
      expect { described_class.new(key, base_url: "qyapi.weixin.qq.com") }.to raise_error(WechatWork::ConfigurationError, /base_url/)
      expect { described_class.new(key, timeout: 0) }.to raise_error(WechatWork::ConfigurationError, /timeout/)
      expect { described_class.new(key, secret: "x") }
        .to raise_error(ArgumentError, "Webhook.new does not take secret:; it takes base_url:, timeout:, open_timeout:, max_retries:, logger:")
      expect { described_class.new(key, time_out: 3) }.to raise_error(ArgumentError, /time_out: \(did you mean timeout:\?\)/)
    end
  end

  describe "sending" do
    it "sends text with mentions, markdown and markdown_v2" do
      robot.send_text("Build #42 failed", mentioned: ["lilei", :all], mentioned_mobiles: "13800001111")
      robot.send_text("no mentions")
      robot.send_markdown("**Interview** <font color=\"info\">15:00</font>")
      robot.send_markdown_v2("| a | b |\n| - | - |")
      expect(posts).to eq([
                            { "msgtype" => "text", "text" => { "content" => "Build #42 failed", "mentioned_list" => %w[lilei @all],
                                                               "mentioned_mobile_list" => ["13800001111"] } },
                            { "msgtype" => "text", "text" => { "content" => "no mentions" } },
                            { "msgtype" => "markdown", "markdown" => { "content" => "**Interview** <font color=\"info\">15:00</font>" } },
                            { "msgtype" => "markdown_v2", "markdown_v2" => { "content" => "| a | b |\n| - | - |" } }
                          ])
    end

    it "sends an image as base64 with its md5, from a path or an IO" do
      robot.send_image(file("chart.png", MediaSamples::PNG))
      robot.send_image(StringIO.new(MediaSamples::JPG))
      png, jpg = posts.map { _1["image"] }
      expect(png).to eq("base64" => Base64.strict_encode64(MediaSamples::PNG), "md5" => Digest::MD5.hexdigest(MediaSamples::PNG))
      expect(Base64.strict_decode64(jpg["base64"])).to eq(MediaSamples::JPG)
    end

    it "refuses images over 2 MB or not JPG/PNG before any request" do
      big = File.join(@dir, "big.png")
      File.open(big, "wb") do |f|
        f.write(MediaSamples::PNG)
        f.truncate(2 * 1024 * 1024 + 1)
      end
      expect { robot.send_image(big) }.to raise_error(ArgumentError, /the image is over 2097152 bytes \(2 MB\)/)
      expect { robot.send_image(file("anim.gif", "GIF89a.......")) }.to raise_error(ArgumentError, /not a JPG or PNG/)
      expect { robot.send_image(File.join(@dir, "missing.png")) }.to raise_error(ArgumentError, /missing\.png is not a readable file/)
      expect { robot.send_image(42) }.to raise_error(ArgumentError, /give an image path or an IO/)
      expect(sim.requests).to be_empty
    end

    it "sends news and notice cards (a Hash or a TemplateCard)" do
      robot.send_news([{ title: "Interview schedule", url: "https://example.com/s", picurl: "https://example.com/p.png" }])
      card = { card_type: "text_notice", main_title: { title: "Interview at 15:00" },
               card_action: { type: 1, url: "https://example.com" } }
      robot.send_template_card(card)
      robot.send_template_card(WechatWork::TemplateCard.new(card))
      news, hash_card, built_card = posts
      expect(news["news"]["articles"]).to eq([{ "title" => "Interview schedule", "url" => "https://example.com/s",
                                                "picurl" => "https://example.com/p.png" }])
      expect(hash_card["template_card"]).to include("card_type" => "text_notice")
      expect(built_card).to eq(hash_card)
    end

    it "refuses interactive cards and bad news before any request, naming the argument" do
      expect { robot.send_template_card(card_type: "button_interaction", task_id: "t") }
        .to raise_error(ArgumentError, /a robot sends text_notice or news_notice cards .* got card_type "button_interaction"/)
      expect { robot.send_template_card("card") }.to raise_error(ArgumentError, /card must be a Hash/)
      expect { robot.send_news("news") }.to raise_error(ArgumentError, /articles must be an Array of Hashes/)
      expect { robot.send_news([{ title: "no url" }]) }.to raise_error(ArgumentError, /news\.articles\[0\]\.url is missing/)
      expect { robot.send_news([]) }.to raise_error(ArgumentError, /articles/)
      expect { robot.send_text(nil) }.to raise_error(ArgumentError, "content is missing")
      expect { robot.send_text("x", mentioned: [42]) }.to raise_error(ArgumentError, /mentioned \(each a userid, a mobile or :all\) must be a String/)
      expect { robot.send_text("x" * 2049) }.to raise_error(ArgumentError, /text\.content .*2048/)
      expect { robot.send_markdown("x" * 4097) }.to raise_error(ArgumentError, /markdown\.content .*4096/)
      expect { robot.send_text("x", mention: ["a"]) }.to raise_error(ArgumentError, /unknown keyword: :mention/)
      expect(sim.requests).to be_empty
    end

    it "sends files and voice through the robot's own upload" do
      robot.send_file(file("report.pdf", "%PDF-1.4 weekly report"))
      robot.send_file(StringIO.new("plain text notes"), filename: "notes.txt")
      robot.send_voice(file("memo.amr", MediaSamples::AMR))
      expect(sim.requests.map { _1["path"] }).to eq(%w[/cgi-bin/webhook/upload_media /cgi-bin/webhook/send] * 3)
      pdf, notes, memo = sim.messages
      expect(pdf["media"]).to eq("type" => "file", "filename" => "report.pdf", "size" => 22)
      expect(notes["media"]).to include("filename" => "notes.txt")
      expect(memo).to include("msgtype" => "voice")
      expect(memo["media"]).to include("type" => "voice", "filename" => "memo.amr")
    end

    it "refuses files over WeCom's limits before any request, naming the method" do
      big = File.join(@dir, "big.zip")
      File.open(big, "wb") { |f| f.truncate(20 * 1024 * 1024 + 1) }
      expect { robot.send_file(big) }
        .to raise_error(ArgumentError, "send_file: big.zip is 20971521 bytes; WeCom takes file media up to 20971520 bytes (20 MB)")
      expect { robot.send_voice(file("memo.mp3", "ID3 not amr")) }.to raise_error(ArgumentError, /send_voice: memo\.mp3 is not an AMR file/)
      expect { robot.upload_media(:image, file("a.png", MediaSamples::PNG)) }
        .to raise_error(ArgumentError, "type must be :file or :voice for a robot, got :image")
      expect(sim.requests).to be_empty
    end
  end

  describe "errors" do
    it "raises RateLimitError (retry_after) on the 21st message in a minute" do
      20.times { |i| robot.send_text("message #{i + 1}") }
      expect { robot.send_text("message 21") }.to raise_error(WechatWork::RateLimitError) { |e|
        expect(e.errcode).to eq(45009)
        expect(e.retry_after).to eq(60)
        expect(e.transient?).to be(true)
        expect(e.path).to eq("webhook/send")
      }
      expect(sim.messages.size).to eq(20)
      expect(sim.request_count("webhook/send")).to eq(21), "not retried within the call"
      sim.advance_time(60)
      expect(robot.send_text("a minute later")).to be(true)
    end

    it "raises InvalidCredentialError for a removed robot and PermissionError for a stopped one" do
      expect { described_class.new("invalid-robot", base_url: sim.base_url).send_text("x") }
        .to raise_error(WechatWork::InvalidCredentialError, /93000/)
      expect { described_class.new("disabled-robot", base_url: sim.base_url).send_text("x") }
        .to raise_error(WechatWork::PermissionError, /93004/)
    end
  end

  describe "the key is a secret" do
    it "stays out of inspect, logs, events and errors" do
      log = StringIO.new
      logged = described_class.new(url, logger: Logger.new(log, level: :debug))
      expect(logged.inspect).to eq("#<WechatWork::Webhook base_url=#{sim.base_url.inspect} key=[FILTERED]>")
      expect(logged.to_s).not_to include(key)
      logged.send_text("x")
      logged.send_file(file("a.txt", "hello world"))
      expect(log.string).to include("POST webhook/send status=200 errcode=0", "POST webhook/upload_media status=200")
      expect(log.string).not_to include(key)
      expect(sim.requests.to_s).not_to include(key)

      port = TCPServer.new("127.0.0.1", 0).then { |s| s.addr[1].tap { s.close } }
      dead = described_class.new("http://127.0.0.1:#{port}/cgi-bin/webhook/send?key=#{key}", timeout: 1, max_retries: 0)
      expect { dead.send_text("x") }.to raise_error(WechatWork::NetworkError) { |e|
        expect(e.full_message).not_to include(key)
      }
      expect { described_class.new("invalid-#{key}", base_url: sim.base_url).send_text("x") }
        .to raise_error(WechatWork::InvalidCredentialError) { |e| expect(e.full_message).not_to include(key) }
    end

    it "stays out of request.wechat_work events" do
      require "active_support/notifications"
      events = []
      subscriber = ActiveSupport::Notifications.subscribe("request.wechat_work") { |*args| events << args.last }
      robot.send_text("x")
      expect(events.size).to eq(1)
      expect(events.last).to include(endpoint: "webhook/send", robot: true, errcode: 0)
      expect(events.inspect).not_to include(key)
    ensure
      ActiveSupport::Notifications.unsubscribe(subscriber) if subscriber
    end
  end
end

RSpec.describe WechatWork::Webhook, "against the independent fake server" do
  let(:server) { fake_wecom }

  it "posts to webhook/send with the key and uploads files through webhook/upload_media" do
    robot = described_class.new("#{server.base_url}/cgi-bin/webhook/send?key=fake-robot-key")
    expect(robot.send_text("hello", mentioned: :all)).to be(true)
    robot.send_image(StringIO.new(MediaSamples::PNG))
    robot.send_file(StringIO.new("weekly numbers"), filename: "numbers.csv")
    text, image, file = server.robot_posts
    expect(text).to eq("key" => "fake-robot-key", "msgtype" => "text",
                       "text" => { "content" => "hello", "mentioned_list" => ["@all"] })
    expect(image["image"]["md5"]).to eq(Digest::MD5.hexdigest(MediaSamples::PNG))
    upload = server.requests.find { |r| r.path == "webhook/upload_media" }
    expect(upload.params).to include("key" => "fake-robot-key", "type" => "file")
    expect(server.uploads.fetch(file["file"]["media_id"])).to include(name: "media", filename: "numbers.csv",
                                                                      data: "weekly numbers")
    expect(server.count("gettoken")).to eq(0)
  end

  it "raises InvalidCredentialError for a key the server refuses" do
    robot = described_class.new("invalid-key", base_url: server.base_url)
    expect { robot.send_text("x") }.to raise_error(WechatWork::InvalidCredentialError, /93000/)
  end
end
