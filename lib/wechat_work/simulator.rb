# frozen_string_literal: true

require "json"
require "securerandom"

module WechatWork
  # A local WeCom stand-in: a real HTTP server on a loopback port that answers gettoken,
  # message/send and user/get the way WeCom does (HTTP 200 + JSON, WeCom's errcodes and errmsg
  # shape), records what was delivered, and misbehaves on demand.
  #
  #   WechatWork::Simulator.run do |sim|
  #     client = WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret,
  #                                     agent_id: sim.agent_id, base_url: sim.base_url)
  #     client.send_text(to: "zhangsan", content: "hi")
  #     sim.messages.last["text"]["content"] # => "hi"
  #   end
  #
  # The server runs on its own native threads; it needs no Ruby thread and keeps working while
  # Ruby threads wait on it. Stopped by #stop, by .run's block ending, or when garbage collected.
  class Simulator
    FAULTS = %i[latency errcode http_status deliver_then_fail silent rate_limit reset].freeze
    # Options each fault takes (beyond path: and times:).
    FAULT_OPTIONS = {
      latency: %i[seconds], errcode: %i[errcode], http_status: %i[status],
      deliver_then_fail: %i[status], silent: [], rate_limit: [], reset: []
    }.freeze
    DEFAULT_CORP_ID = "wwsimulator000001"
    DEFAULT_AGENT_ID = 1_000_002

    class << self
      # Starts a simulator. users:/departments:/tags: nil means lenient (every well-formed id
      # exists); an Array means strict (only those exist). Users are userid Strings or Hashes
      # ({userid:, name:, department: [1], ...any user/get field}); departments are ids or
      # {id:, name:, parentid:}; tags are ids or {tagid:, tagname:}.
      # Raises WechatWork::ConfigurationError when the port cannot be bound.
      def start(port: 0, host: "127.0.0.1", corp_id: DEFAULT_CORP_ID, secret: nil, agent_id: DEFAULT_AGENT_ID,
                users: nil, departments: nil, tags: nil, token_ttl: 7200)
        new(port: port, host: host, corp_id: corp_id, secret: secret, agent_id: agent_id,
            users: users, departments: departments, tags: tags, token_ttl: token_ttl)
      end

      # Starts a simulator, yields it, always stops it. Returns the block's value.
      def run(**options)
        sim = start(**options)
        begin
          yield sim
        ensure
          sim.stop
        end
      end

      private :new
    end

    def initialize(port:, host:, corp_id:, secret:, agent_id:, users:, departments:, tags:, token_ttl:)
      options = {
        "port" => Integer(port), "host" => host.to_s, "corp_id" => corp_id.to_s,
        "secret" => (secret || SecureRandom.alphanumeric(43)).to_s, "agent_id" => Integer(agent_id),
        "token_ttl" => Float(token_ttl),
        "users" => users && Array(users).map { |u| normalize_user(u) },
        "departments" => departments && Array(departments).map { |d| normalize_entry(d, "id") },
        "tags" => tags && Array(tags).map { |t| normalize_entry(t, "tagid") }
      }
      @native = Native::Simulator._start(JSON.generate(options))
      @base_url = @native._base_url
      @corp_id = @native._corp_id
      @agent_id = @native._agent_id
      @port = @native._port
    end

    # "http://127.0.0.1:PORT": clients append /cgi-bin/...
    attr_reader :base_url, :corp_id, :agent_id, :port

    # The app secret gettoken accepts (random unless given).
    def secret
      @native._secret
    end

    # Delivered message/send bodies (Hashes with String keys) as WeCom received them, in order.
    # Bodies suppressed by WeCom's duplicate check are not repeated here.
    def messages
      @native._messages_from(0)
    end

    # Delivered messages from index `from` on (for followers: the CLI prints new ones).
    def messages_since(from)
      @native._messages_from(Integer(from))
    end

    def message_count
      @native._message_count
    end

    # One Hash per request: {"method"=>"GET", "path"=>"/cgi-bin/gettoken", "errcode"=>0, "status"=>200}.
    # errcode is nil when no JSON was answered; status is nil when nothing was (silent, reset).
    # Never holds query strings, tokens, secrets or bodies.
    def requests
      @native._requests
    end

    # Requests to path ("gettoken", "message/send" or "/cgi-bin/message/send"), or all requests.
    def request_count(path = nil)
      @native._request_count(path&.to_s)
    end

    # Forgets delivered messages, the request log and the duplicate-check memory (not tokens).
    def clear
      @native._clear
      self
    end

    # Queues a fault for the next `times` requests to `path` ("message/send"; nil = any API,
    # gettoken included); times: nil = until #clear_faults.
    #   :latency (seconds: 0.3)          answer normally after a delay
    #   :errcode (errcode: -1)           answer that errcode with HTTP 200, do nothing else
    #   :http_status (status: 502)       answer that status with an HTML body, do nothing else
    #   :deliver_then_fail (status: 502) process normally (deliver), then answer that status
    #   :silent                          never answer (until the client gives up or #stop)
    #   :rate_limit                      errcode 45009 "api freq out of limit"
    #   :reset                           close the connection without answering
    def inject(fault, path: nil, times: 1, **options)
      kind = fault.to_sym
      raise ArgumentError, "unknown fault #{fault.inspect}; use one of #{FAULTS.join(", ")}" unless FAULTS.include?(kind)

      unknown = options.keys - FAULT_OPTIONS.fetch(kind)
      raise ArgumentError, "#{kind} does not take #{unknown.join(", ")}" unless unknown.empty?

      spec = { "kind" => kind.to_s, "path" => path&.to_s, "times" => times && Integer(times) }
      options.each { |key, value| spec[key.to_s] = value }
      @native._inject(JSON.generate(spec))
      self
    end

    def clear_faults
      @native._clear_faults
      self
    end

    # Every issued token becomes invalid: using one answers 40014; gettoken issues a new one.
    def revoke_tokens!
      @native._revoke_tokens
      self
    end

    # Every issued token expires: using one answers 42001; gettoken issues a new one.
    def expire_tokens!
      @native._expire_tokens
      self
    end

    # Moves the simulator's clock forward (token lifetimes, duplicate-check windows).
    def advance_time(seconds)
      @native._advance_clock(Float(seconds))
      self
    end

    # Adds a member (for strict users: mode; in lenient mode it sets the name user/get answers).
    # Extra keywords become user/get fields (position:, mobile:, ...).
    def add_user(userid, name: nil, department: [1], **fields)
      user = fields.transform_keys(&:to_s).merge("userid" => userid.to_s, "department" => Array(department))
      user["name"] = name.to_s if name
      @native._add_user(JSON.generate(user))
      self
    end

    # Stops the server and closes the port. Idempotent.
    # Plays WeCom's side of callbacks against an app's endpoint: signed, encrypted deliveries
    # of this simulator's corp and agent, retried like WeCom when the answer is slow.
    #   sender = sim.callback_sender(url: "http://127.0.0.1:3000/wechat_work/callback",
    #                                token: "...", encoding_aes_key: "...")
    #   sender.verify_url                       # the GET WeCom makes when the URL is saved
    #   sender.deliver(MsgType: "text", Content: "interview tomorrow?", FromUserName: "lilei")
    def callback_sender(url:, token:, encoding_aes_key:, timeout: 5, retries: 3)
      Callback::Sender.new(url: url, token: token, encoding_aes_key: encoding_aes_key, corp_id: corp_id,
                           agent_id: agent_id, timeout: timeout, retries: retries)
    end

    def stop
      @native._stop
      nil
    end

    def running?
      @native._running?
    end

    # Environment variables that point the gem's client at this simulator.
    def env
      {
        "WECHAT_WORK_BASE_URL" => base_url, "WECHAT_WORK_CORP_ID" => corp_id,
        "WECHAT_WORK_SECRET" => secret, "WECHAT_WORK_AGENT_ID" => agent_id.to_s
      }
    end

    def inspect
      "#<#{self.class.name} #{base_url} corp_id=#{corp_id} agent_id=#{agent_id}#{" stopped" unless running?}>"
    end
    alias to_s inspect

    private

    def normalize_user(user)
      case user
      when Hash then user.transform_keys(&:to_s)
      else user.to_s
      end
    end

    def normalize_entry(entry, key)
      case entry
      when Hash then entry.transform_keys(&:to_s)
      when Integer then entry
      else { key => entry.to_s }
      end
    end
  end
end
