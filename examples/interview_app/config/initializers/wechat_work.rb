# frozen_string_literal: true

# Settings come from config/wechat_work.yml and credentials; the token store is Rails.cache
# (Redis here, so every Puma worker and Sidekiq process shares one access token).
WechatWork.configure do |c|
  c.timeout = 10
end
