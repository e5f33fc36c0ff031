# frozen_string_literal: true

# WeCom (企业微信). Settings come from config/wechat_work.yml, Rails credentials (wechat_work:)
# and WECHAT_WORK_* environment variables, in that order (later wins); anything set here wins
# over all of them. Every setter checks its value at boot.
WechatWork.configure do |c|
  # Tokens are shared through Rails.cache when it can share (Redis, Memcached), so Puma workers
  # and Sidekiq fetch one access token between them. Without such a cache:
  # c.token_store = WechatWork::TokenStore::Redis.new(Redis.new(url: ENV["REDIS_URL"]))
  # c.timeout = 10
  # More apps of the corp, each with its own secret (WECHAT_WORK_APPROVALS_SECRET works too):
  # c.app :approvals, secret: Rails.application.credentials.dig(:wechat_work, :approvals_secret), agent_id: 1000003
end

# Background delivery (WechatWork.deliver_later) runs on ActiveJob; with Sidekiq without
# ActiveJob: WechatWork::Outbox.job_adapter = :sidekiq
