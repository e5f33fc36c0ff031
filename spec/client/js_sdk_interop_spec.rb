# frozen_string_literal: true

require "open3"
require "json"

# JS-SDK signatures against WeCom's own Node library (@wecom/crypto's getJsApiSignature), for
# the corp ticket (wx.config) and the agent ticket (wx.agentConfig) the simulator issues.
# bin/test installs the peer (npm ci in spec/interop/node); without it the examples are
# skipped locally, and fail in CI.
RSpec.describe "JS-SDK signatures interop with WeCom's @wecom/crypto" do
  node_dir = File.expand_path("../interop/node", __dir__)
  installed = File.directory?(File.join(node_dir, "node_modules/@wecom/crypto"))
  raise "@wecom/crypto is not installed (run bin/test)" if ENV["CI"] && !installed

  def wecom_signature(ticket:, url:, nonce_str:, timestamp:)
    request = { op: "jsapi", ticket: ticket, url: url, nonceStr: nonce_str, timestamp: timestamp }
    out, err, status = Open3.capture3("node", "peer.js", stdin_data: JSON.generate(request),
                                                         chdir: File.expand_path("../interop/node", __dir__))
    raise "peer failed: #{err}" unless status.success?

    JSON.parse(out).fetch("signature")
  end

  around do |example|
    WechatWork::Simulator.run do |sim|
      @sim = sim
      example.run
    end
  end

  let(:client) do
    WechatWork::Client.new(corp_id: @sim.corp_id, secret: @sim.secret, agent_id: @sim.agent_id, base_url: @sim.base_url)
  end

  # Pages with a query, unicode, percent-encoding and a port.
  pages = ["https://interviews.example.com/rooms/3?tab=notes&lang=zh",
           "http://127.0.0.1:3000/", "https://a.example.com/面试?q=%E4%B8%AD&x=a+b", "https://a.example.com"]

  it "agrees for the corp ticket (wx.config)", skip: (installed ? nil : "@wecom/crypto is not installed (bin/test installs it)") do
    pages.each do |page|
      config = client.js_sdk_config(url: "#{page}#/fragment")
      expect(config[:signature]).to eq(wecom_signature(ticket: client.jsapi_ticket, url: page, nonce_str: config[:nonceStr],
                                                       timestamp: config[:timestamp])), page
    end
  end

  it "agrees for the agent ticket (wx.agentConfig)", skip: (installed ? nil : "@wecom/crypto is not installed (bin/test installs it)") do
    pages.each do |page|
      config = client.agent_config(url: page, timestamp: 1_700_000_000, nonce_str: "Wm3WZYTPz0wzccnW")
      expect(config[:signature]).to eq(wecom_signature(ticket: client.agent_ticket, url: page, nonce_str: "Wm3WZYTPz0wzccnW",
                                                       timestamp: 1_700_000_000)), page
    end
  end

  it "agrees on WeCom's documented vector", skip: (installed ? nil : "@wecom/crypto is not installed (bin/test installs it)") do
    ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    ours = WechatWork::JsSdk.signature(ticket: ticket, noncestr: "Wm3WZYTPz0wzccnW", timestamp: 1_414_587_457,
                                       url: "http://mp.weixin.qq.com?params=value")
    expect(ours).to eq(wecom_signature(ticket: ticket, url: "http://mp.weixin.qq.com?params=value",
                                       nonce_str: "Wm3WZYTPz0wzccnW", timestamp: 1_414_587_457))
  end
end
