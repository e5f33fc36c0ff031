# frozen_string_literal: true

# GET /status: this process and whether it has a WeCom access token (never the token itself).
# The process specs use it to reach each Puma worker.
class StatusController < ActionController::API
  def show
    token = WechatWork.client.access_token
    render json: { pid: Process.pid, wecom: token.empty? ? "no token" : "ok" }
  end
end
