# frozen_string_literal: true

require "json"
require "digest"

module WechatWork
  class Callback
    # A decrypted callback: a hash-like view with WeCom's own field names (msg["Content"],
    # msg["FromUserName"]) and snake_case readers (msg.content, msg.from_user_name). Typed
    # subclasses add readers with the right Ruby types (create_time is a Time, agent_id an Integer).
    # Any other field is readable by its snake_case name too (msg.new_user_id => "NewUserID").
    class Message
      include Enumerable

      class << self
        # Declares a reader: field :content; field :create_time, "CreateTime", :time
        def field(name, key = nil, type = :string)
          if key.is_a?(Symbol)
            type = key
            key = nil
          end
          key ||= name.to_s.split("_").map(&:capitalize).join
          define_method(name) { convert(self[key], type) }
        end

        # The class for these fields: Message::Text, Message::EnterAgent...
        def build(fields, xml: nil)
          klass = if fields["MsgType"].to_s == "event"
                    EVENT_CLASSES.fetch(fields["Event"].to_s.downcase, Event)
                  else
                    MESSAGE_CLASSES.fetch(fields["MsgType"].to_s, Message)
                  end
          klass.new(fields, xml: xml)
        end

        # "FromUserName" => "from_user_name", "AgentID" => "agent_id", "Location_X" => "location_x"
        def underscore(key)
          key.to_s.gsub(/([A-Z\d]+)([A-Z][a-z])/, '\1_\2').gsub(/([a-z\d])([A-Z])/, '\1_\2').tr("-", "_").downcase
        end
      end

      # The decrypted plaintext XML, as WeCom sent it.
      attr_reader :xml

      def initialize(fields, xml: nil)
        @fields = deep_freeze(fields.to_h { |k, v| [k.to_s, v] })
        @xml = xml&.dup&.freeze
        @names = @fields.keys.to_h { |k| [self.class.underscore(k), k] }.freeze
        freeze
      end

      field :to_user_name, "ToUserName"
      field :from_user_name, "FromUserName"
      field :create_time, "CreateTime", :time
      field :msg_type, "MsgType"
      field :msg_id, "MsgId"
      field :agent_id, "AgentID", :integer

      # msg["Content"], msg[:content], msg["content"]
      def [](key)
        key = key.to_s
        @fields.fetch(key) { @fields[@names[key]] }
      end

      def fetch(key, *default, &block)
        real = @fields.key?(key.to_s) ? key.to_s : @names.fetch(key.to_s, key.to_s)
        @fields.fetch(real, *default, &block)
      end

      def key?(key) = @fields.key?(key.to_s) || @names.key?(key.to_s)
      alias has_key? key?
      def dig(key, *rest) = self[key].then { |v| rest.empty? || v.nil? ? v : v.dig(*rest) }
      def each(&block) = @fields.each(&block)
      def keys = @fields.keys
      def to_h = @fields
      alias to_hash to_h

      def type = msg_type.to_s.to_sym
      def event? = msg_type == "event"
      def event = self["Event"]
      # The event's name lower-cased (WeCom sends "click" but "LOCATION"): nil for messages.
      def event_name = event&.downcase
      def event_key = self["EventKey"]

      %w[text image voice video location link file].each do |t|
        define_method(:"#{t}?") { msg_type == t }
      end

      # Retries of the same delivery share this key; two different deliveries do not. Messages:
      # the MsgId. Events (no MsgId): FromUserName + CreateTime + Event + a digest of every field,
      # so two different events from one user in the same second stay apart.
      def dedupe_key
        app = "#{self["ToUserName"]}:#{self["AgentID"]}"
        id = self["MsgId"].to_s
        return "msg:#{app}:#{id}" unless id.empty?

        digest = Digest::SHA256.hexdigest(JSON.generate(canonical(@fields)))[0, 32]
        "event:#{app}:#{self["FromUserName"]}:#{self["CreateTime"]}:#{event}:#{digest}"
      end

      # Replies bound to this message (to: its sender). Return one from a Router handler.
      def reply_text(content) = Reply.text(content).to(from_user_name)
      def reply_image(media_id) = Reply.image(media_id).to(from_user_name)
      def reply_voice(media_id) = Reply.voice(media_id).to(from_user_name)
      def reply_video(media_id, **opts) = Reply.video(media_id, **opts).to(from_user_name)
      def reply_news(articles) = Reply.news(articles).to(from_user_name)
      def update_button(replace_name) = Reply.update_button(replace_name).to(from_user_name)
      def update_template_card(card) = Reply.update_template_card(card).to(from_user_name)

      def ==(other) = other.is_a?(Message) && other.to_h == to_h
      alias eql? ==
      def hash = @fields.hash

      # No message content in inspect (logs): type, sender and ids only.
      def inspect
        parts = ["msg_type=#{msg_type.inspect}"]
        parts << "event=#{event.inspect}" if event
        parts << "from_user_name=#{from_user_name.inspect}" << "create_time=#{self["CreateTime"].inspect}"
        parts << "msg_id=#{msg_id.inspect}" if msg_id
        "#<#{self.class.name} #{parts.join(" ")}>"
      end

      def respond_to_missing?(name, include_private = false)
        @names.key?(name.to_s) || super
      end

      def method_missing(name, *args)
        return super unless args.empty? && @names.key?(name.to_s)

        @fields[@names[name.to_s]]
      end

      private

      def convert(value, type)
        return value if value.nil?

        case type
        when :string then value
        when :integer then Integer(value.to_s, 10, exception: false)
        when :float then Float(value.to_s, exception: false)
        when :time then Integer(value.to_s, 10, exception: false)&.then { |t| Time.at(t) }
        when :list then value.to_s.split(",").map(&:strip).reject(&:empty?)
        when :integer_list then value.to_s.split(",").filter_map { |v| Integer(v.strip, 10, exception: false) }
        else value
        end
      end

      # A nested element that appears once is a Hash, several times an Array: always an Array.
      def list(value)
        case value
        when nil, "" then []
        when Array then value
        else [value]
        end
      end

      def canonical(value)
        case value
        when Hash then value.keys.sort.map { |k| [k, canonical(value[k])] }
        when Array then value.map { |v| canonical(v) }
        else value
        end
      end

      def deep_freeze(value)
        case value
        when Hash then value.each_value { |v| deep_freeze(v) }.freeze
        when Array then value.each { |v| deep_freeze(v) }.freeze
        when String then value.frozen? ? value : value.freeze
        else value
        end
      end

      public

      # --- typed messages -------------------------------------------------------------------

      class Text < Message
        field :content
      end

      class Image < Message
        field :pic_url, "PicUrl"
        field :media_id, "MediaId"
      end

      class Voice < Message
        field :media_id, "MediaId"
        field :format
      end

      class Video < Message
        field :media_id, "MediaId"
        field :thumb_media_id, "ThumbMediaId"
      end

      class Location < Message
        field :location_x, "Location_X", :float
        field :location_y, "Location_Y", :float
        field :scale, :integer
        field :label
        def latitude = location_x
        def longitude = location_y
      end

      class Link < Message
        field :title
        field :description
        field :url
        field :pic_url, "PicUrl"
      end

      # --- events ---------------------------------------------------------------------------

      class Event < Message; end

      # Member added to the app's visible range / joined; removed / left / disabled.
      class Subscribe < Event; end
      class Unsubscribe < Event; end

      # Member opened the app.
      class EnterAgent < Event; end

      # Menu click: event_key is the menu key.
      class Click < Event; end

      # Menu link: event_key is the URL.
      class View < Event
        def url = event_key
      end

      # Reported location (LOCATION).
      class LocationEvent < Event
        field :latitude, :float
        field :longitude, :float
        field :precision, :float
      end

      # Contacts changed (FromUserName "sys"); see change_type.
      class ChangeContact < Event
        field :change_type, "ChangeType"
        field :user_id, "UserID"
        field :new_user_id, "NewUserID"
        field :name
        field :department, :integer_list
        field :is_leader_in_dept, "IsLeaderInDept", :integer_list
        field :position
        field :mobile
        field :gender, :integer
        field :email
        field :status, :integer
        field :avatar
        field :alias_name, "Alias"
        # Party events: Id, Name, ParentId; tag events: TagId, AddUserItems...
        field :id, "Id", :integer
        field :parent_id, "ParentId", :integer
        field :tag_id, "TagId", :integer

        def user? = change_type.to_s.end_with?("_user")
        def party? = change_type.to_s.end_with?("_party")
        def tag? = change_type.to_s.end_with?("_tag")
      end

      # An external contact (a candidate) changed for a member (FromUserName "sys"):
      # change_type add_external_contact / add_half_external_contact (they added the member;
      # state is the contact way's state:, welcome_code lets the app send a welcome message
      # within 20 seconds), edit_external_contact, del_external_contact (the member removed
      # them; source "DELETE_BY_TRANSFER" after a transfer), del_follow_user (they removed the
      # member), transfer_fail (fail_reason "customer_refused" / "customer_limit_exceed";
      # user_id is the member taking over), msg_audit_approved. Changes made through the API
      # send no callback.
      class ChangeExternalContact < Event
        field :change_type, "ChangeType"
        field :user_id, "UserID"
        field :external_user_id, "ExternalUserID"
        field :state
        field :welcome_code, "WelcomeCode"
        field :source
        field :fail_reason, "FailReason"

        # They added the member (fully, or half: the member has not accepted yet).
        def added? = %w[add_external_contact add_half_external_contact].include?(change_type)
        # The relationship ended, from either side.
        def removed? = %w[del_external_contact del_follow_user].include?(change_type)
      end

      # An asynchronous contacts job finished (BatchJob/JobId, JobType, ErrCode, ErrMsg).
      class BatchJobResult < Event
        def batch_job = self["BatchJob"].is_a?(Hash) ? self["BatchJob"] : {}
        def job_id = batch_job["JobId"]
        def job_type = batch_job["JobType"]
        def err_code = batch_job["ErrCode"] && Integer(batch_job["ErrCode"].to_s, 10, exception: false)
        def err_msg = batch_job["ErrMsg"]
        def success? = err_code.to_i.zero?
      end

      # A button or vote on an interactive template card was clicked.
      class TemplateCardEvent < Event
        field :task_id, "TaskId"
        field :card_type, "CardType"
        # Single use, valid 72 h: lets the app update the card for everyone (message/update_template_card).
        field :response_code, "ResponseCode"

        # [{ "question_key" => "...", "option_ids" => ["..."] }]
        def selected_items
          items = self["SelectedItems"].is_a?(Hash) ? list(self["SelectedItems"]["SelectedItem"]) : []
          items.filter_map do |item|
            next unless item.is_a?(Hash)

            ids = item["OptionIds"].is_a?(Hash) ? list(item["OptionIds"]["OptionId"]) : []
            { "question_key" => item["QuestionKey"], "option_ids" => ids }
          end
        end
      end

      # An approval (审批) changed state.
      class SysApprovalChange < Event
        def approval_info = self["ApprovalInfo"].is_a?(Hash) ? self["ApprovalInfo"] : {}
        def sp_no = approval_info["SpNo"]
        def sp_name = approval_info["SpName"]
        def sp_status = approval_info["SpStatus"] && Integer(approval_info["SpStatus"].to_s, 10, exception: false)
        def template_id = approval_info["TemplateId"]
        def apply_time = approval_info["ApplyTime"]&.then { |t| Integer(t.to_s, 10, exception: false) }&.then { Time.at(_1) }
        def applicant = approval_info["Applyer"].is_a?(Hash) ? approval_info["Applyer"]["UserId"] : nil
        def status_change_event = approval_info["StatuChangeEvent"]&.then { Integer(_1.to_s, 10, exception: false) }
      end

      MESSAGE_CLASSES = {
        "text" => Text, "image" => Image, "voice" => Voice, "video" => Video, "location" => Location, "link" => Link
      }.freeze

      EVENT_CLASSES = {
        "subscribe" => Subscribe, "unsubscribe" => Unsubscribe, "enter_agent" => EnterAgent, "click" => Click,
        "view" => View, "location" => LocationEvent, "change_contact" => ChangeContact,
        "change_external_contact" => ChangeExternalContact,
        "batch_job_result" => BatchJobResult, "template_card_event" => TemplateCardEvent,
        "sys_approval_change" => SysApprovalChange
      }.freeze
    end
  end
end
