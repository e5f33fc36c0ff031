# frozen_string_literal: true

# WeCom calls this app here (config/routes.rb). Answer within 5 seconds: the card answer is
# handled by a job.
class WechatWorkCallbacks < WechatWork::Callback::Router
  settings app: :default, dedupe: -> { Rails.cache }

  on(:event, "template_card_event") { |msg| CardAnsweredJob.perform_later(msg.to_h) }
  on(:event, "enter_agent") { |msg| reply_text "Welcome, #{msg.from_user_name}: your interviews are one tap away." }
  otherwise { |_msg| nil }
end
