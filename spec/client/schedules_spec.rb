# frozen_string_literal: true

require "json"
require "net/http"

# Schedules against the simulator: the client's methods, what reached WeCom, its errors.
RSpec.describe WechatWork::Client, "schedules" do
  include_context "on the simulator", users: %w[lilei hanmeimei zhangsan wangwu], apps: [SimulatorClients::OTHER_APP]
  let(:other_app) { client_of(SimulatorClients::OTHER_APP) }
  let(:start) { Time.at(Time.now.to_i + 86_400) }

  def interview(**overrides)
    client.add_schedule(start_time: start, end_time: start + 3600, attendees: %w[hanmeimei lilei],
                        summary: "Interview: Zhang San", **overrides)
  end

  it "adds a schedule and reads it back with Times" do
    id = interview(organizer: "zhangsan", description: "Second round", location: "Room 3", remind_before: 900)
    expect(id).to be_a(String).and(satisfy { |s| s.length == 32 })
    schedule = client.schedule(id)
    expect(schedule).to be_a(WechatWork::Resource)
    expect(schedule.schedule_id).to eq(id)
    expect(schedule.start_time).to eq(start.to_i)
    expect(schedule.starts_at).to eq(start)
    expect(schedule.ends_at).to eq(start + 3600)
    expect(schedule.summary).to eq("Interview: Zhang San")
    expect(schedule.description).to eq("Second round")
    expect(schedule.location).to eq("Room 3")
    expect(schedule.cancelled?).to be(false)
    expect(schedule.status).to eq(0)
    # organizer: is WeCom's admins now, and an attendee
    expect(schedule.admins).to eq(%w[zhangsan])
    expect(schedule.attendees.map(&:to_h)).to eq([{ "userid" => "hanmeimei", "response_status" => 0 },
                                                  { "userid" => "lilei", "response_status" => 0 },
                                                  { "userid" => "zhangsan", "response_status" => 0 }])
    expect(schedule.attendee_ids).to eq(%w[hanmeimei lilei zhangsan])
    expect(schedule.reminders.remind_time_diffs).to eq([-900])
    expect(schedule.remind_before).to eq(900)
  end

  it "takes Unix seconds, #to_time objects and an ActiveSupport::Duration" do
    require "active_support"
    require "active_support/core_ext/integer/time"
    id = client.add_schedule(start_time: start.to_i, end_time: (start + 1800).to_datetime, attendees: "lilei",
                             summary: "", remind_before: 15.minutes)
    schedule = client.schedule(id)
    expect([schedule.start_time, schedule.end_time]).to eq([start.to_i, start.to_i + 1800])
    expect(schedule.reminders.to_h).to include("is_remind" => 1, "remind_time_diffs" => [-900])
    expect(schedule.remind_before).to eq(900)
  end

  it "updates only the fields given, keeping the others (WeCom overwrites, the client merges)" do
    id = interview(organizer: "zhangsan", location: "Room 3", remind_before: 600)
    expect(client.update_schedule(id, location: "Room 5", start_time: start + 600, end_time: start + 4200)).to be(true)
    schedule = client.schedule(id)
    expect(schedule.location).to eq("Room 5")
    expect(schedule.starts_at).to eq(start + 600)
    expect(schedule.summary).to eq("Interview: Zhang San")
    expect(schedule.admins).to eq(%w[zhangsan])
    expect(schedule.attendee_ids).to eq(%w[hanmeimei lilei zhangsan])
    expect(schedule.remind_before).to eq(600)
    expect(sim.request_count("oa/schedule/update")).to eq(1)
  end

  it "replaces attendees, the organizer and the reminder when given" do
    id = interview(remind_before: 600)
    client.update_schedule(id, attendees: %w[wangwu], organizer: "hanmeimei", remind_before: false)
    schedule = client.schedule(id)
    expect(schedule.attendee_ids).to eq(%w[wangwu hanmeimei])
    expect(schedule.admins).to eq(%w[hanmeimei])
    expect(schedule.reminders.is_remind).to eq(0)
    expect(schedule.remind_before).to be_nil
  end

  it "deletes: the schedule then reads as cancelled, and cannot be changed" do
    id = interview
    expect(client.delete_schedule(id)).to be(true)
    expect(client.schedule(id).cancelled?).to be(true)
    expect { client.delete_schedule(id) }.to raise_error(WechatWork::NotFoundError, /90460/)
    expect { client.update_schedule(id, summary: "again") }.to raise_error(WechatWork::NotFoundError, /90460/)
  end

  describe "WeCom's errors" do
    it "raises PermissionError (90466) for another app's schedule" do
      id = interview
      expect { other_app.schedule(id) }.to raise_error(WechatWork::PermissionError) { |e| expect(e.errcode).to eq(90466) }
      expect { other_app.delete_schedule(id) }.to raise_error(WechatWork::PermissionError, /90466/)
      expect(client.schedule(id).cancelled?).to be(false)
    end

    it "raises NotFoundError (90461) for an unknown schedule" do
      expect { client.schedule("17c7d2bd9f20d652840f72f59e796AAA") }.to raise_error(WechatWork::NotFoundError, /90461/)
    end

    it "raises InvalidRequestError (40003) for an attendee who is not in the contacts" do
      expect { interview(attendees: %w[lilei ghost]) }.to raise_error(WechatWork::InvalidRequestError) { |e|
        expect(e.errcode).to eq(40003)
        expect(e.message).to include("ghost")
      }
    end

    it "answers 90464 for more than 1000 attendees (the client refuses them first)" do
      sim_token = client.access_token
      uri = URI("#{sim.base_url}/cgi-bin/oa/schedule/add?access_token=#{sim_token}")
      many = Array.new(1001) { |i| { userid: "u#{i}" } }
      body = { schedule: { start_time: start.to_i, end_time: start.to_i + 60, attendees: many } }
      answer = JSON.parse(Net::HTTP.post(uri, JSON.generate(body), "Content-Type" => "application/json").body)
      expect(answer["errcode"]).to eq(90464)
    end
  end

  describe "bad arguments fail before any request, naming the argument" do
    before { client.access_token }
    after { expect(sim.request_count - sim.request_count("gettoken")).to eq(0) }

    it "refuses an end before the start" do
      expect { interview(end_time: start - 60) }.to raise_error(ArgumentError, /end_time: .* must be after start_time:/)
      expect { interview(end_time: start) }.to raise_error(ArgumentError, /end_time:/)
    end

    it "refuses more than 1000 attendees" do
      expect { interview(attendees: Array.new(1001) { |i| "u#{i}" }) }
        .to raise_error(ArgumentError, /attendees has 1001 items; WeCom takes at most 1000/)
    end

    it "names the bad argument" do
      expect { interview(start_time: "tomorrow") }.to raise_error(ArgumentError, /start_time must be a Time/)
      expect { interview(attendees: [nil]) }.to raise_error(ArgumentError, /attendees \(a userid\) is missing/)
      expect { interview(summary: nil) }.to raise_error(ArgumentError, /summary: must be a String/)
      expect { interview(summary: "x" * 129) }.to raise_error(ArgumentError, /summary is 129 characters; WeCom allows at most 128/)
      expect { interview(remind_before: -5) }.to raise_error(ArgumentError, /remind_before: must be seconds before the start/)
      expect { interview(remind_before: 8 * 86_400) }.to raise_error(ArgumentError, /remind_time_diffs\[0\].*-604800/)
      expect { interview(organizer: "") }.to raise_error(ArgumentError, /organizer is empty/)
      expect { client.update_schedule("id") }.to raise_error(ArgumentError, /nothing to change/)
      expect { client.update_schedule("id", place: "Room 1") }.to raise_error(ArgumentError, /update_schedule does not take place:/)
      expect { client.schedule(nil) }.to raise_error(ArgumentError, /id is missing/)
      expect { client.delete_schedule("") }.to raise_error(ArgumentError, /id is empty/)
    end
  end
end
