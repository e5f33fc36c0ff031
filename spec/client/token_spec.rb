# frozen_string_literal: true

RSpec.describe WechatWork::Client, "access tokens" do
  let(:server) { fake_wecom(token_delay: 0.2) }
  let(:client) { client_for(server) }

  it "makes one gettoken call for 32 threads on a cold client" do
    tokens = Array.new(32) { Thread.new { client.access_token } }.map(&:value)
    expect(tokens.uniq).to eq([server.current_token])
    expect(server.count("gettoken")).to eq(1)
  end

  it "shares the token between clients of the same app in a process" do
    client.access_token
    client_for(server).send_text(to: "a", content: "x")
    expect(server.count("gettoken")).to eq(1)
  end

  it "keys the token by corp and secret, never by corp alone" do
    other_app = fake_wecom(corp_id: server.corp_id)
    client.access_token
    client_for(other_app).access_token
    expect(server.count("gettoken")).to eq(1)
    expect(other_app.count("gettoken")).to eq(1)
    expect(client.send(:instance_variable_get, :@native)._credential_key("access_token")).not_to include(server.secret)
  end

  it "refetches a revoked token once and retries the call" do
    client.send_text(to: "a", content: "first")
    server.revoke_token!
    response = client.send_text(to: "a", content: "second")
    expect(response.msgid).to eq("fake-msg-2")
    expect(server.count("gettoken")).to eq(2)
    expect(server.count("message/send")).to eq(3)
  end

  it "does not loop when the new token is rejected too" do
    server.on("message/send") { { "errcode" => 42001, "errmsg" => "access_token expired" } }
    expect { client.send_text(to: "a", content: "x") }.to raise_error(WechatWork::InvalidTokenError)
    expect(server.count("message/send")).to eq(2)
    expect(server.count("gettoken")).to eq(2)
  end

  it "drops a rejected token only if it is still the cached one" do
    client.access_token
    server.revoke_token!
    threads = Array.new(8) { Thread.new { client.send_text(to: "a", content: "x#{_1}") } }
    threads.each(&:join)
    # Every thread saw the old token rejected; one refetch served them all.
    expect(server.count("gettoken")).to eq(2)
  end

  it "shares tokens across processes through token_store:" do
    store = WechatWork::TokenStore::Memory.new
    client_for(server, token_store: store).access_token
    key = store.keys.first
    expect(key).to start_with("wechat_work:access_token:#{server.corp_id}:")
    expect(JSON.parse(store.read(key))).to include("value" => server.current_token)

    # A forked worker starts with an empty in-process cache and finds the token in the store.
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      client_for(server, token_store: store).access_token
      writer.write(server.count("gettoken").to_s)
      exit!(0)
    end
    writer.close
    Process.wait(pid)
    expect($?.exitstatus).to eq(0)
    expect(server.count("gettoken")).to eq(1)
  end

  it "ignores a token store that fails, and fetches from WeCom" do
    broken = Class.new do
      def read(_key) = raise("redis down")
      def write(*) = raise("redis down")
    end.new
    expect(client_for(server, token_store: broken).access_token).to eq(server.current_token)
  end

  it "removes a rejected token from the store" do
    store = WechatWork::TokenStore::Memory.new
    shared = client_for(server, token_store: store)
    shared.access_token
    server.revoke_token!
    shared.send_text(to: "a", content: "x")
    expect(JSON.parse(store.read(store.keys.first))["value"]).to eq(server.current_token)
  end
end
