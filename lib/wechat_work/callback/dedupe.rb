# frozen_string_literal: true

module WechatWork
  class Callback
    # Recognises WeCom's retries of a delivery (same MsgId; for events same FromUserName,
    # CreateTime, Event and fields) so a handler runs once. WeCom retries a callback that got no
    # 200 within 5 s, 3 times. The reply of the first attempt is kept for the retries.
    #
    # The store: anything with Rails.cache's `read(key)` and `write(key, value, expires_in:)`.
    # Across processes (Puma cluster, several hosts) use a shared one: Rails.cache backed by
    # Redis or Memcached claims atomically with `write(..., unless_exist: true)`, which is used
    # when the store is an ActiveSupport::Cache::Store or when atomic: true. Otherwise
    # read-then-write (a retry racing the first attempt within microseconds could slip through).
    class Dedupe
      DEFAULT_TTL = 300
      PROCESSING = "processing"
      DONE = "done"
      REPLY = "reply:"

      attr_reader :store, :ttl

      def initialize(store = MemoryStore.new, ttl: DEFAULT_TTL, atomic: nil, namespace: "wechat_work:callback:")
        unless store.respond_to?(:read) && store.respond_to?(:write)
          raise ConfigurationError, "a dedupe store must respond to read and write (Rails.cache does), got #{store.class}"
        end

        Stores.warn_unshared(store, "the callback dedupe store",
                             "WeCom's retries can run a handler again (a retry can reach another process)",
                             fix: "give the router a shared cache (settings dedupe: -> { Rails.cache } with " \
                                  "config.cache_store = :redis_cache_store, or any store with read/write)")
        # A NullStore remembers nothing: this process's memory at least catches the retries it gets.
        store = MemoryStore.new if defined?(::ActiveSupport::Cache::NullStore) && store.is_a?(::ActiveSupport::Cache::NullStore)
        @store = store
        @ttl = ttl
        @namespace = namespace
        @atomic = atomic.nil? ? self.class.atomic_store?(store) : atomic
      end

      def self.atomic_store?(store)
        store.is_a?(MemoryStore) ||
          (defined?(::ActiveSupport::Cache::Store) && store.is_a?(::ActiveSupport::Cache::Store))
      end

      def atomic? = @atomic

      # true for the first delivery of key, false for a retry within the window.
      def claim(key)
        k = @namespace + key
        if @atomic
          @store.write(k, PROCESSING, expires_in: @ttl, unless_exist: true) ? true : false
        else
          return false if @store.read(k)

          @store.write(k, PROCESSING, expires_in: @ttl)
          true
        end
      end

      # Remembers the handled delivery (and its plaintext reply, if any) for the retries.
      def finish(key, reply_xml)
        @store.write(@namespace + key, reply_xml ? REPLY + reply_xml : DONE, expires_in: @ttl)
      end

      # The plaintext reply an earlier attempt answered, if it finished with one.
      def reply_for(key)
        value = @store.read(@namespace + key)
        value.is_a?(String) && value.start_with?(REPLY) ? value.delete_prefix(REPLY) : nil
      end

      # Forgets a claim (the handler failed: let WeCom's retry run it again).
      def release(key)
        @store.delete(@namespace + key) if @store.respond_to?(:delete)
      end

      # Bounded, expiring, thread-safe, per process. The default store.
      class MemoryStore
        DEFAULT_MAX_SIZE = 10_000

        def initialize(max_size: DEFAULT_MAX_SIZE, clock: -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) })
          @max_size = max_size
          @clock = clock
          @entries = {}
          @lock = Mutex.new
        end

        def read(key)
          @lock.synchronize { live(key)&.first }
        end

        def write(key, value, expires_in: nil, unless_exist: false)
          @lock.synchronize do
            return false if unless_exist && live(key)

            @entries.delete(key)
            @entries[key] = [value, expires_in ? @clock.call + expires_in : nil]
            evict
            true
          end
        end

        def delete(key)
          @lock.synchronize { !@entries.delete(key).nil? }
        end

        def size
          @lock.synchronize { @entries.size }
        end

        def clear
          @lock.synchronize { @entries.clear }
        end

        private

        def live(key)
          entry = @entries[key]
          return nil unless entry
          return entry if entry[1].nil? || entry[1] > @clock.call

          @entries.delete(key)
          nil
        end

        # Oldest first (insertion order): drop expired ones, then the oldest past max_size.
        def evict
          return if @entries.size <= @max_size

          now = @clock.call
          @entries.delete_if { |_, (_, at)| at && at <= now }
          @entries.shift while @entries.size > @max_size
        end
      end
    end
  end
end
