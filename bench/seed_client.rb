# frozen_string_literal: true

# The client the gem replaces, as the project's integration guide has it: HTTParty, the token
# in an instance variable, a new HTTP connection per call. Reproduced as written; the only
# change is that the base URL can point at a local stand-in (default: WeCom itself).
require "httparty"
require "json"

class WeChatAPI
  AGENT_ID = Integer(ENV.fetch("WECHAT_AGENT_ID", "1000002"))

  def initialize(app_id, app_secret, base = "https://qyapi.weixin.qq.com")
    @app_id = app_id
    @app_secret = app_secret
    @base = base
    @access_token = nil
    @token_expiry = nil
  end

  def base
    @base
  end

  def access_token
    if @access_token && Time.now < @token_expiry
      @access_token
    else
      response = HTTParty.get("#{base}/cgi-bin/gettoken?corpid=#{@app_id}&corpsecret=#{@app_secret}")
      if response['errcode'] == 0
        @access_token = response['access_token']
        @token_expiry = Time.now + response['expires_in']
        @access_token
      else
        raise "Failed to get access token: #{response['errmsg']}"
      end
    end
  end

  def send_message(to_user, message_content)
    url = "#{base}/cgi-bin/message/send?access_token=#{access_token}"
    payload = {
      "touser" => to_user,
      "msgtype" => "text",
      "agentid" => AGENT_ID,
      "text" => { "content" => message_content }
    }
    # As in the guide: no JSON Content-Type header (the stand-in does not need one).
    response = HTTParty.post(url, body: payload.to_json)
    response['errcode'] == 0
  end
end
