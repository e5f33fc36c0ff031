# frozen_string_literal: true

# The template card the interviewer gets: the interview, the candidate's join link, and
# Accept / Decline buttons that call back with the card's task id.
class InterviewCard
  def initialize(interview)
    @interview = interview
  end

  def to_template_card
    WechatWork::TemplateCard.button_interaction(
      task_id: @interview.task_id,
      title: "Interview: #{@interview.role}",
      description: "#{@interview.candidate_name}, #{@interview.starts_at.strftime("%a %-d %b %H:%M")}",
      fields: [{ keyname: "候选人", value: @interview.candidate_name },
               { keyname: "入会链接", value: "Join the meeting", url: @interview.candidate_link }],
      buttons: [{ text: "Accept", key: "accept" }, { text: "Decline", key: "decline", style: 2 }]
    ).to_template_card
  end
end
