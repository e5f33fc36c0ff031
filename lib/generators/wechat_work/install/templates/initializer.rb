# frozen_string_literal: true

# WeCom (企业微信). Settings come from config/wechat_work.yml and Rails credentials
# (`wechat_work:`); anything set here wins. Every setter checks its value at boot.
WechatWork.configure do |c|
  # The token store defaults to Rails.cache: use a cache every process shares (Redis,
  # Memcached), so Puma workers and Sidekiq share one access token.
  # c.token_store = WechatWork::TokenStore::Redis.new(Redis.new(url: ENV["REDIS_URL"]))
  # c.timeout = 10
  # More apps of the corp, each with its own secret:
  # c.app :approvals, secret: Rails.application.credentials.dig(:wechat_work, :approvals_secret), agent_id: 1000003
end

# Background delivery (WechatWork.deliver_later) runs on ActiveJob; with Sidekiq without
# ActiveJob: WechatWork::Outbox.job_adapter = :sidekiq
