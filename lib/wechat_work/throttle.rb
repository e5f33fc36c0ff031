# frozen_string_literal: true

module WechatWork
  # Holds back deliveries that would exceed WeCom's per-member limits: each app may send a
  # member at most 30 messages a minute and 1000 an hour, and WeCom silently drops the excess
  # (no error). Counters live in Redis, shared by every process; a delivery reserves a slot
  # for each of its users atomically (a Lua script), or is told how long to wait.
  #
  #   WechatWork::Throttle.current = WechatWork::Throttle.new(Redis.new(url: ENV["REDIS_URL"]))
  #   # (with Sidekiq loaded and no throttle set, Sidekiq's Redis is used)
  #
  # Departments, tags and @all cannot be counted per member: such deliveries are not held back.
  class Throttle
    PER_MINUTE = 30
    PER_HOUR = 1000

    # KEYS: per user, minute key then hour key. ARGV: per-minute limit, per-hour limit, minute
    # ttl, hour ttl. Returns 0 when reserved, else the window (60 or 3600) that is full.
    SCRIPT = <<~LUA
      local per_minute, per_hour = tonumber(ARGV[1]), tonumber(ARGV[2])
      for i = 1, #KEYS, 2 do
        if tonumber(redis.call('GET', KEYS[i]) or '0') >= per_minute then return 60 end
        if tonumber(redis.call('GET', KEYS[i + 1]) or '0') >= per_hour then return 3600 end
      end
      for i = 1, #KEYS, 2 do
        redis.call('INCR', KEYS[i]); redis.call('EXPIRE', KEYS[i], tonumber(ARGV[3]))
        redis.call('INCR', KEYS[i + 1]); redis.call('EXPIRE', KEYS[i + 1], tonumber(ARGV[4]))
      end
      return 0
    LUA

    class << self
      attr_writer :current

      # The throttle the outbox uses: the one set, else one on Sidekiq's Redis, else none.
      def current
        return @current if defined?(@current) && !@current.nil?
        return nil unless defined?(::Sidekiq) && ::Sidekiq.respond_to?(:redis)

        @current = new(SidekiqRedis.new)
      end
    end

    # Sidekiq's connection pool as a Redis-like object.
    class SidekiqRedis
      def with(&block) = ::Sidekiq.redis(&block)
    end

    def initialize(redis, per_minute: PER_MINUTE, per_hour: PER_HOUR, namespace: "wechat_work:throttle")
      @redis = redis
      @per_minute = per_minute
      @per_hour = per_hour
      @namespace = namespace
    end

    # Reserves one message for each of the delivery's users. => nil when reserved, else the
    # seconds to wait before trying again (the rest of the full window).
    def reserve(delivery, now: Time.now)
      users = delivery.users.reject { |u| u == "@all" }.map(&:downcase).uniq
      return nil if users.empty?

      minute = now.to_i / 60
      hour = now.to_i / 3600
      keys = users.flat_map { |u| ["#{@namespace}:#{delivery.app}:#{u}:m#{minute}", "#{@namespace}:#{delivery.app}:#{u}:h#{hour}"] }
      full = with { |r| r.eval(SCRIPT, keys: keys, argv: [@per_minute, @per_hour, 120, 7200]) }.to_i
      return nil if full.zero?

      full == 60 ? 60 - (now.to_i % 60) : 3600 - (now.to_i % 3600)
    rescue StandardError => e
      # Redis down: sending beats holding everything back.
      WechatWork.warn("throttle unavailable (#{e.class}: #{e.message}); sending without it")
      nil
    end

    private

    def with(&block)
      @redis.respond_to?(:with) ? @redis.with(&block) : yield(@redis)
    end
  end
end
