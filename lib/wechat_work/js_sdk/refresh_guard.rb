# frozen_string_literal: true

module WechatWork
  module JsSdk
    # Whether a ticket refresh a page asked for (refresh: of Client#js_sdk_config and
    # #agent_config) is honoured. Anyone can ask (every page shows its ticket's fingerprint),
    # and each honoured refresh is a fetch in WeCom's quota, 100 an hour per app and 400 per
    # corp (docs/wecom/signin-and-jssdk.md#js-sdk-tickets), past which no page gets a ticket.
    # So a refresh is honoured only
    #
    # * for a ticket at least min_age seconds old (a younger one is almost surely valid: the
    #   page's signature is what is wrong, and a new ticket would not fix it), and
    # * at most once every interval seconds per kind of ticket, corp and app (the ticket's
    #   cache key), recorded in this process and in the token store, when there is one, so
    #   every process sharing it counts the same refreshes.
    #
    # Processes that read the store at the same instant may each honour one (the store has
    # no compare-and-set); a handful, not a quota. 0 turns a limit off.
    class RefreshGuard
      @lock = Mutex.new
      # The last refresh honoured in this process, per record key (Unix seconds).
      @honoured = {}

      class << self
        # Refreshes honoured by one process at a time, so threads do not race on the record.
        def synchronize(&) = @lock.synchronize(&)

        def honoured = @honoured

        # Forgets this process's records (tests: what another process knows).
        def reset! = synchronize { @honoured.clear }
      end

      attr_reader :min_age, :interval

      def initialize(min_age:, interval:, store: nil)
        @min_age = min_age
        @interval = interval
        @store = store
      end

      # key: the ticket's cache key; fetched_at: when the ticket was fetched (Unix seconds, nil
      # when unknown: an entry an older version wrote, taken as old enough).
      def allow?(key, fetched_at, now: Time.now.to_f)
        return false if fetched_at && now - fetched_at < min_age
        return true if interval.zero?

        record = "#{key}:refreshed_at"
        self.class.synchronize do
          next false if recent?(self.class.honoured[record], now) || recent?(read(record), now)

          self.class.honoured[record] = now
          write(record, now)
          true
        end
      end

      private

      def recent?(at, now) = !at.nil? && now - at < interval

      def read(record)
        value = @store&.read(record)
        value.nil? ? nil : Float(value, exception: false)
      rescue StandardError
        nil
      end

      def write(record, now)
        @store&.write(record, now.to_s, expires_in: interval.ceil)
      rescue StandardError
        nil
      end
    end
  end
end
