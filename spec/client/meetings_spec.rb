# frozen_string_literal: true

require "active_support"
require "active_support/core_ext/integer/time"

RSpec.describe WechatWork::Client, "booked meetings" do
  include_context "on the simulator", users: %w[lilei hanmeimei zhangsan], apps: [SimulatorClients::OTHER_APP]
  let(:other_app) { client_of(SimulatorClients::OTHER_APP) }
  let(:start) { Time.now + 86_400 }

  def book(**options)
    client.create_meeting(admin: "hanmeimei", title: "Interview: Wang Fang", start_time: start, duration: 2700,
                          invitees: %w[lilei zhangsan], **options)
  end

  it "books a meeting and answers its id; get_info shows what was sent" do
    id = book(password: "2046", hosts: "lilei", description: "Backend, round 2", location: "Room 3",
              remind_before: [15.minutes, 1.day], mute_on_entry: :auto, waiting_room: true)
    expect(id).to be_a(String).and match(/\A\w{8,}\z/)
    meeting = client.meeting(id)
    expect(meeting).to be_a(WechatWork::Resource)
    expect(meeting).to have_attributes(admin_userid: "hanmeimei", title: "Interview: Wang Fang",
                                       meeting_start: start.to_i, meeting_duration: 2700, status: 1,
                                       description: "Backend, round 2", location: "Room 3")
    expect(meeting.attendees.member.map(&:userid)).to eq(%w[hanmeimei lilei zhangsan])
    expect(meeting.settings.to_h).to include("password" => "2046", "hosts" => { "userid" => ["lilei"] },
                                             "enable_enter_mute" => 2, "enable_waiting_room" => true)
    expect(meeting.reminders.remind_before).to eq([900, 86_400])
    expect(meeting.meeting_link).to start_with("https://")
    expect(sim.messages).to be_empty
  end

  it "takes an ActiveSupport::Duration and any Time-like start" do
    id = client.create_meeting(admin: "hanmeimei", title: "Sync", start_time: 2.days.from_now, duration: 45.minutes)
    expect(client.meeting(id).meeting_duration).to eq(2700)
  end

  it "updates only what is given, cancels, and the cancelled meeting stays readable" do
    id = book(password: "2046")
    expect(client.update_meeting(id, title: "Onsite: Wang Fang", invitees: ["lilei"], duration: 1.hour)).to be(true)
    meeting = client.meeting(id)
    expect(meeting).to have_attributes(title: "Onsite: Wang Fang", meeting_duration: 3600, meeting_start: start.to_i)
    expect(meeting.attendees.member.map(&:userid)).to eq(%w[hanmeimei lilei])
    expect(meeting.settings.password).to eq("2046")

    expect(client.cancel_meeting(id)).to be(true)
    expect(client.meeting(id).status).to eq(4)
    expect { client.cancel_meeting(id) }.to raise_error(WechatWork::NotFoundError) { |e| expect(e.errcode).to eq(400041) }
  end

  it "gives an outside candidate a join link carrying customer_data" do
    id = book
    link = client.customer_meeting_link(id, customer_data: "candidate-42")
    expect(link).to be_a(String).and start_with("https://meeting.tencent.com/s/")
    expect(client.customer_meeting_link(id)).to start_with("https://").and(satisfy { |l| l != link })
  end

  describe "errors" do
    it "refuses the whole meeting when one invitee is unknown (400021, InvalidRequestError)" do
      expect do
        book(invitees: %w[lilei ghost])
      end.to raise_error(WechatWork::InvalidRequestError) { |e|
        expect(e.errcode).to eq(400021)
        expect(e.path).to eq("meeting/create")
        expect(e.message).to include("ghost")
      }
      expect(sim.request_count("meeting/create")).to eq(1)
    end

    it "keeps other apps' meetings out of reach (730005, PermissionError)" do
      id = book
      %i[meeting cancel_meeting customer_meeting_link].each do |method|
        expect { other_app.public_send(method, id) }
          .to raise_error(WechatWork::PermissionError) { |e| expect(e.errcode).to eq(730005) }
      end
      expect(client.meeting(id).status).to eq(1)
    end

    it "raises NotFoundError for an unknown meeting id (90602)" do
      expect { client.meeting("hyNoSuchMeeting") }
        .to raise_error(WechatWork::NotFoundError) { |e| expect(e.errcode).to eq(90602) }
    end

    it "refuses a start in the past and a duration out of 300..86399 before any request" do
      expect { client.create_meeting(admin: "hanmeimei", title: "x", start_time: Time.now - 60, duration: 600) }
        .to raise_error(ArgumentError, /meeting_start \(\d+\) must be in the future/)
      expect { client.create_meeting(admin: "hanmeimei", title: "x", start_time: start, duration: 60) }
        .to raise_error(ArgumentError, /meeting_duration must be 300 to 86399 seconds, got 60/)
      expect { client.create_meeting(admin: "hanmeimei", title: "x", start_time: start, duration: 1.day) }
        .to raise_error(ArgumentError, /got 86400/)
      expect { book(password: "12ab") }.to raise_error(ArgumentError, /settings.password must be 4 to 6 digits/)
      expect { book(invitees: Array.new(101) { |i| "u#{i}" }) }.to raise_error(ArgumentError, /invitees.userid has 101 userids; WeCom takes at most 100/)
      expect(sim.request_count("meeting/create")).to eq(0)
    end

    it "names the Ruby argument for bad types and unknown settings" do
      expect { client.create_meeting(admin: "", title: "x", start_time: start, duration: 600) }
        .to raise_error(ArgumentError, "admin is empty")
      expect { client.create_meeting(admin: "a", title: "x", start_time: "tomorrow", duration: 600) }
        .to raise_error(ArgumentError, /start_time must be a Time/)
      expect { client.create_meeting(admin: "a", title: "x", start_time: start, duration: "long") }
        .to raise_error(ArgumentError, /duration must be a positive number of seconds/)
      expect { book(room: "3") }
        .to raise_error(ArgumentError, /create_meeting does not take room:; it takes admin:, title:, start_time:, duration:, invitees:, description:, location:, password:/)
      expect { book(pasword: "2046") }.to raise_error(ArgumentError, /create_meeting does not take pasword: \(did you mean password:\?\)/)
      expect { book(password: 2046) }.to raise_error(ArgumentError, /password must be a String/)
      expect { book(remind_scope: :everyone) }.to raise_error(ArgumentError, /remind_scope must be one of :none, :host/)
      expect { book(waiting_room: "yes") }.to raise_error(ArgumentError, "waiting_room must be true or false, got \"yes\"")
      expect { client.update_meeting("", title: "x") }.to raise_error(ArgumentError, "meeting id is empty")
      expect { client.customer_meeting_link("m", customer_data: "x" * 257) }
        .to raise_error(ArgumentError, /customer_data is 257 bytes; WeCom allows at most 256/)
      expect(sim.request_count).to eq(0)
    end
  end
end
