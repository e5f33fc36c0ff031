# frozen_string_literal: true

# An interview platform's work with WeCom, end to end, with the gem's client alone (no Rails):
#   1. look the interviewer up in the corp's directory,
#   2. interview A: book a WeCom meeting and a join link for the outside candidate,
#   3. put interview A in the interviewer's calendar,
#   4. send the interviewer A's card (a template card with Accept / Decline buttons),
#   5. the interviewer taps Accept: freeze A's card with the answer,
#   6. interview B: booked the same way and its card sent,
#   7. B is cancelled: recall B's card (by its msgid), cancel B's meeting and calendar entry; A stays,
#   8. an unknown recipient (WeCom's 81013), handled the way an app should,
#   9. bad input, refused before any request.
# Each step says what WeCom does there, and explains each WeCom word the first time it is used.
# The Rails side of the same flow (outbox, Sidekiq, callbacks, sign-in) is `bin/demo --app`.
#
# Run: bin/demo    (simulator)    or with WECHAT_WORK_CORP_ID / _SECRET / _AGENT_ID set (real WeCom;
# also set DEMO_INTERVIEWER=<a userid>). Against real WeCom, steps the app has no permission for
# (meetings need 会议 → 可调用接口的应用) say so and the demo goes on.
require "wechat_work"
require "logger"

# Steps, narrated; a permission WeCom refuses is reported and the demo continues.
class Demo
  Interview = Struct.new(:label, :candidate, :starts_at, :meeting_id, :link, :schedule_id, :card, keyword_init: true)

  # WeCom's words, each explained once, where it first appears.
  TERMS = {
    "corp" => "a company's WeCom (企业): its members, its apps, its meetings and calendars",
    "agent" => "the app's id in the corp (AgentId): messages come from an app (应用), not from a person",
    "userid" => "a member's id in the corp, set by its admin: the API names people by it, not by their name",
    "template card" => "a message in a fixed layout (title, fields, buttons) that people can answer; " \
                       "the app names each one by a task_id",
    "msgid" => "WeCom's id of a sent message: what recall takes",
    "callback" => "the app's URL where WeCom posts what people do (encrypted), e.g. a card's button tap",
    "response_code" => "what a tap's callback carries, and message/send answers one too: freezing the card " \
                       "takes it; valid once, for 72 h"
  }.freeze
  # meeting/get_info's status, as the client documents it (WechatWork::Client::Meetings#meeting).
  MEETING_STATUS = { 1 => "not started", 2 => "in progress", 3 => "ended", 4 => "cancelled", 5 => "expired" }.freeze

  def initialize(client, interviewer:, stranger:, against:, simulated:)
    @client = client
    @interviewer = interviewer
    @stranger = stranger
    @against = against
    @simulated = simulated
    @explained = []
    @number = 0
    first = (((Time.now + (2 * 86_400)).to_i / 3600) * 3600)
    @a = Interview.new(label: "A", candidate: "Han Meimei", starts_at: Time.at(first))
    @b = Interview.new(label: "B", candidate: "Li Ming", starts_at: Time.at(first + 86_400))
  end

  def run
    introduce
    step("Look the interviewer up") { lookup }
    step("Interview A: book a meeting, and a join link for the candidate") { book_meeting(@a) }
    step("Put interview A in the interviewer's calendar") { add_schedule(@a) }
    step("Send the interviewer interview A's card") { send_card(@a) }
    step("The interviewer taps Accept: freeze A's card with the answer") { freeze(@a) }
    step("Interview B: booked the same way, and its card sent") { book_second(@b) }
    step("Interview B is cancelled: recall B's card, cancel B's meeting and calendar entry") { cancel(@b) }
    step("An unknown recipient, handled") { unknown_recipient }
    step("Bad input is refused before any request") { bad_input }
  end

  def next_steps
    puts "\nNext: the README's \"Quick start in Rails\" puts this in a Rails app (configuration, the outbox,"
    puts "the callback endpoint); `bin/demo --app` runs the same story through the example Rails app"
    puts "(examples/interview_app: background delivery, the tap's callback, sign-in from WeCom)."
  end

  private

  def introduce
    puts "Against #{@against}"
    puts "Corp #{@client.corp_id}, agent #{@client.agent_id}"
    explain("corp")
    explain("agent")
    puts "\nTwo interviews for one interviewer, #{@interviewer}: " \
         "#{@a.candidate} (A, #{time(@a)}) and #{@b.candidate} (B, #{time(@b)}), both outside the corp.\n\n"
  end

  def step(title)
    @number += 1
    puts "#{@number}. #{title}"
    yield
  rescue WechatWork::PermissionError, WechatWork::NotFoundError => e
    say("skipped: #{e.class}: #{e.message}")
    nil
  end

  def say(text) = puts("   #{text}")
  def wecom(text) = say("WeCom: #{text}")

  def explain(term)
    return if @explained.include?(term)

    @explained << term
    say("#{term} = #{TERMS.fetch(term)}")
  end

  def lookup
    wecom("user/get reads one member of the corp's directory, by userid.")
    explain("userid")
    user = @client.user(@interviewer)
    say("#{user.userid}: #{user.name}, departments #{user.department.inspect}")
  end

  def book_meeting(interview)
    wecom("meeting/create books a meeting; create_customer_short_url makes a join link for an outsider.")
    create_meeting(interview)
    say("meeting #{interview.label}: #{interview.meeting_id}")
    say("#{interview.candidate}'s join link: #{interview.link}#{simulated_link_note}")
  end

  def add_schedule(interview)
    wecom("oa/schedule/add puts an entry in the attendees' WeCom calendars, with a reminder.")
    create_schedule(interview)
    say("calendar entry #{interview.label}: #{interview.schedule_id}, reminder 15 minutes before")
  end

  def send_card(interview)
    wecom("message/send delivers a message from the app to the interviewer's WeCom: here a template card.")
    explain("template card")
    create_card(interview)
    explain("msgid")
    say("card #{interview.label} delivered: msgid #{interview.card.msgid}")
  end

  def freeze(interview)
    return say("skipped: card #{interview.label} was not sent") unless interview.card

    wecom("posts the tap to the app's callback; message/update_template_card then replaces the buttons.")
    explain("callback")
    explain("response_code")
    say("here: no callback URL in this demo (`bin/demo --app` has one), so it uses the response_code " \
        "message/send answered")
    @client.update_template_card(response_code: interview.card.response_code, to: @interviewer,
                                 replace_name: "Accepted")
    say("card #{interview.label}'s buttons are replaced by \"Accepted\": it cannot be answered again")
  end

  # Each part on its own, so one the app has no permission for does not stop the others.
  def book_second(interview)
    wecom("the same calls as steps 2 to 4.")
    allowed { create_meeting(interview) }
    allowed { create_schedule(interview) }
    create_card(interview)
    label = interview.label
    say("meeting #{label}: #{interview.meeting_id || "none"}; " \
        "calendar entry #{label}: #{interview.schedule_id || "none"}")
    say("card #{label} delivered: msgid #{interview.card.msgid}")
  end

  def cancel(interview)
    wecom("message/recall takes a message's msgid (up to 24 h after it was sent); meeting/cancel; " \
          "oa/schedule/del.")
    label = interview.label
    if interview.card
      @client.recall(interview.card)
      say("card #{label} recalled (msgid #{interview.card.msgid}): it is gone from the interviewer's chat")
    end
    meeting_cancelled = interview.meeting_id && allowed { @client.cancel_meeting(interview.meeting_id) }
    say("meeting #{label} cancelled") if meeting_cancelled
    schedule_deleted = interview.schedule_id && allowed { @client.delete_schedule(interview.schedule_id) }
    say("calendar entry #{label} deleted") if schedule_deleted
    still_booked(@a)
  end

  # Read back from WeCom: the other interview's cancellation left this one as it was.
  def still_booked(interview)
    label = interview.label
    say("interview #{label} stays booked:")
    if interview.meeting_id
      allowed { say("  meeting #{label} #{interview.meeting_id}: #{meeting_status(interview.meeting_id)}") }
    end
    return unless interview.schedule_id

    allowed do
      entry = @client.schedule(interview.schedule_id)
      say("  calendar entry #{label} #{interview.schedule_id}: #{entry.cancelled? ? "deleted" : "in place"}")
    end
  end

  def unknown_recipient
    wecom("message/send answers errcode 81013 (its error number) when none of the recipients is valid.")
    @client.send_text(to: @stranger, content: "This person is not in the directory")
    say("(no error: #{@stranger} exists here)")
  rescue WechatWork::NoValidRecipientError => e
    say("#{e.class}: #{e.message}")
    say("invalid users: #{e.invalid_users.inspect}: the app would mark this interviewer as unreachable")
  end

  def bad_input
    wecom("nothing is sent: the gem checks WeCom's rules before any request.")
    @client.send_text(to: [], content: "nobody")
  rescue ArgumentError => e
    say("ArgumentError: #{e.message}")
  end

  def create_meeting(interview)
    interview.meeting_id = @client.create_meeting(
      admin: @interviewer, title: "Interview: #{interview.candidate}", start_time: interview.starts_at,
      duration: 2700, invitees: [@interviewer]
    )
    interview.link = @client.customer_meeting_link(interview.meeting_id,
                                                   customer_data: "candidate:#{interview.candidate}")
  end

  def create_schedule(interview)
    interview.schedule_id = @client.add_schedule(
      start_time: interview.starts_at, end_time: interview.starts_at + 2700, attendees: [@interviewer],
      summary: "Interview: #{interview.candidate}", location: "WeCom meeting", remind_before: 900
    )
  end

  def create_card(interview)
    fields = [{ keyname: "候选人", value: interview.candidate }, { keyname: "时间", value: time(interview) }]
    fields << { keyname: "入会链接", value: "Join the meeting", url: interview.link } if interview.link
    card = WechatWork::TemplateCard.button_interaction(
      task_id: "interview-#{interview.label}-#{Time.now.to_i}", title: "Interview with #{interview.candidate}",
      description: "Backend Engineer", fields: fields,
      buttons: [{ text: "Accept", key: "accept" }, { text: "Decline", key: "decline", style: 2 }]
    )
    interview.card = @client.send_template_card(to: @interviewer, card: card)
  end

  def allowed
    yield
  rescue WechatWork::PermissionError, WechatWork::NotFoundError => e
    say("skipped: #{e.class}: #{e.message}")
    nil
  end

  def meeting_status(id)
    status = @client.meeting(id)["status"].to_i
    MEETING_STATUS.fetch(status, "status #{status}")
  end

  # The simulator makes up meeting.tencent.com addresses with random paths: they open nothing.
  def simulated_link_note
    @simulated ? " (simulated: made up by the simulator, it opens nothing; real WeCom answers a working one)" : ""
  end

  def time(interview) = interview.starts_at.strftime("%a %-d %b %H:%M")
end

logger = ENV["DEMO_LOG"] ? Logger.new($stdout, level: :debug) : nil

if ENV["WECHAT_WORK_CORP_ID"] && ENV["WECHAT_WORK_SECRET"]
  client = WechatWork::Client.new(logger: logger)
  demo = Demo.new(client, interviewer: ENV.fetch("DEMO_INTERVIEWER"), stranger: "no-such-user-#{rand(1_000_000)}",
                          against: "WeCom at #{client.base_url}", simulated: false)
  demo.run
  demo.next_steps
else
  WechatWork::Simulator.run(users: [{ userid: "lilei", name: "Li Lei", department: [2] }],
                            departments: [1, 2]) do |sim|
    client = WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret, agent_id: sim.agent_id,
                                    base_url: sim.base_url, logger: logger)
    against = "the embedded WeCom simulator at #{sim.base_url} (a stand-in for WeCom on this machine)"
    demo = Demo.new(client, interviewer: "lilei", stranger: "ghost", against: against, simulated: true)
    demo.run
    puts "\nWhat the simulator delivered (#{sim.messages.size}):"
    sim.messages.each do |m|
      if m["channel"] == "card_update"
        puts "  card #{m["task_id"]} updated: buttons replaced by \"#{m.dig("button", "replace_name")}\""
      else
        what = m.dig("template_card", "main_title", "title") || m.dig("text", "content")
        task = m.dig("template_card", "task_id")
        recalled = m["recalled"] ? " (recalled)" : ""
        puts "  #{m["msgtype"]} #{task} to #{m["touser"]}, msgid #{m["msgid"]}: #{what}#{recalled}"
      end
    end
    demo.next_steps
  end
end

