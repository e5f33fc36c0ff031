# frozen_string_literal: true

module WechatWork
  class Client
    # Schedules (日程: oa/schedule/add, update, get, del): events in the attendees' WeCom
    # calendars, with reminders. Only for the 日程 app itself, or apps added under 日程 →
    # 可调用接口的应用; an app sees only the schedules it created (PermissionError, 90466).
    #
    #   id = client.add_schedule(start_time: Time.now + 3600, end_time: Time.now + 7200,
    #                            attendees: %w[zhangsan lilei], summary: "Interview: Han Meimei",
    #                            organizer: "zhangsan", location: "Room 3", remind_before: 15 * 60)
    #   client.update_schedule(id, location: "Room 5")    # the rest stays as it was
    #   client.schedule(id).starts_at                     # => a Time
    #   client.delete_schedule(id)                        # => true
    #
    # Times are Times (or anything with #to_time, or Unix seconds); WeCom stores Unix seconds.
    module Schedules
      include Arguments::Keywords

      SCHEDULE_KEYWORDS = %i[start_time end_time attendees summary organizer description location remind_before].freeze
      # Reminder settings get answers that update may send back (not exclude_time_list).
      WRITABLE_REMINDERS = %w[is_remind remind_before_event_secs remind_time_diffs is_repeat repeat_type repeat_until
                              is_custom_repeat repeat_interval repeat_day_of_week repeat_day_of_month timezone].freeze

      # A schedule as get answers it, with Time readers.
      class Schedule < Resource
        def starts_at = Time.at(self["start_time"].to_i)
        def ends_at = Time.at(self["end_time"].to_i)
        # Deleted (delete_schedule) schedules still read, with status 1.
        def cancelled? = self["status"].to_i == 1
        def attendee_ids = Array(self["attendees"]).map { |a| a["userid"] }

        # Seconds before the start of the first reminder, or nil.
        def remind_before
          reminders = self["reminders"]
          return nil unless reminders && reminders["is_remind"].to_i == 1

          diff = Array(reminders["remind_time_diffs"]).first
          diff ? -diff.to_i : reminders["remind_before_event_secs"]
        end
      end

      # Adds a schedule to the attendees' calendars and returns its id (a String).
      #   organizer: a userid shown as the schedule's admin. WeCom's 2023 API dropped the old
      #              `organizer` field: it is sent as `admins: [organizer]`, and the organizer is
      #              added to the attendees (WeCom wants admins among them).
      #   remind_before: seconds (or an ActiveSupport::Duration) before the start to remind the
      #              attendees, 0 = at the start; WeCom allows up to 7 days.
      required_keywords :add_schedule, start_time: "when it starts: a Time (or Unix seconds)",
                                       end_time: "when it ends: a Time after start_time:",
                                       attendees: "the userids whose calendars get it",
                                       summary: "the schedule's title, shown in the calendars"
      def add_schedule(start_time: required(binding), end_time: required(binding), attendees: required(binding),
                       summary: required(binding), organizer: nil, description: nil, location: nil, remind_before: nil)
        optional = { organizer: organizer, description: description, location: location, remind_before: remind_before }
        fields = { start_time: start_time, end_time: end_time, attendees: attendees, summary: summary }
        call("oa/schedule/add", schedule: schedule_body({}, fields.merge(optional.compact)))["schedule_id"]
      end

      # Changes the given fields and keeps the others (same keywords as add_schedule). WeCom's
      # update overwrites the whole schedule, so the client reads it first and sends it back with
      # your changes (two calls; a change made by someone else in between is overwritten).
      # Attendees keep their answers; without attendees: they are left as they are.
      # remind_before: false turns the reminder off. => true
      def update_schedule(id, **changes)
        Arguments.only!(changes, SCHEDULE_KEYWORDS, "update_schedule")
        changes = changes.compact
        if changes.empty?
          keywords = SCHEDULE_KEYWORDS.map { |k| "#{k}:" }.join(", ")
          raise ::ArgumentError, "update_schedule: nothing to change: give #{keywords}"
        end

        id = Arguments.string!(id, "id")
        current = schedule(id)
        body = schedule_body(current, changes).merge("schedule_id" => id)
        params = { schedule: body }
        params[:skip_attendees] = 1 unless body.key?("attendees")
        call("oa/schedule/update", params)
        true
      end

      # The schedule: Schedule (a Resource: schedule_id, start_time, end_time, attendees with
      # response_status, summary, reminders, status...; starts_at, ends_at, cancelled?).
      def schedule(id)
        list = call("oa/schedule/get", schedule_id_list: [Arguments.string!(id, "id")])["schedule_list"]
        Schedule.new(Array(list).first.to_h)
      end

      # Cancels the schedule in every attendee's calendar. => true
      def delete_schedule(id)
        call("oa/schedule/del", schedule_id: Arguments.string!(id, "id"))
        true
      end

      private

      # The schedule object for add/update: `current` (a Schedule, or {} for add) with `changes`.
      def schedule_body(current, changes)
        body = current_fields(current)
        body["start_time"] = Arguments.unix_time!(changes[:start_time], "start_time") if changes.key?(:start_time)
        body["end_time"] = Arguments.unix_time!(changes[:end_time], "end_time") if changes.key?(:end_time)
        check_times(body)
        %i[summary description location].each do |key|
          body[key.to_s] = schedule_text(changes[key], key) if changes.key?(key)
        end
        if changes.key?(:attendees)
          body["attendees"] = Arguments.userids!(changes[:attendees], "attendees").map { |u| { "userid" => u } }
        end
        organize(body, current, changes[:organizer]) if changes.key?(:organizer)
        body["reminders"] = remind(body["reminders"], changes[:remind_before]) if changes.key?(:remind_before)
        body
      end

      # What get answered that update can send back (attendees only when they change).
      def current_fields(current)
        return {} if current.empty?

        body = current.to_h.slice("start_time", "end_time", "summary", "description", "location", "is_whole_day", "admins")
        reminders = current["reminders"]
        body["reminders"] = reminders.to_h.slice(*WRITABLE_REMINDERS) if reminders
        body
      end

      def check_times(body)
        start_time = body["start_time"]
        end_time = body["end_time"]
        return if start_time.nil? || end_time.nil? || end_time > start_time

        raise ::ArgumentError, "end_time: (#{Time.at(end_time)}) must be after start_time: (#{Time.at(start_time)})"
      end

      def schedule_text(value, name)
        raise ::ArgumentError, "#{name}: must be a String, got #{value.inspect}" unless value.is_a?(String)

        Arguments.utf8!(value, name.to_s)
      end

      # organizer: → admins: [organizer], and the organizer among the attendees.
      def organize(body, current, organizer)
        organizer = Arguments.string!(organizer, "organizer")
        body["admins"] = [organizer]
        attendees = body.fetch("attendees") do
          Array(current["attendees"]).map { |a| { "userid" => a["userid"] } }
        end
        return if attendees.any? { |a| a["userid"].casecmp?(organizer) }

        body["attendees"] = attendees + [{ "userid" => organizer }]
      end

      # remind_before: seconds before the start → reminders.remind_time_diffs (negative offsets);
      # false → no reminder. Repeat settings stay.
      def remind(reminders, remind_before)
        reminders = (reminders || {}).to_h.except("remind_before_event_secs", "remind_time_diffs")
        return reminders.merge("is_remind" => 0) if remind_before == false

        valid = remind_before.is_a?(Numeric) && remind_before.to_f.finite? && !remind_before.negative?
        unless valid
          raise ::ArgumentError, "remind_before: must be seconds before the start (0 or more, e.g. 900 or 15.minutes), " \
                                 "or false for no reminder; got #{remind_before.inspect}"
        end

        reminders.merge("is_remind" => 1, "remind_time_diffs" => [-remind_before.to_i])
      end
    end
  end
end
