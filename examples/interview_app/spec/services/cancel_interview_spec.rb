# frozen_string_literal: true

RSpec.describe CancelInterview do
  let(:lilei) { User.create!(name: "Li Lei", wecom_userid: "lilei") }

  it "recalls the delivered card, cancels the meeting and deletes the schedule" do
    with_wechat_work_simulator do |sim|
      interview = ScheduleInterview.call(interviewer: lilei, candidate_name: "Han Meimei", role: "SRE", starts_at: 1.day.from_now)
      perform_enqueued_jobs
      described_class.call(interview)
      expect(interview.reload.status).to eq("cancelled")
      expect(interview.delivery.reload.status).to eq("recalled")
      expect(sim.messages.last).to include("recalled" => true)
      expect(WechatWork.client.meeting(interview.meeting_id).status).to eq(4) # cancelled
      expect(WechatWork.client.schedule(interview.schedule_id)).to be_cancelled
    end
  end

  it "does not send a card that was still pending" do
    WechatWork.stub_responses("meeting/create", { "meetingid" => "m-1" })
    WechatWork.stub_responses("meeting/create_customer_short_url", { "meeting_short_url_customer_data" => { "meeting_short_url" => "https://m/1" } })
    WechatWork.stub_responses("oa/schedule/add", { "schedule_id" => "s-1" })
    WechatWork.stub_responses("meeting/cancel", {})
    WechatWork.stub_responses("oa/schedule/del", {})
    interview = ScheduleInterview.call(interviewer: lilei, candidate_name: "Han Meimei", role: "SRE", starts_at: 1.day.from_now)
    described_class.call(interview)
    expect { perform_enqueued_jobs }.not_to have_sent_wechat_work_message
    expect(interview.delivery.reload.status).to eq("failed")
  end
end
