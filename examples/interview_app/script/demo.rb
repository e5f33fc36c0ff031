# frozen_string_literal: true

# The example app's whole flow against the WeCom simulator, narrated (bin/demo --app):
#   schedule an interview (meeting + join link + calendar + the card, in a transaction),
#   the card delivered in the background, the interviewer signs in and accepts it through the
#   callback endpoint, the card is frozen; a second interview is cancelled and its card recalled.
# Runs with `bin/rails runner script/demo.rb` in development, jobs inline.

ActiveJob::Base.queue_adapter = :inline
step = ->(n, text) { puts "\n#{n}. #{text}" }
say = ->(text) { puts "   #{text}" }

WechatWork::Simulator.run(secret: WechatWork.configuration.secret, corp_id: WechatWork.configuration.corp_id,
                          agent_id: WechatWork.configuration.agent_id, auto_login: "lilei") do |sim|
  WechatWork.configure { |c| c.base_url = sim.base_url }
  say.call("WeCom simulator on #{sim.base_url} (corp #{sim.corp_id}, app #{sim.agent_id})")
  lilei = User.find_or_create_by!(wecom_userid: "lilei") { |u| u.name = "Li Lei" }

  step.call(1, "Schedule an interview: a meeting with a join link for the candidate, the interviewer's calendar, " \
               "then the interview and its card's delivery row in one transaction")
  interview = ScheduleInterview.call(interviewer: lilei, candidate_name: "Han Meimei", role: "Backend Engineer",
                                     starts_at: 2.days.from_now.change(hour: 15))
  say.call("meeting #{interview.meeting_id}, candidate's link #{interview.candidate_link}")
  say.call("schedule #{interview.schedule_id}: #{WechatWork.client.schedule(interview.schedule_id).summary}")
  delivery = interview.delivery.reload
  say.call("delivery #{delivery.id}: #{delivery.status} (sent by WechatWork::DeliveryJob; inline here, Sidekiq in production)")
  card = sim.messages.last
  say.call("WeCom delivered a #{card["msgtype"]} to #{card["touser"]}: #{card.dig("template_card", "main_title", "title")} " \
           "[#{card.dig("template_card", "button_list").map { _1["text"] }.join("] [")}]")

  step.call(2, "Li Lei opens the app from WeCom: signed in without a password (OAuth through the simulator's page)")
  require "wechat_work/testing/helpers"
  session = ActionDispatch::Integration::Session.new(Rails.application)
  session.host! "localhost" # development allows localhost (config.hosts)
  ua = { "HTTP_USER_AGENT" => WechatWork::Testing::Helpers::WXWORK_USER_AGENT }
  session.get("/interviews", headers: ua)
  say.call("GET /interviews → #{session.response.status} to #{session.response.location.split("?").first}")
  back = WechatWork::Testing.through_simulator(session.response.location, "lilei")
  session.get(back, headers: ua)
  session.follow_redirect! while session.response.redirect?
  say.call("back with a code → signed in: #{session.response.body[/Your interviews, [^<]+/]}")

  step.call(3, "Li Lei taps Accept: WeCom calls the callback endpoint; a job records it and freezes the card")
  callback = WechatWork::Callback.new(**WechatWork.configuration.callback_options)
  xml = WechatWork::Callback::Sender.to_xml({ msg_type: "event", event: "template_card_event", from_user_name: "lilei",
                                              card_type: "button_interaction", event_key: "accept",
                                              task_id: interview.task_id, response_code: delivery.response_code },
                                            corp_id: sim.corp_id, agent_id: sim.agent_id)
  params, body = callback.encrypted_request(xml)
  session.post("/wechat_work/callback?#{params.to_query}", params: body, headers: { "CONTENT_TYPE" => "text/xml" })
  say.call("POST /wechat_work/callback → #{session.response.status}")
  say.call("interview #{interview.id}: #{interview.reload.status}")
  say.call("WeCom updated the card: #{sim.messages.last.slice("channel", "task_id", "button")}")

  step.call(4, "Another interview is cancelled: its card is recalled, its meeting and schedule cancelled")
  second = ScheduleInterview.call(interviewer: lilei, candidate_name: "Zhao Lei", role: "SRE", starts_at: 3.days.from_now)
  CancelInterview.call(second)
  say.call("interview #{second.id}: #{second.reload.status}; delivery #{second.delivery.reload.status}; " \
           "meeting status #{WechatWork.client.meeting(second.meeting_id).status} (4: cancelled)")

  step.call(5, "What WeCom received")
  sim.messages.each_with_index do |m, i|
    what = m["msgtype"] || m.keys.grep(/button|template_card/).first
    say.call("##{i + 1} #{m["channel"]} #{what} to #{m["touser"] || m["task_id"]}#{" (recalled)" if m["recalled"]}")
  end
  say.call("requests: #{sim.request_count} (gettoken #{sim.request_count("gettoken")})")
ensure
  Interview.where(interviewer: lilei).destroy_all if lilei
end
