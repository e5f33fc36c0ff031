# frozen_string_literal: true

require "net/http"
require "json"

# The simulator's control API (/_simulator/*) can sign anyone in and reads every delivered
# message: a web page the developer visits must not reach it (a cross-site POST, DNS
# rebinding), and off loopback nobody without the token may.
RSpec.describe "the simulator's control API guard" do
  def request(sim, verb, path, host: nil, content_type: nil, body: nil, token: nil)
    uri = URI("#{sim.base_url}#{path}")
    klass = { get: Net::HTTP::Get, post: Net::HTTP::Post, delete: Net::HTTP::Delete }.fetch(verb)
    req = klass.new(uri)
    req["Host"] = host if host
    req["Content-Type"] = content_type if content_type
    req["Authorization"] = "Bearer #{token}" if token
    req.body = body if body
    Net::HTTP.start(uri.host, uri.port) { _1.request(req) }
  end

  it "answers a loopback Host and refuses a rebound one (DNS rebinding reads nothing)" do
    WechatWork::Simulator.run do |sim|
      expect(request(sim, :get, "/_simulator/messages").code).to eq("200")
      rebound = request(sim, :get, "/_simulator/messages", host: "rebind.evil.example:#{sim.port}")
      expect(rebound.code).to eq("403")
      expect(JSON.parse(rebound.body)["error"]).to include("loopback host")
      expect(sim.control_token).to be_nil
    end
  end

  it "takes POSTs as application/json only, so a cross-site form cannot set auto_login" do
    WechatWork::Simulator.run do |sim|
      form = request(sim, :post, "/_simulator/auto_login", content_type: "text/plain", body: '{"userid":"lilei"}')
      expect(form.code).to eq("403")
      expect(sim.auto_login).to be_nil
      json = request(sim, :post, "/_simulator/auto_login", content_type: "application/json", body: '{"userid":"lilei"}')
      expect(json.code).to eq("200")
      expect(sim.auto_login).to eq("lilei")
    end
  end

  it "off loopback, needs the control token it made up (and WeCom's own APIs stay open)" do
    WechatWork::Simulator.run(host: "0.0.0.0") do |sim|
      token = sim.control_token
      expect(token).to match(/\A[A-Za-z0-9_-]{32}\z/)
      expect(request(sim, :get, "/_simulator/messages").code).to eq("403")
      expect(request(sim, :get, "/_simulator/messages", token: "wrong").code).to eq("403")
      expect(request(sim, :get, "/_simulator/messages", token: token, host: "10.0.0.5:#{sim.port}").code).to eq("200")
      gettoken = request(sim, :get, "/cgi-bin/gettoken?corpid=#{sim.corp_id}&corpsecret=#{sim.secret}")
      expect(JSON.parse(gettoken.body)["errcode"]).to eq(0)
    end
  end
end
