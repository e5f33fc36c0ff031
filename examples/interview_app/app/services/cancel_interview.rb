# frozen_string_literal: true

# Cancels an interview: recalls the interviewer's card (if it was delivered; a pending one is
# simply not sent), cancels the meeting and deletes the schedule.
class CancelInterview
  def self.call(interview, client: WechatWork.client)
    delivery = interview.delivery&.reload
    if delivery&.delivered?
      WechatWork.recall(delivery)
    elsif delivery&.pending?
      delivery.update!(status: "failed", error: "cancelled before it was sent")
    end
    client.cancel_meeting(interview.meeting_id) if interview.meeting_id
    client.delete_schedule(interview.schedule_id) if interview.schedule_id
    interview.update!(status: "cancelled")
    interview
  end
end
