# frozen_string_literal: true

RSpec.describe "WeCom callbacks", type: :request do
  let(:lilei) { User.create!(name: "Li Lei", wecom_userid: "lilei") }
  let(:interview) do
    Interview.create!(interviewer: lilei, candidate_name: "Han Meimei", role: "Backend Engineer", starts_at: 1.day.from_now)
  end

  it "an Accept on the card updates the interview and freezes the card" do
    reply = post_wechat_work_callback(event: "template_card_event", from_user_name: "lilei", card_type: "button_interaction",
                                      event_key: "accept", task_id: interview.task_id, response_code: "rc-1")
    expect(response).to have_http_status(:ok)
    expect(reply).to be_nil # nothing to say at once: the job does the work
    expect { perform_enqueued_jobs }
      .to have_sent_wechat_work_message(to: "lilei")
    expect(interview.reload.status).to eq("accepted")
    update = wechat_work_deliveries.last
    expect(update.endpoint).to eq("message/update_template_card")
    expect(update.body).to include("response_code" => "rc-1", "userids" => ["lilei"], "button" => { "replace_name" => "Accepted" })
  end

  it "a retry of the same callback is not handled twice" do
    2.times do
      post_wechat_work_callback(event: "template_card_event", from_user_name: "lilei", create_time: 1_700_000_000,
                                event_key: "decline", task_id: interview.task_id, response_code: "rc-2")
    end
    expect(enqueued_jobs.count { _1[:job] == CardAnsweredJob }).to eq(1)
  end

  it "greets a member who opens the app (a passive reply)" do
    reply = post_wechat_work_callback(event: "enter_agent", from_user_name: "lilei")
    expect(reply.content).to include("Welcome, lilei")
  end

  it "refuses a forged signature (403) and a body that is not WeCom's (400)" do
    callback = WechatWork::Callback.new(**WechatWork.configuration.callback_options)
    params, body = callback.encrypted_request("<xml><MsgType>text</MsgType><Content>hi</Content></xml>")
    forged = params.merge("msg_signature" => "0" * 40)
    post "/wechat_work/callback?#{forged.to_query}", params: body, headers: { "CONTENT_TYPE" => "text/xml" }
    expect(response).to have_http_status(:forbidden)
    post "/wechat_work/callback?#{params.to_query}", params: "<xml/>", headers: { "CONTENT_TYPE" => "text/xml" }
    expect(response).to have_http_status(:bad_request)
    expect(enqueued_jobs).to be_empty
  end
end
