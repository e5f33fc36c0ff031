# frozen_string_literal: true

require "json"
require "securerandom"
require_relative "simulator/directory_file"

module WechatWork
  # A local WeCom stand-in: a real HTTP server on a loopback port that answers the gem's
  # endpoints the way WeCom does (HTTP 200 + JSON, WeCom's errcodes and errmsg shape), serves
  # several apps of one corp, records what was delivered, and misbehaves on demand. Its own
  # HTTP API (/_simulator/messages, /requests, /faults, /clear) lets other processes look in.
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
    include Arguments::Keywords

    FAULTS = %i[latency errcode http_status deliver_then_fail silent rate_limit reset].freeze
    # Options each fault takes (beyond path: and times:).
    FAULT_OPTIONS = {
      latency: %i[seconds], errcode: %i[errcode], http_status: %i[status],
      deliver_then_fail: %i[status], silent: [], rate_limit: [], reset: []
    }.freeze
    DEFAULT_CORP_ID = "wwsimulator000001"
    DEFAULT_AGENT_ID = 1_000_002
    # What an app of apps: takes.
    APP_KEYS = %i[name secret agent_id token_ttl].freeze

    class << self
      # Starts a simulator. users:/departments:/tags: nil means lenient (every well-formed id
      # exists); an Array means strict (only those exist). Users are userid Strings or Hashes
      # ({userid:, name:, department: [1], ...any user/get field}); departments are ids or
      # {id:, name:, parentid:, order:}; tags are ids or {tagid:, tagname:, users: [userids],
      # parties: [ids]}. In a strict section a reference must point at a listed entry.
      # Raises WechatWork::ConfigurationError when the port cannot be bound.
      #
      # directory: a YAML file of departments:, users:, tags: (see Simulator::DirectoryFile):
      # the whole directory, strict, as WeCom's is; instead of users:/departments:/tags:.
      # Raises Simulator::DirectoryError (a ConfigurationError) naming the file and the key.
      #
      # apps: more apps of the corp, each { name:, secret:, agent_id: } (a token of one app
      # used with another's agent id answers 301002). restricted_fields: false makes the apps
      # "created before 2022-06-20", so user/get still answers mobile, email, avatar...
      #
      # auto_login: a userid (or :visitor, someone who is not a member): the sign-in pages
      # (/connect/oauth2/authorize, /wwlogin/sso/login) redirect at once as them; see #auto_login=.
      #
      # callback: the app's callback endpoint, { url:, token:, encoding_aes_key: }: what
      # #callback_sender plays WeCom's callbacks against when given no url:.
      def start(port: 0, host: "127.0.0.1", corp_id: DEFAULT_CORP_ID, secret: nil, agent_id: DEFAULT_AGENT_ID,
                users: nil, departments: nil, tags: nil, directory: nil, token_ttl: 7200, apps: [],
                restricted_fields: true, auto_login: nil, callback: nil, control_token: nil, **unknown)
        Arguments.only!(unknown, Arguments::NOTHING, "Simulator.start") { Arguments.keywords_of(method(:start)) }
        file = directory && directory_file(directory, users: users, departments: departments, tags: tags)
        contacts = file ? file.to_options : { users: users, departments: departments, tags: tags }
        sim = new(port: port, host: host, corp_id: corp_id, secret: secret, agent_id: agent_id, **contacts,
                  directory_file: file, token_ttl: token_ttl, apps: apps, restricted_fields: restricted_fields,
                  auto_login: auto_login, control_token: control_token)
        sim.instance_variable_set(:@callback, callback_settings(callback))
        sim
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

      private

      def callback_settings(callback)
        return nil if callback.nil?
        raise ArgumentError, "callback: must be a Hash { url:, token:, encoding_aes_key: }, got #{callback.class}" unless callback.is_a?(Hash)

        settings = callback.transform_keys(&:to_sym)
        Arguments.only!(settings, %i[url token encoding_aes_key], "callback:")
        missing = %i[url token encoding_aes_key].select { settings[_1].to_s.empty? }
        raise ArgumentError, "callback: #{missing.map { "#{_1}:" }.join(", ")} missing" unless missing.empty?

        settings.transform_values(&:to_s).freeze
      end

      def directory_file(path, **contacts)
        given = contacts.compact.keys
        unless given.empty?
          raise ArgumentError, "directory: #{path} is the whole directory; give it or #{given.map { "#{_1}:" }.join(", ")}, not both"
        end

        DirectoryFile.load(path)
      end
    end

    def initialize(port:, host:, corp_id:, secret:, agent_id:, users:, departments:, tags:, directory_file:, token_ttl:,
                   apps:, restricted_fields:, auto_login:, control_token:)
      options = {
        "port" => Integer(port), "host" => host.to_s, "corp_id" => corp_id.to_s,
        "secret" => (secret || SecureRandom.alphanumeric(43)).to_s, "agent_id" => Integer(agent_id),
        "token_ttl" => Float(token_ttl), "restricted_fields" => restricted_fields ? true : false,
        "apps" => Array(apps).map { |app| normalize_app(app) },
        "users" => users && Array(users).map { |u| normalize_user(u) },
        "departments" => departments && Array(departments).map { |d| normalize_entry(d, "id") },
        "tags" => tags && Array(tags).map { |t| normalize_entry(t, "tagid") },
        "auto_login" => auto_login_json(auto_login), "control_token" => control_token&.to_s
      }
      @directory_file = directory_file
      @native = begin
        Native::Simulator._start(JSON.generate(options))
      rescue ::ArgumentError => e
        raise directory_file&.refusal(e) || e
      end
      @base_url = @native._base_url
      @corp_id = @native._corp_id
      @agent_id = @native._agent_id
      @port = @native._port
    end

    # The token /_simulator/* requires (Authorization: Bearer ...), or nil: one is made up when
    # the simulator is bound elsewhere than loopback (host: "0.0.0.0"), since then anyone on the
    # network could reach the control API; on loopback the API answers only loopback Host
    # headers and JSON POSTs (a web page cannot reach it).
    def control_token = @native._control_token

    # "http://127.0.0.1:PORT": clients append /cgi-bin/...
    attr_reader :base_url, :corp_id, :agent_id, :port

    # The Simulator::DirectoryFile it serves (started with directory:), or nil.
    attr_reader :directory_file

    # The app secret gettoken accepts (random unless given).
    def secret
      @native._secret
    end

    # Everything delivered, in order: the bodies WeCom received (Hashes with String keys), each
    # with "channel" ("app" for message/send, "chat", "robot", "card_update") and, for app
    # messages, "msgid" (and "recalled" => true once recalled). Bodies suppressed by WeCom's
    # duplicate check are not repeated here.
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

    # Forgets delivered messages, the request log, injected faults and the duplicate-check
    # memory. Apps, tokens and contacts stay.
    def clear
      @native._clear
      self
    end

    # Queues a fault for the next `times` requests to `path` ("message/send"; nil = any API,
    # gettoken included); times: nil = until #clear_faults (or #clear).
    #   :latency (seconds: 0.3)          answer normally after a delay
    #   :errcode (errcode: -1)           answer that errcode with HTTP 200, do nothing else
    #   :http_status (status: 502)       answer that status with an HTML body, do nothing else
    #   :deliver_then_fail (status: 502) process normally (deliver), then answer that status
    #   :silent                          never answer (until the client gives up or #stop)
    #   :rate_limit                      errcode 45009 "api freq out of limit"
    #   :reset                           close the connection without answering
    def inject(fault, path: nil, times: 1, **options)
      kind = fault.to_sym
      unless FAULTS.include?(kind)
        near = Arguments.near_miss(kind, FAULTS)
        raise ArgumentError, "unknown fault #{fault.inspect}#{" (did you mean #{near.inspect}?)" if near}; " \
                             "use one of #{FAULTS.map(&:inspect).join(", ")}"
      end

      Arguments.only!(options, FAULT_OPTIONS.fetch(kind), "inject(#{kind.inspect})") { %i[path times] }

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
    # app: one app's tokens only (its name).
    def revoke_tokens!(app: nil)
      @native._revoke_tokens(app&.to_s)
      self
    end

    # Every issued token expires: using one answers 42001; gettoken issues a new one.
    def expire_tokens!(app: nil)
      @native._expire_tokens(app&.to_s)
      self
    end

    # Every JS-SDK ticket (the corp's and the apps') becomes invalid; new ones are issued next.
    def revoke_tickets!
      @native._revoke_tickets
      self
    end

    # The corp's apps: [{ "name" => "default", "secret" => ..., "agent_id" => 1000002 }, ...]
    def apps
      @native._apps
    end

    # Moves the simulator's clock forward (token lifetimes, duplicate-check windows).
    def advance_time(seconds)
      @native._advance_clock(Float(seconds))
      self
    end

    # Adds a member (for strict users: mode, a directory: file included; in lenient mode it sets
    # the name user/get answers). Extra keywords become user/get fields (position:, mobile:, ...).
    # In a strict directory the departments must be listed ones.
    def add_user(userid, name: nil, department: [1], **fields)
      user = fields.transform_keys(&:to_s).merge("userid" => userid.to_s, "department" => Array(department))
      user["name"] = name.to_s if name
      @native._add_user(JSON.generate(user))
      self
    end

    # Who the sign-in pages sign in without showing the list: a userid, :visitor (someone who
    # is not a member: auth/getuserinfo answers an openid), or nil (show the page). The pages
    # then redirect at once to redirect_uri with a code and the state, so a test (or a helper
    # following redirects) signs in without any query parameter of its own. Also settable from
    # another process: POST /_simulator/auto_login {"userid": "lilei"}.
    def auto_login=(who)
      @native._set_auto_login(JSON.generate(auto_login_json(who)))
    end

    # => "lilei", :visitor or nil
    def auto_login
      current = @native._auto_login
      return nil if current.nil?

      current["visitor"] ? :visitor : current["userid"]
    end

    # What wx.config (or wx.agentConfig, when config has corpid/agentid) would say in WeCom's
    # browser about a config signed for url: {"ok" => true, "errMsg" => "config:ok"}, or ok
    # false with "errcode" => 40093 when it was signed with a revoked or expired ticket (and
    # no errcode when the signature is simply wrong: another URL, another ticket), and a "reason".
    required_keywords :verify_js_sdk, url: "the page the config was signed for"
    def verify_js_sdk(config, url: required(binding))
      raise ArgumentError, "config must be the Hash given to wx.config or wx.agentConfig, got #{config.class}" unless config.is_a?(Hash)

      @native._verify_js_sdk(JSON.generate(config.transform_keys(&:to_s).merge("url" => url.to_s)))
    end

    # Plays WeCom's side of callbacks against an app's endpoint: signed, encrypted deliveries
    # of this simulator's corp and agent, retried like WeCom when the answer is slow. They are
    # signed with the real time (Time.now), not the simulated clock advance_time moves: the
    # endpoint checks timestamps against its own clock.
    #   sender = sim.callback_sender(url: "http://127.0.0.1:3000/wechat_work/callback",
    #                                token: "...", encoding_aes_key: "...")
    #   sender.verify_url                       # the GET WeCom makes when the URL is saved
    #   sender.deliver(MsgType: "text", Content: "interview tomorrow?", FromUserName: "lilei")
    # Without url:, token: and encoding_aes_key:, the app's endpoint given to .start(callback:).
    def callback_sender(url: nil, token: nil, encoding_aes_key: nil, timeout: 5, retries: 3)
      given = { url: url, token: token, encoding_aes_key: encoding_aes_key }.compact
      settings = (@callback || {}).merge(given)
      missing = %i[url token encoding_aes_key] - settings.keys
      unless missing.empty?
        raise ArgumentError, "callback_sender: #{missing.map { "#{_1}:" }.join(", ")} missing (or start the simulator " \
                             "with callback: { url:, token:, encoding_aes_key: })"
      end

      Callback::Sender.new(url: settings[:url], token: settings[:token], encoding_aes_key: settings[:encoding_aes_key],
                           corp_id: corp_id, agent_id: agent_id, timeout: timeout, retries: retries)
    end

    # The app's callback URL given to .start(callback:), or nil.
    def callback_url = @callback&.fetch(:url)

    # Stops the server and closes the port. Idempotent.
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

    def normalize_app(app)
      raise ArgumentError, "apps: each app is a Hash with name:, secret:, agent_id:, got #{app.inspect}" unless app.is_a?(Hash)

      Arguments.only!(app, APP_KEYS, "an app of apps:")
      app.transform_keys(&:to_s).transform_values { |v| v.is_a?(Symbol) ? v.to_s : v }
    end

    def auto_login_json(who)
      case who
      when nil then nil
      when :visitor then { "visitor" => true }
      when String, Symbol
        raise ArgumentError, "auto_login: the userid is empty" if who.to_s.empty?

        who.to_s
      else raise ArgumentError, "auto_login: must be a userid, :visitor or nil, got #{who.inspect}"
      end
    end

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
