# frozen_string_literal: true

# An interviewer answered the card: record the answer and freeze the card (its buttons greyed
# out with the answer), with the response_code of that click.
class CardAnsweredJob < ApplicationJob
  ANSWERS = { "accept" => ["accepted", "Accepted"], "decline" => ["declined", "Declined"] }.freeze

  def perform(event)
    message = WechatWork::Callback::Message.build(event)
    interview = Interview.for_task(message.task_id) or return
    status, label = ANSWERS.fetch(message.event_key) { return }
    interview.update!(status: status, answered_at: message.create_time)
    WechatWork.client.update_template_card(response_code: message.response_code, to: message.from_user_name,
                                           replace_name: label)
  end
end
