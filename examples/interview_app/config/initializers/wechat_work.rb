# frozen_string_literal: true

# Settings come from config/wechat_work.yml and credentials; the token store is Rails.cache
# (Redis here, so every Puma worker and Sidekiq process shares one access token).
WechatWork.configure do |c|
  c.timeout = 10
end

# A row in `sending` this long is considered abandoned by a dead worker and sent again (WeCom's
# duplicate check drops the repeat). The process specs shorten it.
WechatWork::Outbox.stale_after = Integer(ENV.fetch("WECHAT_WORK_STALE_AFTER", "120"), 10)
