# frozen_string_literal: true

module WechatWork
  class Client
    # External contacts (客户联系): people outside the corp, such as candidates, who added a
    # member on WeChat (or on WeCom, from another corp). The app must be listed under 客户联系 →
    # 可调用接口的应用 (since 2023-12-01 new corps cannot use the 客户联系 system secret), and
    # answers are limited to the members in its visible range.
    #
    #   client.external_contacts("lilei")                   # => ["wmCandidate...", ...]
    #   client.external_contact("wmCandidate...").external_contact.name
    #   client.each_external_contact(%w[lilei hanmeimei]).map { |row| row.external_contact.name }
    #   client.add_contact_way(type: :single, scene: :qr_code, users: "hanmeimei", state: "campus-2024")
    #
    # NOT A NOTIFICATION CHANNEL: add_msg_template (企业群发) sends nothing by itself. WeCom
    # shows the message to the member as a task in the WeCom client and sends it only when the
    # member confirms; each customer gets at most as many mass messages a month as the month
    # has days. Nothing reaches a candidate at a time your code decides: tell members with app
    # messages (send_text...), and give candidates links (customer_meeting_link) yourself.
    module ExternalContacts
      include Arguments::Keywords

      CONTACT_WAY_TYPES = { single: 1, multi: 2 }.freeze
      CONTACT_WAY_SCENES = { mini_program: 1, qr_code: 2 }.freeze
      CHAT_TYPES = %i[single group].freeze

      # The external_userids the member follows. => [String]
      def external_contacts(userid)
        Array(call("externalcontact/list", userid: Arguments.string!(userid, "userid"))["external_userid"])
      end

      # One external contact: Resource(external_contact: {name, type, gender, avatar,
      # corp_name...}, follow_user: [{userid, remark, createtime, tags, state, add_way...}]).
      # WeCom answers follow_user 500 rows at a time; every page is fetched and merged, so
      # follow_user holds all the members who follow the contact.
      def external_contact(external_userid)
        id = Arguments.string!(external_userid, "external_userid")
        first = call("externalcontact/get", external_userid: id)
        rows = Array(first["follow_user"]).map(&:to_h)
        cursor = first["next_cursor"].to_s
        until cursor.empty?
          page = call("externalcontact/get", external_userid: id, cursor: cursor)
          rows.concat(Array(page["follow_user"]).map(&:to_h))
          cursor = page["next_cursor"].to_s
        end
        Resource.new(first.to_h.except("next_cursor").merge("follow_user" => rows))
      end

      # Every (external contact, follow info) pair of these members, fetched page by page as
      # the Enumerator is read (lazy): WeCom takes 100 userids a call, so longer lists go in
      # slices of 100, each followed through its next_cursor. limit: rows per request (1 to
      # 100). Each item: Resource(external_contact: {...}, follow_info: {userid, remark,
      # tag_id, state...}; read optional fields such as state with ["state"]).
      #   client.each_external_contact(recruiters).select { |r| r.follow_info["state"] == "campus-2024" }.first(20)
      def each_external_contact(userids, limit: 100)
        ids = Arguments.userids!(userids, "userids")
        raise ::ArgumentError, "userids is empty" if ids.empty?

        per_page = Arguments.positive_integer!(limit, "limit")
        slices = ids.each_slice(LIMITS.fetch(:external_batch_users)).to_a
        Enumerator.new do |yielder|
          slices.each do |slice|
            paginate("externalcontact/batch/get_by_user", { userid_list: slice, limit: per_page },
                     "external_contact_list").each { |row| yielder << row }
          end
        end.lazy
      end

      # A "contact me" (联系我) QR code or mini-program button for members, e.g. printed on a
      # job-fair poster. => Resource(config_id, qr_code) (qr_code only for scene: :qr_code).
      #
      # type:        :single (one member) or :multi (several members or departments)
      # scene:       :qr_code or :mini_program
      # users:       userids (exactly one for :single; at most 100)
      # parties:     department ids (:multi only)
      # state:       up to 30 characters, echoed in the change_external_contact callback
      #              (msg.state) and in external_contact's follow_user: tells which poster they scanned
      # remark:      up to 30 characters, for your admins
      # skip_verify: false to make members accept each new contact (WeCom's default: true)
      def add_contact_way(type: :single, scene: :qr_code, users: nil, parties: nil, state: nil, remark: nil,
                          skip_verify: nil)
        body = { type: symbol_value(CONTACT_WAY_TYPES, type, "type"), scene: symbol_value(CONTACT_WAY_SCENES, scene, "scene") }
        body[:user] = Arguments.userids!(users, "users") unless users.nil?
        body[:party] = Array(parties).map { |id| Arguments.positive_integer!(id, "parties (a department id)") } unless parties.nil?
        body[:state] = Arguments.string!(state, "state") unless state.nil?
        body[:remark] = Arguments.string!(remark, "remark") unless remark.nil?
        unless skip_verify.nil?
          raise ::ArgumentError, "skip_verify must be true or false, got #{skip_verify.inspect}" unless [true, false].include?(skip_verify)

          body[:skip_verify] = skip_verify
        end
        call("externalcontact/add_contact_way", body)
      end

      # Creates a mass message (企业群发) for members to send to their customers.
      # => Resource(msgid, fail_list: the external_userids that cannot get it).
      #
      # THIS SENDS NOTHING BY ITSELF, and it is NOT a notification channel: WeCom shows the
      # message to the member (the sender, or the member who last chatted with each customer) as
      # a task in the WeCom client, and sends it only when that member confirms. Until then
      # msg_template_result shows status 0. A customer gets at most as many mass messages a
      # month as the month has days.
      #
      # text:             the text (at most 4000 bytes)
      # attachments:      up to 9 Hashes in WeCom's shape, e.g.
      #                   { msgtype: "link", link: { title: "Interview guide", url: "https://..." } }
      # external_userids: the customers (up to 10000). Without them, sender: is required and
      #                   the message goes to all of the sender's customers.
      # sender:           the member who sends it (required for chat_type: :group)
      # chat_type:        :single (customers) or :group (the sender's customer groups, chosen
      #                   when confirming)
      # Raises InvalidRequestError (41048) when none of the customers can get it.
      def add_msg_template(text: nil, attachments: nil, external_userids: nil, sender: nil, chat_type: :single)
        unless CHAT_TYPES.include?(chat_type)
          raise ::ArgumentError, "chat_type must be :single or :group, got #{chat_type.inspect}"
        end

        body = { chat_type: chat_type.to_s }
        body[:external_userid] = external_ids(external_userids) unless external_userids.nil?
        body[:sender] = Arguments.string!(sender, "sender") unless sender.nil?
        body[:text] = { content: Arguments.string!(text, "text") } unless text.nil?
        unless attachments.nil?
          raise ::ArgumentError, "attachments must be an Array of Hashes, got #{attachments.class}" unless attachments.is_a?(Array)

          body[:attachments] = attachments
        end
        call("externalcontact/add_msg_template", body)
      end

      # The member's sends of a mass message, page by page as the Enumerator is read (lazy):
      # Resource(external_userid, userid, status, and send_time once sent: read it with
      # row["send_time"], which is nil before). status 0 not sent yet (the member
      # has not confirmed), 1 sent, 2 not sent: not a friend any more, 3 not sent: the customer
      # already got another mass message. limit: rows per request (WeCom: at most 1000).
      required_keywords :msg_template_result, userid: "the member whose sends of the mass message to list"
      def msg_template_result(msgid, userid: required(binding), limit: nil)
        params = { msgid: Arguments.string!(msgid.respond_to?(:msgid) ? msgid.msgid : msgid, "msgid"),
                   userid: Arguments.string!(userid, "userid") }
        params[:limit] = Arguments.positive_integer!(limit, "limit") unless limit.nil?
        paginate("externalcontact/get_groupmsg_send_result", params, "send_list")
      end

      private

      def symbol_value(table, value, name)
        table.fetch(value) do
          raise ::ArgumentError, "#{name} must be one of #{table.keys.map(&:inspect).join(", ")}, got #{value.inspect}"
        end
      end

      def external_ids(value)
        list = value.is_a?(Array) ? value : [value]
        list.map { |id| Arguments.string!(id, "external_userids (an external_userid)") }
      end
    end
  end
end
