# frozen_string_literal: true

require "securerandom"
require "digest"
require "openssl"

module WechatWork
  # The OAuth `state` of a sign-in, as CSRF protection: WeCom hands it back with the code, and
  # only the session that started the sign-in may finish it.
  #
  # Each state is random (SecureRandom, 32 letters and digits: WeCom takes [a-zA-Z0-9], at most
  # 128 bytes), stored in the session that asked for it (as a truncated SHA-256 digest), single-use,
  # valid for `ttl` seconds (10 minutes: WeCom's codes live 5), and compared in constant time.
  # A few may be pending at once (a member signing in from two tabs).
  #
  #   state = WechatWork::OAuthState.new(session).generate(return_to: "/interviews/42")
  #   redirect_to client.oauth_authorize_url(redirect_uri: callback_url, state: state)
  #   # back at the callback:
  #   entry = WechatWork::OAuthState.new(session).verify!(params[:state])
  #   entry.return_to   # => "/interviews/42"
  #
  # verify! raises OAuthState::Invalid with a reason: :missing, :forged (not this session's),
  # :replayed (already used) or :expired.
  class OAuthState
    SESSION_KEY = "wechat_work.oauth_states"
    DEFAULT_TTL = 600
    LENGTH = 32
    # WeCom's rule, and ours (exactly LENGTH): what a returning sign-in looks like.
    FORMAT = /\A[a-zA-Z0-9]{#{LENGTH}}\z/
    # Pending states kept per session; older ones are dropped first.
    MAX_PENDING = 5
    # Used states remembered (until they expire) to tell a replay from a forgery.
    MAX_USED = 3

    # A state that does not finish a sign-in. reason: :missing, :forged, :replayed, :expired.
    class Invalid < Error
      attr_reader :reason

      def initialize(reason, message)
        @reason = reason
        super(message)
      end
    end

    # A verified state: where the member was going.
    Entry = Struct.new(:return_to, :created_at, keyword_init: true)

    attr_reader :ttl

    # session: the Rack or Rails session (anything with [] and []=). ttl: seconds.
    def initialize(session, ttl: DEFAULT_TTL)
      raise ::ArgumentError, "session must respond to [] and []= (the Rack or Rails session), got #{session.class}" unless
        session.respond_to?(:[]) && session.respond_to?(:[]=)

      @session = session
      @ttl = Arguments.seconds!(ttl, "ttl")
    end

    # A new state for this session. return_to: where to go once signed in (a path).
    def generate(return_to: nil)
      value = SecureRandom.alphanumeric(LENGTH)
      now = Time.now.to_i
      pending = entries(now).reject { |e| e["used"] }
      used = entries(now).select { |e| e["used"] }
      pending = pending.last(MAX_PENDING - 1)
      fresh = { "digest" => self.class.digest(value), "expires_at" => now + ttl, "created_at" => now }
      fresh["return_to"] = return_to.to_s if return_to
      store(pending + used + [fresh])
      value
    end

    # The entry of `value` if this session generated it, it is unused and it has not expired;
    # it is then used up. Raises Invalid otherwise.
    def verify!(value)
      raise Invalid.new(:missing, "no state came back with the sign-in") if value.nil? || value.to_s.empty?

      digest = self.class.digest(value.to_s)
      now = Time.now.to_i
      all = stored
      # Every entry is compared (constant time each), so timing tells nothing about which matched.
      match = all.select { |e| e.is_a?(Hash) && self.class.same?(e["digest"].to_s, digest) }.last
      raise Invalid.new(:forged, "the state was not issued to this session (forged, or the session was lost)") unless match
      raise Invalid.new(:replayed, "the state was already used (a replayed sign-in)") if match["used"]
      if match["expires_at"].to_i <= now
        store(all - [match])
        raise Invalid.new(:expired, "the sign-in took longer than #{ttl} seconds")
      end

      store((all - [match]) + [match.merge("used" => true)])
      Entry.new(return_to: match["return_to"], created_at: match["created_at"])
    end

    # Whether text looks like a state this class makes (a returning sign-in, not a page's own
    # "state" parameter).
    def self.format?(value) = value.is_a?(String) && value.match?(FORMAT)

    # 128 bits of SHA-256: all a session (often a 4 KB cookie) needs to recognise a state.
    def self.digest(value) = Digest::SHA256.hexdigest(value)[0, 32]

    # Constant-time comparison of two digests.
    def self.same?(a, b)
      return false unless a.bytesize == b.bytesize

      OpenSSL.fixed_length_secure_compare(a, b)
    end

    private

    def stored
      list = @session[SESSION_KEY]
      list.is_a?(Array) ? list.select { |e| e.is_a?(Hash) } : []
    end

    # Unexpired entries (expired used ones are forgotten, expired pending ones kept until
    # verify! reports them), bounded.
    def entries(now)
      list = stored.reject { |e| e["used"] && e["expires_at"].to_i <= now }
      used = list.select { |e| e["used"] }.last(MAX_USED)
      pending = list.reject { |e| e["used"] }
      pending + used
    end

    # A new Array each time: session stores notice assignment, not mutation.
    def store(list)
      @session[SESSION_KEY] = list.map(&:dup)
    end
  end
end
