# frozen_string_literal: true

module WechatWork
  module Testing
    # What a block did, for the matchers and the assertions: the messages it sent (the
    # WechatWork::Testing.deliveries it added) and the deliveries it enqueued (the outbox rows
    # it wrote with WechatWork.deliver_later, as Testing::Delivery). Both are looked at, so a
    # failure can say "nothing was sent, but it enqueued one" and the other way round.
    class Capture
      attr_reader :sent, :enqueued

      # outbox: :required (the enqueue matchers: no outbox is an error) or :if_present
      # (enqueued is nil when the app has no outbox table).
      def self.of(outbox: :if_present)
        last_row = outbox == :required || outbox_present? ? last_outbox_id : nil
        before = Testing.deliveries.size
        yield
        new(sent: Testing.deliveries.drop(before), enqueued: last_row && rows_after(last_row))
      end

      def initialize(sent:, enqueued:)
        @sent = sent
        @enqueued = enqueued
      end

      class << self
        private

        # WechatWork::Delivery autoloads wherever Active Record is; only an app that made the
        # table has an outbox to look in.
        def outbox_present?
          active_record? && ::WechatWork::Delivery.table_exists?
        rescue StandardError => e
          raise unless e.is_a?(::ActiveRecord::ActiveRecordError)

          false
        end

        def active_record? = defined?(::ActiveRecord::Base) ? true : false

        def last_outbox_id
          unless active_record?
            raise ConfigurationError, "matching enqueued deliveries needs the outbox (WechatWork::Delivery, loaded with " \
                                      "ActiveRecord in a Rails app, and the table of `rails g wechat_work:install`)"
          end

          ::WechatWork::Delivery.maximum(:id) || 0
        end

        def rows_after(last)
          ::WechatWork::Delivery.where("id > ?", last).order(:id).map do |row|
            Delivery.new(app: row.app.to_sym, endpoint: "message/send", body: row.body, response: nil)
          end
        end
      end
    end
  end
end
