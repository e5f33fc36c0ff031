# frozen_string_literal: true

module WechatWork
  # Builders for WeCom's five template cards (模板卡片), with Ruby keywords instead of WeCom's
  # nested shape. The card is checked by the core (required parts per type, task_id rules,
  # text limits) when it is sent; `#to_template_card` is the Hash WeCom takes.
  #
  #   card = WechatWork::TemplateCard.button_interaction(
  #     task_id: "interview-42", title: "Interview with Han Meimei",
  #     description: "Backend Engineer, today 15:00",
  #     fields: { "Room" => "4", "Candidate" => "Han Meimei" },
  #     buttons: [{ text: "Accept", key: "accept" }, { text: "Decline", key: "decline", style: 2 }])
  #   client.send_template_card(to: "lilei", card: card)
  #
  # Clicks arrive as template_card_event callbacks (Callback::Message::TemplateCardEvent) with
  # the task_id, the button's key and a response_code for update_template_card.
  class TemplateCard
    BUTTON_STYLES = (1..4).freeze
    # What the builders' shared required keywords are for.
    CARD_ACTION = "the page the card opens when tapped (its card_action)"
    TASK_ID = "your id for the card, sent back with every answer and needed to update it"

    class << self
      include Arguments::Keywords

      # A notice with a link (the whole card opens `url`).
      required_keywords :text_notice, title: "the card's main title", url: CARD_ACTION
      def text_notice(title: required(binding), url: required(binding), description: nil, task_id: nil, source: nil,
                      emphasis: nil, sub_title: nil, fields: nil, jumps: nil)
        card = base("text_notice", title: title, description: description, task_id: task_id, source: source,
                                   sub_title: sub_title, fields: fields, jumps: jumps)
        card["emphasis_content"] = Arguments.json_ready(emphasis, "emphasis") if emphasis
        card["card_action"] = { "type" => 1, "url" => Arguments.string!(url, "url") }
        new(card)
      end

      # A notice with a picture.
      required_keywords :news_notice, title: "the card's main title", image_url: "the picture's URL (its card_image)",
                                      url: CARD_ACTION
      def news_notice(title: required(binding), image_url: required(binding), url: required(binding), description: nil,
                      aspect_ratio: nil, task_id: nil, source: nil, fields: nil, jumps: nil)
        card = base("news_notice", title: title, description: description, task_id: task_id, source: source,
                                   sub_title: nil, fields: fields, jumps: jumps)
        card["card_image"] = { "url" => Arguments.string!(image_url, "image_url"), "aspect_ratio" => aspect_ratio }.compact
        card["card_action"] = { "type" => 1, "url" => Arguments.string!(url, "url") }
        new(card)
      end

      # Up to 6 buttons; each click calls back with its key. buttons: [{ text:, key:, style: 1..4 }]
      required_keywords :button_interaction, task_id: TASK_ID, title: "the card's main title",
                                             buttons: "the buttons: [{ text:, key: }], each click calls back with its key"
      def button_interaction(task_id: required(binding), title: required(binding), buttons: required(binding),
                             description: nil, source: nil, sub_title: nil, fields: nil, replace_text: nil)
        card = base("button_interaction", title: title, description: description, task_id: task_id, source: source,
                                          sub_title: sub_title, fields: fields, jumps: nil)
        card["button_list"] = Array(buttons).each_with_index.map { |b, i| button(b, "buttons[#{i}]") }
        card["replace_text"] = Arguments.string!(replace_text, "replace_text") if replace_text
        new(card)
      end

      # A question with options (one or several answers) and a submit button.
      # options: [{ id:, text:, checked: false }] or { "id" => "text" }
      required_keywords :vote_interaction, task_id: TASK_ID, title: "the card's main title (the question)",
                                           question_key: "the key the answers come back under, in the callback",
                                           options: "the choices: [{ id:, text: }] or { id => text }"
      def vote_interaction(task_id: required(binding), title: required(binding), question_key: required(binding),
                           options: required(binding), multiple: false, submit: "Submit", submit_key: "submit",
                           description: nil, source: nil, replace_text: nil)
        card = base("vote_interaction", title: title, description: description, task_id: task_id, source: source,
                                        sub_title: nil, fields: nil, jumps: nil)
        card["checkbox"] = { "question_key" => Arguments.string!(question_key, "question_key"),
                             "mode" => multiple ? 1 : 0, "option_list" => option_list(options, "options") }
        card["submit_button"] = { "text" => Arguments.string!(submit, "submit"), "key" => Arguments.string!(submit_key, "submit_key") }
        card["replace_text"] = Arguments.string!(replace_text, "replace_text") if replace_text
        new(card)
      end

      # Up to 3 drop-downs and a submit button. selects: [{ key:, title:, options: }]
      required_keywords :multiple_interaction, task_id: TASK_ID, title: "the card's main title",
                                               selects: "the drop-downs: [{ key:, title:, options: }]"
      def multiple_interaction(task_id: required(binding), title: required(binding), selects: required(binding),
                               submit: "Submit", submit_key: "submit", description: nil, source: nil, replace_text: nil)
        card = base("multiple_interaction", title: title, description: description, task_id: task_id, source: source,
                                            sub_title: nil, fields: nil, jumps: nil)
        card["select_list"] = Array(selects).each_with_index.map do |s, i|
          Arguments.only!(s, %i[key title options selected], "selects[#{i}]")
          { "question_key" => Arguments.string!(s[:key], "selects[#{i}].key"),
            "title" => Arguments.optional_string!(s[:title], "selects[#{i}].title"),
            "selected_id" => s[:selected]&.to_s,
            "option_list" => option_list(s[:options], "selects[#{i}].options").map { |o| o.except("is_checked") } }.compact
        end
        card["submit_button"] = { "text" => Arguments.string!(submit, "submit"), "key" => Arguments.string!(submit_key, "submit_key") }
        card["replace_text"] = Arguments.string!(replace_text, "replace_text") if replace_text
        new(card)
      end

      private

      def base(type, title:, description:, task_id:, source:, sub_title:, fields:, jumps:)
        card = { "card_type" => type,
                 "main_title" => { "title" => Arguments.string!(title, "title"),
                                   "desc" => Arguments.optional_string!(description, "description") }.compact }
        card["task_id"] = Arguments.string!(task_id, "task_id") if task_id
        card["source"] = source.is_a?(Hash) ? Arguments.json_ready(source, "source") : { "desc" => Arguments.string!(source, "source") } if source
        card["sub_title_text"] = Arguments.string!(sub_title, "sub_title") if sub_title
        card["horizontal_content_list"] = horizontal(fields) if fields
        card["jump_list"] = Array(jumps).map { |j| Arguments.json_ready(j, "jumps") } if jumps
        card
      end

      # { "Room" => "4" } or [{ keyname:, value:, url: }] → WeCom's horizontal_content_list.
      def horizontal(fields)
        list = fields.is_a?(Hash) ? fields.map { |k, v| { keyname: k.to_s, value: v.to_s } } : Array(fields)
        list.each_with_index.map do |f, i|
          item = Arguments.json_ready(f, "fields[#{i}]")
          item["type"] = 1 if item["url"] && !item.key?("type")
          item
        end
      end

      def button(spec, name)
        raise ::ArgumentError, "#{name} must be a Hash with text: and key:, got #{spec.inspect}" unless spec.is_a?(Hash)

        Arguments.only!(spec, %i[text key style url type], name)
        style = spec[:style]
        if style && !BUTTON_STYLES.cover?(style)
          raise ::ArgumentError, "#{name}.style must be 1 to 4 (WeCom's button colours), got #{style.inspect}"
        end

        out = { "text" => Arguments.string!(spec[:text], "#{name}.text"), "style" => style }
        if spec[:url]
          out.merge!("type" => 1, "url" => Arguments.string!(spec[:url], "#{name}.url"))
        else
          out["key"] = Arguments.string!(spec[:key], "#{name}.key")
        end
        out.compact
      end

      def option_list(options, name)
        list = options.is_a?(Hash) ? options.map { |id, text| { id: id, text: text } } : Array(options)
        list.each_with_index.map do |o, i|
          raise ::ArgumentError, "#{name}[#{i}] must be a Hash with id: and text:, got #{o.inspect}" unless o.is_a?(Hash)

          { "id" => Arguments.string!(o[:id]&.to_s, "#{name}[#{i}].id"), "text" => Arguments.string!(o[:text], "#{name}[#{i}].text"),
            "is_checked" => o[:checked] ? true : nil }.compact
        end
      end
    end

    def initialize(card)
      @card = card.freeze
    end

    # The Hash WeCom takes as template_card.
    def to_template_card = @card
    alias to_h to_template_card

    def card_type = @card["card_type"]
    def task_id = @card["task_id"]

    def ==(other) = other.is_a?(TemplateCard) && other.to_h == to_h
    def inspect = "#<#{self.class.name} #{card_type} task_id=#{task_id.inspect}>"
  end
end
