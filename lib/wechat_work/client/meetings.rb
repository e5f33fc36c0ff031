# frozen_string_literal: true

module WechatWork
  class Client
    # Booked meetings (预约会议: meeting/create, update, cancel, get_info) and join links for
    # outside guests (meeting/create_customer_short_url). The app must be listed under 会议 →
    # 可调用接口的应用, and it sees and changes only the meetings it created (another app's
    # meeting raises PermissionError, 730005).
    #
    #   id = client.create_meeting(admin: "hanmeimei", title: "Interview: Wang Fang",
    #                              start_time: Time.now + 86_400, duration: 45 * 60,
    #                              invitees: %w[lilei zhangsan], password: "2046")
    #   client.customer_meeting_link(id, customer_data: "candidate-42")  # => "https://meeting.tencent.com/s/..."
    #
    # WeCom's rules are checked before any request (ArgumentError): the start must be in the
    # future, the duration 300 to 86399 seconds, at most 100 invitees and 10 hosts, a password
    # of 4 to 6 digits. An invitee WeCom does not know fails the whole call (400021,
    # InvalidRequestError): nobody is invited.
    module Meetings
      include Arguments::Keywords

      # The meeting settings create_meeting and update_meeting take, and where each goes in
      # WeCom's body.
      MEETING_SETTINGS = %i[description location password hosts ring_users remind_scope remind_before waiting_room
                            enter_before_host mute_on_entry allow_external_users screen_watermark calendar_id].freeze
      REMIND_SCOPES = { none: 1, host: 2, all: 3, ring_users: 4 }.freeze
      MUTE_ON_ENTRY = { false => 0, true => 1, auto: 2 }.freeze

      # Books a meeting. => the meeting id (a String).
      #
      # admin:      the member who manages it (WeCom's admin_userid).
      # start_time: a Time (or anything with #to_time, or Unix seconds).
      # duration:   seconds, or an ActiveSupport::Duration (45.minutes); 300 to 86399.
      # invitees:   members' userids (at most 100); outside candidates join by
      #             customer_meeting_link instead.
      # Settings (all optional):
      #   description:, location:  text (at most 500 and 128 characters)
      #   password:                4 to 6 digits, as a String
      #   hosts:                   userids of up to 10 hosts
      #   ring_users:              userids whose phones ring at the start (remind_scope: :ring_users)
      #   remind_scope:            :none, :host (WeCom's default), :all or :ring_users: who is rung
      #   remind_before:           reminders before the start: seconds or durations, each 0, 300,
      #                            900, 3600 or 86400 (e.g. [15.minutes, 1.day])
      #   waiting_room:            true to hold guests in a waiting room
      #   enter_before_host:       false to keep people out until the host arrives
      #   mute_on_entry:           true, false or :auto (muted from the 7th person on)
      #   allow_external_users:    false to keep outsiders out (candidates need it true, WeCom's default)
      #   screen_watermark:        true for a watermark on shared screens
      #   calendar_id:             a calendar this app created (WeCom's cal_id)
      required_keywords :create_meeting, rest: MEETING_SETTINGS,
                                         admin: "the userid of the member who manages the meeting",
                                         title: "the meeting's subject", start_time: "when it starts: a Time (or Unix seconds)",
                                         duration: "how long it lasts: seconds, or a Duration (45.minutes)"
      def create_meeting(admin: required(binding), title: required(binding), start_time: required(binding),
                         duration: required(binding), invitees: [], **settings)
        body = { admin_userid: Arguments.string!(admin, "admin"), title: Arguments.string!(title, "title"),
                 meeting_start: Arguments.unix_time!(start_time, "start_time"),
                 meeting_duration: Arguments.seconds!(duration, "duration") }
        invitee_ids = invitees.nil? ? [] : Arguments.userids!(invitees, "invitees")
        body[:invitees] = { userid: invitee_ids } unless invitee_ids.empty?
        body.merge!(meeting_settings(settings, :create_meeting))
        call("meeting/create", body)["meetingid"]
      end

      # Changes a meeting before it starts: only what is given changes. invitees: replaces the
      # whole list. Takes the settings create_meeting takes. => true
      def update_meeting(id, title: nil, start_time: nil, duration: nil, invitees: nil, **settings)
        body = { meetingid: checked_meeting_id(id) }
        body[:title] = Arguments.string!(title, "title") unless title.nil?
        body[:meeting_start] = Arguments.unix_time!(start_time, "start_time") unless start_time.nil?
        body[:meeting_duration] = Arguments.seconds!(duration, "duration") unless duration.nil?
        body[:invitees] = { userid: Arguments.userids!(invitees, "invitees") } unless invitees.nil?
        body.merge!(meeting_settings(settings, :update_meeting))
        call("meeting/update", body)
        true
      end

      # Cancels a meeting before it starts. => true. A cancelled meeting stays readable
      # (meeting(id).status == 4); cancelling it again raises NotFoundError (400041).
      def cancel_meeting(id)
        call("meeting/cancel", meetingid: checked_meeting_id(id))
        true
      end

      # A meeting: Resource with WeCom's fields (admin_userid, title, meeting_start (Unix
      # seconds), meeting_duration, status (1 not started, 2 in progress, 3 ended, 4 cancelled,
      # 5 expired), attendees.member [{userid, status}], settings, meeting_code, meeting_link...).
      def meeting(id)
        call("meeting/get_info", meetingid: checked_meeting_id(id))
      end

      # The join link for one outside guest (a candidate without WeCom): opens the meeting in
      # Tencent Meeting. customer_data (at most 256 bytes, e.g. your candidate id) comes back in
      # WeCom's join and waiting-room events, so you know who joined. => the URL String
      def customer_meeting_link(meeting_id, customer_data: nil)
        params = { meetingid: checked_meeting_id(meeting_id) }
        params[:customer_data] = Arguments.string!(customer_data, "customer_data") unless customer_data.nil?
        answer = call("meeting/create_customer_short_url", params)["meeting_short_url_customer_data"]
        # The doc's table says an Array, its example one object: take either.
        link = answer.is_a?(Array) ? answer.first : answer
        link && link["meeting_short_url"]
      end

      private

      def checked_meeting_id(id) = Arguments.string!(id, "meeting id")

      # The settings keywords as WeCom's fields: top-level ones, settings {...}, reminders {...}.
      def meeting_settings(options, caller_name)
        Arguments.only!(options, MEETING_SETTINGS, caller_name) { Arguments.keywords_of(method(caller_name)) }
        top = {}
        settings = {}
        top[:description] = Arguments.string!(options[:description], "description") if options.key?(:description)
        top[:location] = Arguments.string!(options[:location], "location") if options.key?(:location)
        top[:cal_id] = Arguments.string!(options[:calendar_id], "calendar_id") if options.key?(:calendar_id)
        settings[:password] = meeting_password(options[:password]) if options.key?(:password)
        settings[:hosts] = { userid: Arguments.userids!(options[:hosts], "hosts") } if options.key?(:hosts)
        if options.key?(:ring_users)
          settings[:ring_users] = { userid: Arguments.userids!(options[:ring_users], "ring_users") }
          settings[:remind_scope] = REMIND_SCOPES[:ring_users]
        end
        settings[:remind_scope] = remind_scope(options[:remind_scope]) if options.key?(:remind_scope)
        { waiting_room: :enable_waiting_room, enter_before_host: :allow_enter_before_host,
          allow_external_users: :allow_external_user, screen_watermark: :enable_screen_watermark }.each do |name, field|
          settings[field] = boolean!(options[name], name) if options.key?(name)
        end
        settings[:enable_enter_mute] = mute_on_entry(options[:mute_on_entry]) if options.key?(:mute_on_entry)
        top[:settings] = settings unless settings.empty?
        top[:reminders] = { remind_before: remind_before(options[:remind_before]) } if options.key?(:remind_before)
        top
      end

      def meeting_password(value)
        return value if value.is_a?(String)
        # 1234 as an Integer would lose leading zeros (0042): WeCom takes the digits as a String.
        raise ::ArgumentError, "password must be a String of 4 to 6 digits, got #{value.inspect}"
      end

      def remind_scope(value)
        REMIND_SCOPES.fetch(value) do
          raise ::ArgumentError, "remind_scope must be one of #{REMIND_SCOPES.keys.map(&:inspect).join(", ")}, " \
                                 "got #{value.inspect}"
        end
      end

      def mute_on_entry(value)
        MUTE_ON_ENTRY.fetch(value) do
          raise ::ArgumentError, "mute_on_entry must be true, false or :auto, got #{value.inspect}"
        end
      end

      def remind_before(value)
        (value.is_a?(Array) ? value : [value]).map do |offset|
          unless offset.is_a?(Numeric) && offset.to_f.finite? && offset >= 0
            raise ::ArgumentError, "remind_before takes seconds (or durations) before the start, got #{offset.inspect}"
          end

          offset.to_i
        end
      end

      def boolean!(value, name)
        return value if [true, false].include?(value)

        raise ::ArgumentError, "#{name} must be true or false, got #{value.inspect}"
      end
    end
  end
end
