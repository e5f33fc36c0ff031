# frozen_string_literal: true

module WechatWork
  class Client
    # App messages (message/send, message/recall, message/update_template_card).
    #
    # Every send takes `to:` (a userid, an Array of userids, `users:`/`parties:`/`tags:`, or
    # :all); send_text, send_markdown and send_textcard take `chat:` (a group chat's id, see
    # Chats) instead. App messages take these options: `safe:` (0, 1 or 2), `enable_id_trans:`,
    # `enable_duplicate_check:` (on by default, see the README), `duplicate_check_interval:`,
    # `agent_id:` (another app's agent id for this call). Sends return a Response (msgid,
    # invalid_users...). WeCom's limits are checked before any request: over-long text is
    # refused with the limit in the message, never cut.
    module Messages
      include Arguments::Keywords

      MESSAGE_OPTIONS = %i[safe enable_id_trans enable_duplicate_check duplicate_check_interval agent_id].freeze
      # What to: is for, in every send's "to: is missing" message.
      RECIPIENTS = "who gets it: a userid, an Array of userids, { users:, parties:, tags: } or :all"

      # to: people, or chat: a group chat's id (client/chats.rb; only safe: applies there).
      required_keywords :send_text, rest: MESSAGE_OPTIONS, content: "the message's text"
      def send_text(content: required(binding), to: nil, chat: nil, **options)
        deliver_to_people_or_chat("send_text", to, chat, "text", { content: content }, options)
      end

      required_keywords :send_markdown, rest: MESSAGE_OPTIONS, content: "the message's text, in WeCom's markdown"
      def send_markdown(content: required(binding), to: nil, chat: nil, **options)
        deliver_to_people_or_chat("send_markdown", to, chat, "markdown", { content: content }, options)
      end

      # A card with a link: the usual "you have an interview" notification.
      required_keywords :send_textcard, rest: MESSAGE_OPTIONS,
                                        title: "the card's title", description: "the card's text, under the title",
                                        url: "the page the card opens when tapped"
      def send_textcard(title: required(binding), description: required(binding), url: required(binding), to: nil,
                        chat: nil, btntxt: nil, **options)
        card = { title: title, description: description, url: url, btntxt: btntxt }.compact
        deliver_to_people_or_chat("send_textcard", to, chat, "textcard", card, options)
      end

      # articles: 1 to 8 Hashes with title:, url:, and optionally description:, picurl:.
      required_keywords :send_news, rest: MESSAGE_OPTIONS,
                                    to: RECIPIENTS, articles: "the articles: Hashes with title: and url: (description:, picurl:)"
      def send_news(to: required(binding), articles: required(binding), **options)
        deliver_message("send_news", to, "news", { articles: articles }, options)
      end

      # media_id: from upload_media(:image, ...).
      required_keywords :send_image, rest: MESSAGE_OPTIONS,
                                     to: RECIPIENTS, media_id: "the image's media_id, from upload_media(:image, ...)"
      def send_image(to: required(binding), media_id: required(binding), **options)
        deliver_message("send_image", to, "image", { media_id: media_id }, options)
      end

      required_keywords :send_voice, rest: MESSAGE_OPTIONS,
                                     to: RECIPIENTS, media_id: "the voice's media_id, from upload_media(:voice, ...)"
      def send_voice(to: required(binding), media_id: required(binding), **options)
        deliver_message("send_voice", to, "voice", { media_id: media_id }, options)
      end

      # A file (a CV): media_id from upload_media(:file, "cv.pdf").
      required_keywords :send_file, rest: MESSAGE_OPTIONS,
                                    to: RECIPIENTS, media_id: "the file's media_id, from upload_media(:file, ...)"
      def send_file(to: required(binding), media_id: required(binding), **options)
        deliver_message("send_file", to, "file", { media_id: media_id }, options)
      end

      required_keywords :send_video, rest: MESSAGE_OPTIONS,
                                     to: RECIPIENTS, media_id: "the video's media_id, from upload_media(:video, ...)"
      def send_video(to: required(binding), media_id: required(binding), title: nil, description: nil, **options)
        video = { media_id: media_id, title: title, description: description }.compact
        deliver_message("send_video", to, "video", video, options)
      end

      # articles: 1 to 8 Hashes with title:, thumb_media_id:, content: (HTML), and optionally
      # author:, content_source_url:, digest:. Or media_id: of stored mpnews.
      required_keywords :send_mpnews, rest: MESSAGE_OPTIONS, to: RECIPIENTS
      def send_mpnews(to: required(binding), articles: nil, media_id: nil, **options)
        mpnews = { articles: articles, media_id: media_id }.compact
        deliver_message("send_mpnews", to, "mpnews", mpnews, options)
      end

      # Only for apps bound to a mini program.
      required_keywords :send_miniprogram_notice, rest: MESSAGE_OPTIONS,
                                                  to: RECIPIENTS, appid: "the appid of the mini program the app is bound to",
                                                  title: "the notice's title"
      def send_miniprogram_notice(to: required(binding), appid: required(binding), title: required(binding), page: nil,
                                  description: nil, emphasis_first_item: nil, content_item: nil, **options)
        notice = { appid: appid, page: page, title: title, description: description,
                   emphasis_first_item: emphasis_first_item, content_item: content_item }.compact
        deliver_message("send_miniprogram_notice", to, "miniprogram_notice", notice, options)
      end

      # card: a Hash in WeCom's template_card shape, or a TemplateCard builder:
      #   client.send_template_card(to: "lilei", card: WechatWork::TemplateCard.button_interaction(
      #     task_id: "interview-42", title: "Interview with Han Meimei", description: "Today 15:00",
      #     buttons: [{ text: "Accept", key: "accept" }, { text: "Decline", key: "decline", style: 2 }]))
      # The Response's response_code updates the card later (update_template_card).
      required_keywords :send_template_card, rest: MESSAGE_OPTIONS,
                                             to: RECIPIENTS, card: "the card: a WechatWork::TemplateCard " \
                                                                   "(TemplateCard.button_interaction...) or a Hash in WeCom's template_card shape"
      def send_template_card(to: required(binding), card: required(binding), **options)
        deliver_message("send_template_card", to, "template_card", template_card_hash(card, "card"), options)
      end

      # Any msgtype. The content goes under the msgtype's key, or as the remaining keywords:
      #   send_message(to: "lilei", msgtype: "image", media_id: "MEDIA_ID")
      #   send_message(to: "lilei", msgtype: "text", text: { content: "hi" })
      required_keywords :send_message, rest: "the message's fields",
                                       to: RECIPIENTS, msgtype: "WeCom's message type: \"text\", \"image\", \"textcard\"..."
      def send_message(to: required(binding), msgtype: required(binding), **content)
        options = content.slice(*MESSAGE_OPTIONS)
        content = content.except(*MESSAGE_OPTIONS)
        type = Arguments.string!(msgtype, "msgtype")
        payload = content.size == 1 && content.key?(type.to_sym) ? content[type.to_sym] : content
        deliver_message("send_message", to, type, payload, options)
      end

      # The message/send body these keywords make (send_message's), checked by the core, without
      # sending it: what the outbox stores (WechatWork.deliver_later). => a Hash with String keys
      required_keywords :message_body, rest: "the message's fields",
                                       to: RECIPIENTS, msgtype: "WeCom's message type: \"text\", \"image\", \"textcard\"..."
      def message_body(to: required(binding), msgtype: required(binding), **content)
        options = content.slice(*MESSAGE_OPTIONS)
        content = content.except(*MESSAGE_OPTIONS)
        type = Arguments.string!(msgtype, "msgtype")
        payload = content.size == 1 && content.key?(type.to_sym) ? content[type.to_sym] : content
        json = Arguments.generate(build_message("message_body", to, type, payload, options))
        Native::Client._validate("message/send", json)
        JSON.parse(json)
      end

      # Sends a message/send body as it is (a stored one: byte for byte the same JSON, so a
      # repeat within the duplicate-check window is dropped by WeCom). => Response
      def deliver_body(body)
        raise ::ArgumentError, "body must be a message/send Hash, got #{body.class}" unless body.is_a?(Hash)

        deliver("message/send", body)
      end

      # Recalls a message sent within the last 24 hours (WeCom's window). msgid: a String or
      # the Response of the send.
      def recall(msgid)
        id = msgid.respond_to?(:msgid) ? msgid.msgid : msgid
        call("message/recall", msgid: Arguments.string!(id, "msgid"))
        true
      end

      # Changes a template card after someone answered it, with the response_code of the send
      # or of the click callback (each works once, for 72 hours):
      #   client.update_template_card(response_code: msg.response_code, to: msg.from_user_name,
      #                               replace_name: "Accepted")        # grey the buttons out
      #   client.update_template_card(response_code: code, to: :all, card: new_card)  # a new card
      # to: the recipients to update (userids, users:/parties:/tags:, or :all).
      required_keywords :update_template_card,
                        response_code: "the card's response_code, from the send's Response or the click callback",
                        to: "whose card changes: userids, { users:, parties:, tags: } or :all"
      def update_template_card(response_code: required(binding), to: required(binding), replace_name: nil, card: nil,
                               agent_id: self.agent_id)
        body = { response_code: Arguments.string!(response_code, "response_code"),
                 agentid: message_agent_id(agent_id) }
        body.merge!(card_recipients(to))
        if replace_name && card
          raise ::ArgumentError, "give replace_name: (new text on the buttons) or card: (a new card), not both"
        end
        raise ::ArgumentError, "replace_name: or card: is missing" unless replace_name || card

        body[:button] = { replace_name: Arguments.string!(replace_name, "replace_name") } if replace_name
        body[:template_card] = template_card_hash(card, "card") if card
        deliver("message/update_template_card", body)
      end

      private

      # Exactly one of to: (people: message/send) and chat: (a group chat: appchat/send). A
      # misspelt option is named before that.
      def deliver_to_people_or_chat(method, to, chat, msgtype, payload, options)
        if to.nil? == chat.nil?
          Arguments.only!(options, MESSAGE_OPTIONS, method) { signature_keywords(method) }
          raise ::ArgumentError, "#{method}: give to: (people) or chat: (a group chat's id), " \
                                 "#{to.nil? ? "neither was given" : "not both"}"
        end
        return deliver_to_chat(method, chat, msgtype, payload, options) unless chat.nil?

        deliver_message(method, to, msgtype, payload, options)
      end

      def deliver_message(method, to, msgtype, payload, options)
        deliver("message/send", build_message(method, to, msgtype, payload, options))
      end

      def build_message(method, to, msgtype, payload, options)
        Arguments.only!(options, MESSAGE_OPTIONS, method) { signature_keywords(method) }
        unless payload.is_a?(Hash)
          raise ::ArgumentError, "#{msgtype} content must be a Hash of its fields, got #{payload.class}"
        end

        body = Recipients.to_fields(to)
        body["msgtype"] = msgtype
        body["agentid"] = message_agent_id(options.fetch(:agent_id, agent_id))
        body[msgtype] = payload
        add_message_flags(body, options)
      end

      # The keywords of a public method's signature (for the "it takes ..." of a refusal).
      def signature_keywords(method) = Arguments.keywords_of(method(method.to_sym))

      def message_agent_id(value)
        if value.nil?
          raise ::ArgumentError, "agent_id is missing: pass agent_id: to the client (or WECHAT_WORK_AGENT_ID), or to this call"
        end

        Arguments.positive_integer!(value, "agent_id")
      end

      # WeCom's flags as the numbers it documents; the duplicate check is on unless turned off.
      def add_message_flags(flags, options)
        flags["safe"] = safe_level(options[:safe]) if options.key?(:safe) && !options[:safe].nil?
        flags["enable_id_trans"] = flag(options[:enable_id_trans], :enable_id_trans) if options.key?(:enable_id_trans)
        dedupe = flag(options.fetch(:enable_duplicate_check, true), :enable_duplicate_check)
        flags["enable_duplicate_check"] = dedupe
        if dedupe == 1
          interval = options[:duplicate_check_interval] || duplicate_check_interval
          flags["duplicate_check_interval"] = duplicate_interval(interval)
        end
        flags
      end

      def safe_level(value)
        level = value.is_a?(Integer) || value.is_a?(String) ? Integer(value, exception: false) : nil
        return level if [0, 1, 2].include?(level)

        raise ::ArgumentError, "safe: must be 0 (shareable), 1 (no sharing, watermark) or 2 (inside the corp, mpnews only), " \
                               "got #{value.inspect}"
      end

      def flag(value, name)
        case value
        when true, 1, "1" then 1
        when false, 0, "0", nil then 0
        else raise ::ArgumentError, "#{name}: must be true or false (or 1/0), got #{value.inspect}"
        end
      end

      def duplicate_interval(value)
        max = LIMITS.fetch(:max_duplicate_interval)
        return value if value.is_a?(Integer) && value.between?(1, max)

        raise ::ArgumentError, "duplicate_check_interval: must be 1 to #{max} seconds, got #{value.inspect}"
      end

      def template_card_hash(card, name)
        hash = card.respond_to?(:to_template_card) ? card.to_template_card : card
        raise ::ArgumentError, "#{name}: must be a Hash in WeCom's template_card shape or a TemplateCard, got #{card.class}" unless hash.is_a?(Hash)

        hash
      end

      # update_template_card's recipients: Arrays (userids/partyids/tagids) or atall.
      def card_recipients(to)
        return { atall: 1 } if to == :all || to == "@all"

        fields = Recipients.to_fields(to)
        {
          userids: fields["touser"]&.split("|"),
          partyids: fields["toparty"]&.split("|")&.map(&:to_i),
          tagids: fields["totag"]&.split("|")&.map(&:to_i)
        }.compact
      end
    end
  end
end
