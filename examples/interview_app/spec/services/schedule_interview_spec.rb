# frozen_string_literal: true

RSpec.describe ScheduleInterview do
  let(:lilei) { User.create!(name: "Li Lei", wecom_userid: "lilei") }
  let(:starts_at) { 2.days.from_now.change(hour: 15) }

  def schedule = described_class.call(interviewer: lilei, candidate_name: "Han Meimei", role: "Backend Engineer", starts_at: starts_at)

  describe "in test mode (stubbed WeCom answers)" do
    before do
      WechatWork.stub_responses("meeting/create", { "meetingid" => "m-1" })
      WechatWork.stub_responses("meeting/create_customer_short_url",
                                { "meeting_short_url_customer_data" => { "meeting_short_url" => "https://meeting.example/j/1" } })
      WechatWork.stub_responses("oa/schedule/add", { "schedule_id" => "s-1" })
    end

    it "books the meeting and schedule and writes the card's delivery row in the same transaction" do
      interview = nil
      expect { interview = schedule }
        .to have_enqueued_wechat_work_delivery(to: "lilei", msgtype: :template_card, content: /Interview: Backend Engineer/)
      expect(interview).to have_attributes(meeting_id: "m-1", schedule_id: "s-1", candidate_link: "https://meeting.example/j/1")
      expect(interview.delivery.body.dig("template_card", "task_id")).to eq(interview.task_id)
      expect(interview.delivery.body.dig("template_card", "horizontal_content_list", 1, "url")).to eq("https://meeting.example/j/1")
      expect(enqueued_jobs.map { _1[:job] }).to include(WechatWork::DeliveryJob)
    end

    it "sends nothing and releases the meeting and schedule when the transaction fails" do
      WechatWork.stub_responses("meeting/cancel", {})
      WechatWork.stub_responses("oa/schedule/del", {})
      allow(Interview).to receive(:create!).and_raise(ActiveRecord::RecordInvalid)
      expect { schedule }.to raise_error(ActiveRecord::RecordInvalid)
      expect(WechatWork::Delivery.count).to eq(0)
      expect(enqueued_jobs).to be_empty
    end
  end

  describe "against the simulator (real round trips)" do
    it "delivers the card with the candidate's join link, in the background" do
      with_wechat_work_simulator do |sim|
        interview = schedule
        expect(sim.messages).to be_empty # not before the job runs
        perform_enqueued_jobs
        card = sim.messages.last
        expect(card).to include("touser" => "lilei", "msgtype" => "template_card")
        expect(card.dig("template_card", "horizontal_content_list", 1, "url")).to eq(interview.candidate_link)
        expect(interview.delivery.reload).to have_attributes(status: "delivered", msgid: card["msgid"])
        expect(interview.candidate_link).to start_with("http")
        expect(WechatWork.client.meeting(interview.meeting_id).title).to eq("Interview: Backend Engineer")
        expect(WechatWork.client.schedule(interview.schedule_id).attendee_ids).to eq(["lilei"])
      end
    end
  end
end
