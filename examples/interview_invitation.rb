# frozen_string_literal: true

# An interview platform's work with WeCom, end to end, with the gem's client alone (no Rails):
#   1. look the interviewer up in the directory,
#   2. book a WeCom meeting and a join link for the outside candidate,
#   3. put the interview in the interviewer's calendar,
#   4. send the interviewer a card with the join link and Accept / Decline buttons,
#   5. the interviewer taps Accept: freeze the card with the answer,
#   6. a second interview is cancelled: recall its card, cancel its meeting and schedule,
#   7. errors, handled the way an app should (an unknown recipient, bad input).
# The Rails side of the same flow (outbox, Sidekiq, callbacks, sign-in) is `bin/demo --app`.
#
# Run: bin/demo    (simulator)    or with WECHAT_WORK_CORP_ID / _SECRET / _AGENT_ID set (real WeCom;
# also set DEMO_INTERVIEWER=<a userid>). Against real WeCom, steps the app has no permission for
# (meetings need 会议 → 可调用接口的应用) say so and the demo goes on.
require "wechat_work"
require "logger"

# Steps, narrated; a permission WeCom refuses is reported and the demo continues.
class Demo
  def initialize(client, interviewer:, stranger:)
    @client = client
    @interviewer = interviewer
    @stranger = stranger
    @number = 0
  end

  def run
    step("Look the interviewer up") { lookup }
    meeting_id, link = step("Book a meeting, and a join link for the candidate") { book_meeting }
    schedule_id = step("Put it in the interviewer's calendar") { add_schedule }
    sent = step("Send the interviewer the card") { send_card(link) }
    step("The interviewer taps Accept: freeze the card with the answer") { freeze(sent) } if sent
    step("A cancelled interview: recall its card, cancel its meeting and schedule") do
      cancel(meeting_id, schedule_id)
    end
    step("An error, handled") { unknown_recipient }
    step("Bad input is refused before any request") { bad_input }
  end

  private

  def step(title)
    @number += 1
    puts "#{@number}. #{title}"
    yield
  rescue WechatWork::PermissionError, WechatWork::NotFoundError => e
    say("skipped: #{e.class}: #{e.message}")
    nil
  end

  def say(text) = puts("   #{text}")

  def lookup
    user = @client.user(@interviewer)
    say("#{user.userid}: #{user.name}, departments #{user.department.inspect}")
  end

  def book_meeting
    meeting_id = @client.create_meeting(admin: @interviewer, title: "Interview: Backend Engineer",
                                        start_time: starts_at, duration: 2700, invitees: [@interviewer])
    link = @client.customer_meeting_link(meeting_id, customer_data: "candidate:han-meimei")
    say("meeting #{meeting_id}; the candidate's link #{link}")
    [meeting_id, link]
  end

  def add_schedule
    id = @client.add_schedule(start_time: starts_at, end_time: starts_at + 2700, attendees: [@interviewer],
                              summary: "Interview: Han Meimei", location: "WeCom meeting", remind_before: 900)
    say("schedule #{id}, reminder 15 minutes before")
    id
  end

  def send_card(link)
    card = WechatWork::TemplateCard.button_interaction(
      task_id: "interview-#{Time.now.to_i}", title: "Interview: Backend Engineer",
      description: "Han Meimei, #{starts_at.strftime("%a %-d %b %H:%M")}",
      fields: [{ keyname: "候选人", value: "Han Meimei" },
               { keyname: "入会链接", value: "Join the meeting", url: link || "https://interviews.example.com/rooms/42" }],
      buttons: [{ text: "Accept", key: "accept" }, { text: "Decline", key: "decline", style: 2 }]
    )
    sent = @client.send_template_card(to: @interviewer, card: card)
    say("delivered, msgid=#{sent.msgid}; response_code for updating it: #{sent.response_code[0, 8]}…")
    sent
  end

  # In an app the tap arrives at the callback endpoint as a template_card_event carrying the
  # response_code; message/send answered the same code, so the demo uses that one.
  def freeze(sent)
    @client.update_template_card(response_code: sent.response_code, to: @interviewer, replace_name: "Accepted")
    say("the card's buttons now read \"Accepted\"")
  end

  def cancel(meeting_id, schedule_id)
    notice = @client.send_text(to: @interviewer, content: "Interview with Li Ming on Friday at 10:00")
    @client.recall(notice)
    say("message #{notice.msgid} recalled")
    say("meeting cancelled: #{@client.cancel_meeting(meeting_id)}") if meeting_id
    say("schedule deleted: #{@client.delete_schedule(schedule_id)}") if schedule_id
  end

  def unknown_recipient
    @client.send_text(to: @stranger, content: "This person is not in the directory")
    say("(no error: #{@stranger} exists here)")
  rescue WechatWork::NoValidRecipientError => e
    say("#{e.class}: #{e.message}")
    say("invalid users: #{e.invalid_users.inspect}: the app would mark this interviewer as unreachable")
  end

  def bad_input
    @client.send_text(to: [], content: "nobody")
  rescue ArgumentError => e
    say("ArgumentError: #{e.message}")
  end

  def starts_at = @starts_at ||= Time.at(((Time.now + (2 * 86_400)).to_i / 3600) * 3600)
end

logger = ENV["DEMO_LOG"] ? Logger.new($stdout, level: :debug) : nil

if ENV["WECHAT_WORK_CORP_ID"] && ENV["WECHAT_WORK_SECRET"]
  puts "Against WeCom at #{ENV.fetch("WECHAT_WORK_BASE_URL", "https://qyapi.weixin.qq.com")}"
  client = WechatWork::Client.new(logger: logger)
  Demo.new(client, interviewer: ENV.fetch("DEMO_INTERVIEWER"), stranger: "no-such-user-#{rand(1_000_000)}").run
else
  WechatWork::Simulator.run(users: [{ userid: "lilei", name: "Li Lei", department: [2] }, "hanmeimei"],
                            departments: [1, 2]) do |sim|
    puts "Against the embedded WeCom simulator at #{sim.base_url} (corp #{sim.corp_id}, agent #{sim.agent_id})"
    client = WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret, agent_id: sim.agent_id,
                                    base_url: sim.base_url, logger: logger)
    Demo.new(client, interviewer: "lilei", stranger: "ghost").run
    puts "\nWhat the simulator recorded (#{sim.messages.size}):"
    sim.messages.each do |m|
      if m["channel"] == "card_update"
        puts "  card #{m["task_id"]} updated: buttons replaced by \"#{m.dig("button", "replace_name")}\""
      else
        what = m.dig("template_card", "main_title", "title") || m.dig("text", "content")
        puts "  #{m["msgtype"]} to #{m["touser"]}: #{what}#{" (recalled)" if m["recalled"]}"
      end
    end
  end
end
