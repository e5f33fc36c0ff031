# frozen_string_literal: true

require "json"

module WechatWork
  class Callback
    # A passive reply (被动回复): the answer to a callback, encrypted by Callback#encrypt_reply.
    # Build one with Reply.text etc., or from a message (msg.reply_text "..."), or inside a
    # Router handler (reply_text "..."). Only some callbacks accept a reply (messages,
    # enter_agent, click, template_card_event...); for the rest answer nothing.
    class Reply
      MAX_ARTICLES = 8
      HEAD = %w[ToUserName FromUserName CreateTime MsgType].freeze

      attr_reader :msg_type, :fields, :to_user

      def self.text(content)
        new("text", "Content" => content.to_s)
      end

      def self.image(media_id)
        new("image", "Image" => { "MediaId" => media_id.to_s })
      end

      def self.voice(media_id)
        new("voice", "Voice" => { "MediaId" => media_id.to_s })
      end

      def self.video(media_id, title: nil, description: nil)
        video = { "MediaId" => media_id.to_s, "Title" => title, "Description" => description }.compact
        new("video", "Video" => video)
      end

      # articles: [{ title:, description:, url:, pic_url: }], 1 to 8.
      def self.news(articles)
        articles = Array(articles)
        if articles.empty? || articles.size > MAX_ARTICLES
          raise ArgumentError, "a news reply holds 1 to #{MAX_ARTICLES} articles, got #{articles.size}"
        end

        items = articles.map do |a|
          a = a.to_h.transform_keys(&:to_s)
          { "Title" => a["title"] || a["Title"], "Description" => a["description"] || a["Description"],
            "Url" => a["url"] || a["Url"], "PicUrl" => a["pic_url"] || a["PicUrl"] }.compact
        end
        new("news", "ArticleCount" => items.size, "Articles" => { "item" => items })
      end

      # Template card click: replace the clicked button's text, for the clicking member only.
      def self.update_button(replace_name)
        new("update_button", "Button" => { "ReplaceName" => replace_name.to_s })
      end

      # Template card click: replace the whole card for the clicking member. card: WeCom's
      # XML fields (CardType, MainTitle: { Title:, Desc: }, ...); snake_case keys are camelized.
      def self.update_template_card(card)
        new("update_template_card", "TemplateCard" => camelize(card))
      end

      def self.camelize(value)
        case value
        when Hash
          value.to_h do |k, v|
            key = k.is_a?(Symbol) ? k.to_s.split("_").map(&:capitalize).join : k.to_s
            [key, camelize(v)]
          end
        when Array then value.map { |v| camelize(v) }
        else value
        end
      end

      def initialize(msg_type, fields = {})
        @msg_type = msg_type.to_s
        @fields = fields
        @to_user = nil
      end

      # Addresses the reply to a member (the message's FromUserName). Returns self.
      def to(user_id)
        @to_user = user_id&.to_s
        self
      end

      # The plaintext reply XML. from_user is the corp id.
      def to_xml(to_user: nil, from_user: nil, create_time: Time.now.to_i)
        head = {
          "ToUserName" => (to_user || @to_user).to_s, "FromUserName" => from_user.to_s,
          "CreateTime" => create_time.to_i, "MsgType" => @msg_type
        }
        Native::Callback.build_xml(JSON.generate(head.merge(@fields)), HEAD)
      end

      def ==(other) = other.is_a?(Reply) && other.msg_type == msg_type && other.fields == fields
      def inspect = "#<#{self.class.name} msg_type=#{@msg_type.inspect}>"
    end
  end
end
