# frozen_string_literal: true

RSpec.describe WechatWork::Client, "secrets" do
  let(:server) { fake_wecom }
  let(:log) { StringIO.new }
  let(:client) { client_for(server, logger: Logger.new(log, level: :debug)) }

  it "logs method, path, errcode and duration at debug, without the secret or token" do
    client.send_text(to: "a", content: "x")
    lines = log.string.lines
    expect(lines.grep(/GET gettoken status=200 errcode=0 attempt=1 ok \(\d+\.\dms\)/).size).to eq(1)
    expect(lines.grep(/POST message\/send status=200 errcode=0/).size).to eq(1)
    expect(log.string).not_to include(server.secret)
    expect(log.string).not_to include(server.current_token)
    expect(log.string).not_to include("access_token=")
  end

  it "logs failed attempts and retries too" do
    server.on("message/send") { { "errcode" => 60020, "errmsg" => "not allow" } }
    expect { client.send_text(to: "a", content: "x") }.to raise_error(WechatWork::IpNotAllowedError)
    expect(log.string).to match(/POST message\/send status=200 errcode=60020 attempt=1 api_error/)
  end

  it "keeps the secret out of inspect and error messages" do
    expect(client.inspect).not_to include(server.secret)
    expect(client.inspect).to include("[FILTERED]")
    port = TCPServer.new("127.0.0.1", 0).then { |s| s.addr[1].tap { s.close } }
    dead = WechatWork::Client.new(corp_id: "ww", secret: "very-secret", agent_id: 1, base_url: "http://127.0.0.1:#{port}", timeout: 1)
    expect { dead.access_token }.to raise_error(WechatWork::NetworkError) { |e|
      expect(e.message).not_to include("very-secret")
      expect(e.message).not_to include("corpsecret")
      expect(e.full_message).not_to include("very-secret")
    }
  end

  it "publishes one request.wechat_work event per call, with each HTTP attempt in it" do
    require "active_support/notifications"
    events = []
    subscriber = ActiveSupport::Notifications.subscribe("request.wechat_work") { |*args| events << args.last }
    client_for(server).send_text(to: "a", content: "x")
    expect(events.size).to eq(1)
    expect(events.last).to include(endpoint: "message/send", method: "POST", errcode: 0, outcome: :ok, agent_id: 1000002)
    expect(events.last[:attempts].map { _1[:path] }).to eq(%w[gettoken message/send])
    expect(events.inspect).not_to include(server.secret)
  ensure
    ActiveSupport::Notifications.unsubscribe(subscriber) if subscriber
  end
end
