# frozen_string_literal: true

# Books an interview: a WeCom meeting with a join link for the (outside) candidate, a schedule
# in the interviewer's calendar, then, in one transaction, the interview and the outbox row of
# the interviewer's card. If the transaction fails, the meeting and schedule are released:
# a rolled-back interview sends nothing and leaves nothing booked.
class ScheduleInterview
  def self.call(...) = new(...).call

  def initialize(interviewer:, candidate_name:, role:, starts_at:, duration: 3600, client: WechatWork.client)
    @interviewer = interviewer
    @candidate_name = candidate_name
    @role = role
    @starts_at = starts_at
    @duration = duration
    @client = client
  end

  def call
    meeting_id = @client.create_meeting(admin: @interviewer.wecom_userid, title: "Interview: #{@role}",
                                        start_time: @starts_at, duration: @duration, invitees: [@interviewer.wecom_userid])
    link = @client.customer_meeting_link(meeting_id, customer_data: "candidate:#{@candidate_name}")
    schedule_id = @client.add_schedule(start_time: @starts_at, end_time: @starts_at + @duration,
                                       attendees: [@interviewer.wecom_userid], summary: "Interview: #{@candidate_name}",
                                       location: "WeCom meeting", remind_before: 900)
    Interview.transaction do
      interview = Interview.create!(interviewer: @interviewer, candidate_name: @candidate_name, role: @role,
                                    starts_at: @starts_at, duration: @duration, meeting_id: meeting_id,
                                    candidate_link: link, schedule_id: schedule_id)
      interview.update!(delivery: WechatWork.deliver_later(to: @interviewer.wecom_userid, msgtype: :template_card,
                                                           template_card: InterviewCard.new(interview).to_template_card))
      interview
    end
  rescue StandardError
    release(meeting_id, schedule_id)
    raise
  end

  private

  def release(meeting_id, schedule_id)
    @client.cancel_meeting(meeting_id) if meeting_id
    @client.delete_schedule(schedule_id) if schedule_id
  rescue WechatWork::Error => e
    Rails.logger.warn("could not release meeting #{meeting_id} / schedule #{schedule_id}: #{e.message}")
  end
end
