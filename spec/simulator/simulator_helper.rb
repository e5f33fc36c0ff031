# frozen_string_literal: true

require "net/http"
require "json"
require "uri"

# Plain net/http calls against a simulator (the gem's own client is tested elsewhere).
module SimulatorHelper
  Reply = Struct.new(:status, :body, :json, keyword_init: true) do
    def errcode = json && json["errcode"]
    def errmsg = json && json["errmsg"]
  end

  def sim_request(sim, method, path, params: {}, body: nil, read_timeout: 5)
    uri = URI("#{sim.base_url}/cgi-bin/#{path}")
    uri.query = URI.encode_www_form(params) unless params.empty?
    Net::HTTP.start(uri.host, uri.port, open_timeout: 2, read_timeout: read_timeout) do |http|
      request = method == :get ? Net::HTTP::Get.new(uri) : Net::HTTP::Post.new(uri)
      if body
        request.body = body.is_a?(String) ? body : JSON.generate(body)
        request["Content-Type"] = "application/json"
      end
      response = http.request(request)
      json = begin
        JSON.parse(response.body)
      rescue JSON::ParserError
        nil
      end
      Reply.new(status: response.code.to_i, body: response.body, json: json)
    end
  end

  # What the simulator delivered, without its own metadata (channel, msgid, recalled).
  def bodies(sim)
    sim.messages.map { |m| m.except("channel", "msgid", "recalled") }
  end

  def gettoken(sim, corpid: sim.corp_id, corpsecret: sim.secret)
    params = { corpid: corpid, corpsecret: corpsecret }.compact
    sim_request(sim, :get, "gettoken", params: params)
  end

  def token_for(sim)
    reply = gettoken(sim)
    raise "gettoken failed: #{reply.body}" unless reply.errcode.zero?

    reply.json["access_token"]
  end

  def send_body(sim, body, token: token_for(sim), **options)
    sim_request(sim, :post, "message/send", params: { access_token: token }, body: body, **options)
  end

  def user_get(sim, userid, token: token_for(sim))
    sim_request(sim, :get, "user/get", params: { access_token: token, userid: userid })
  end

  def text_message(sim, to: "zhangsan", content: "hi", **extra)
    { "touser" => to, "msgtype" => "text", "agentid" => sim.agent_id, "text" => { "content" => content } }.merge(extra)
  end

  ERRMSG_SHAPE = %r{\A.+, hint: \[\d{10,}\], from ip: 127\.0\.0\.1, more info at https://open\.work\.weixin\.qq\.com/devtool/query\?e=-?\d+\z}.freeze
end

RSpec.configure do |config|
  config.include SimulatorHelper, simulator: true
end
