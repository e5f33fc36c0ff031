# frozen_string_literal: true

module WechatWork
  # Stores that share access tokens between processes. Anything with
  # read(key) and write(key, value, expires_in:) works, Rails.cache included.
  module TokenStore
    # In-process store with expiry; useful in tests, and as an example of the interface.
    class Memory
      def initialize
        @data = {}
        @lock = Mutex.new
      end

      def read(key)
        @lock.synchronize do
          value, expires_at = @data[key]
          next value if value && (expires_at.nil? || expires_at > now)

          @data.delete(key)
          nil
        end
      end

      def write(key, value, expires_in: nil)
        @lock.synchronize { @data[key] = [value, expires_in && now + expires_in] }
        true
      end

      def delete(key)
        @lock.synchronize { !@data.delete(key).nil? }
      end

      def clear = @lock.synchronize { @data.clear }
      def keys = @lock.synchronize { @data.keys }

      private

      def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end

    # Wraps a redis-rb client (or a ConnectionPool of them):
    #   WechatWork.configure { |c| c.token_store = WechatWork::TokenStore::Redis.new(Redis.new) }
    class Redis
      def initialize(redis, namespace: nil)
        @redis = redis
        @namespace = namespace
      end

      def read(key) = with { |r| r.get(full(key)) }

      def write(key, value, expires_in: nil)
        with do |r|
          value.nil? ? r.del(full(key)) : r.set(full(key), value, ex: expires_in&.to_i&.clamp(1, nil))
        end
        true
      end

      def delete(key) = with { |r| r.del(full(key)) }.to_i.positive?

      private

      def full(key) = @namespace ? "#{@namespace}:#{key}" : key

      def with(&block)
        @redis.respond_to?(:with) ? @redis.with(&block) : yield(@redis)
      end
    end
  end
end
