# frozen_string_literal: true

# WeCom calls this app (config/routes.rb: wechat_work_callback): messages members send to the
# app, menu clicks, template card answers, contact changes. Answer within 5 seconds: do slow
# work in a job. See the README's Callbacks section.
class WechatWorkCallbacks < WechatWork::Callback::Router
  settings app: :default, dedupe: -> { Rails.cache }

  on(:event, "enter_agent") { |msg| reply_text "Welcome back, #{msg.from_user_name}" }
  # on(:event, "template_card_event") { |msg| CardAnsweredJob.perform_later(msg.to_h) }
  otherwise { |_msg| nil }
end
