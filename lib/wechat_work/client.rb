# frozen_string_literal: true

require_relative "transport"

module WechatWork
  # A WeCom app (corp id + app secret + agent id). Thread-safe and fork-safe: build one and
  # share it, or use WechatWork.client.
  #
  #   client = WechatWork::Client.new(corp_id: "ww...", secret: "...", agent_id: 1000002)
  #   client.send_textcard(to: "lilei", title: "Interview at 15:00",
  #                        description: "Room 3, with Han Meimei", url: "https://example.com/rooms/3")
  #
  # The APIs are grouped by domain, one module each (lib/wechat_work/client/*.rb): Messages,
  # Contacts, Media, Chats, Schedules, Meetings, ExternalContacts, Identity, Operations. Every
  # call goes through one pipeline in the Rust core: token, checks, retries, deadline, errors,
  # redaction, trace and logging; the Ruby side of it (calls, uploads, downloads,
  # instrumentation) is WechatWork::Transport, shared with WechatWork::Webhook.
  class Client
    include Transport

    attr_reader :corp_id, :agent_id, :base_url, :timeout, :logger, :app_name, :duplicate_check_interval

    def initialize(corp_id: WechatWork.configuration.corp_id, secret: WechatWork.configuration.secret,
                   agent_id: WechatWork.configuration.agent_id, base_url: WechatWork.configuration.base_url,
                   timeout: WechatWork.configuration.timeout, open_timeout: WechatWork.configuration.open_timeout,
                   max_retries: WechatWork.configuration.max_retries, logger: WechatWork.configuration.logger,
                   token_store: WechatWork.configuration.token_store,
                   duplicate_check_interval: WechatWork.configuration.duplicate_check_interval,
                   allow_insecure_base_url: WechatWork.configuration.allow_insecure_base_url,
                   js_sdk_refresh_min_age: WechatWork.configuration.js_sdk_refresh_min_age,
                   js_sdk_refresh_interval: WechatWork.configuration.js_sdk_refresh_interval, app_name: nil, **unknown)
      Arguments.only!(unknown, Arguments::NOTHING, "Client.new") { Arguments.keywords_of(method(:initialize)) }
      @corp_id = Options.corp_id(corp_id)
      secret = Options.secret(secret)
      raise ConfigurationError, "corp_id is missing (set it, or WECHAT_WORK_CORP_ID)" unless @corp_id
      raise ConfigurationError, "secret is missing (set it, or WECHAT_WORK_SECRET)" unless secret

      @agent_id = Options.agent_id(agent_id)
      @base_url = Options.secure_base_url!(
        Options.base_url(base_url), allowed: Options.allow_insecure_base_url(allow_insecure_base_url),
        how: "pass allow_insecure_base_url: true to Client.new (or set c.allow_insecure_base_url = true in WechatWork.configure)"
      )
      @timeout = Options.seconds(timeout, :timeout)
      @logger = Options.logger(logger)
      @duplicate_check_interval = Options.duplicate_check_interval(duplicate_check_interval)
      @app_name = app_name&.to_sym
      token_store = Options.token_store(token_store)
      @js_sdk_refresh = JsSdk::RefreshGuard.new(min_age: Options.js_sdk_refresh_min_age(js_sdk_refresh_min_age),
                                                interval: Options.js_sdk_refresh_interval(js_sdk_refresh_interval),
                                                store: token_store)
      @native = Native::Client._new(
        "corp_id" => @corp_id, "secret" => secret, "agent_id" => @agent_id, "base_url" => @base_url,
        "timeout" => @timeout, "open_timeout" => Options.seconds(open_timeout, :open_timeout),
        "max_retries" => Options.max_retries(max_retries), "token_store" => token_store
      )
    end

    # The app's access token: cached per corp and secret in this process (and in token_store:),
    # fetched by one thread while the others wait, refreshed before it expires. A cached token
    # is answered without releasing the GVL or touching the network.
    def access_token
      credential(:access_token)
    end

    # Fetches the app's credentials anew when they expire within `ahead` seconds (default 10
    # minutes), so no request waits on gettoken: what WechatWork::RefreshCredentialsJob and
    # `rake wechat_work:tokens:refresh` run. kinds: :access_token, :jsapi_ticket, :agent_ticket.
    # Safe from several processes at once. => { access_token: { fetched: true, expires_in: 7200 } }
    def refresh_credentials!(kinds = [:access_token], ahead: 600)
      Array(kinds).to_h do |kind|
        fetched, left = instrumented(kind.to_s, "refresh") { |trace| @native._refresh(kind.to_s, Float(ahead), trace) }
        [kind.to_sym, { fetched: fetched, expires_in: left }]
      end
    end

    # Forgets the cached token, here and in the token store.
    def invalidate_token!
      @native._invalidate("access_token", nil)
      nil
    end

    # Any /cgi-bin API, GET with query parameters, given as keywords or a Hash:
    #   client.get("agent/get", agentid: 1000002)
    # A registered endpoint (client.get("user/get", userid: "lilei")) is checked as usual.
    def get(path, params = nil, **keywords)
      request("GET", path, merge_params(params, keywords), idempotent: true)
    end

    # Any /cgi-bin API, POST with a JSON body, given as keywords or a Hash. Retried after a
    # possible delivery only when idempotent: true (or its record says so).
    #   client.post("message/recall", msgid: "...")
    def post(path, body = nil, idempotent: false, **fields)
      request("POST", path, merge_params(body, fields), idempotent: idempotent)
    end

    def inspect
      app = @app_name && @app_name != :default ? " app=#{@app_name.inspect}" : ""
      "#<#{self.class}#{app} corp_id=#{corp_id.inspect} agent_id=#{agent_id.inspect} base_url=#{base_url.inspect} secret=[FILTERED]>"
    end
    alias to_s inspect

    private

    # A 301002 says which configured app the agent id belongs to (the calls are Transport's).
    def call(name, params = {})
      super
    rescue WrongAgentError => e
      raise wrong_agent(e, params)
    end

    def deliver(name, params)
      super
    rescue WrongAgentError => e
      raise wrong_agent(e, params)
    end

    def request(method, path, params, idempotent:)
      path = path.to_s
      name = path.delete_prefix("/").delete_prefix("cgi-bin/")
      body = instrumented(name, method) do |trace|
        leave(:request, name, params) { |json| @native._request(method, path, json, idempotent ? true : false, trace) }
      end
      Response.new(body, path: path.delete_prefix("/").delete_prefix("cgi-bin/"))
    rescue WrongAgentError => e
      raise wrong_agent(e, params)
    end

    # 301002: the agent id sent belongs to another app than this client's secret. The same
    # error, saying which configured app to use instead.
    def wrong_agent(error, params)
      given = params.is_a?(Hash) ? (params["agentid"] || params[:agentid]) : nil
      sent = given.nil? ? agent_id : Integer(given.to_s, 10, exception: false) || given
      owner = WechatWork.configuration.app_for_agent(sent)
      advice = if sent == agent_id
                 "this client's secret is not the secret of agent id #{sent}: pair each agent_id with its own app's secret"
               elsif owner
                 "agent id #{sent} is the configured app #{owner.inspect}: use WechatWork.client(#{owner.inspect})"
               else
                 "agent id #{sent.inspect} is not a configured app (#{WechatWork.configuration.app_names.map(&:inspect).join(", ")}): " \
                   "add it with c.app :name, secret: ..., agent_id: #{sent}"
               end
      error.exception("#{error.message} [#{advice}]")
    end

    # Every item of a cursor-paginated list, fetched page by page as the Enumerator is read.
    #   paginate("user/list_id", { limit: 1000 }, "dept_user")
    def paginate(name, params, items_key, cursor_key: "cursor", next_key: "next_cursor")
      Enumerator.new do |yielder|
        cursor = nil
        loop do
          page = call(name, cursor ? params.merge(cursor_key => cursor) : params)
          Array(page[items_key]).each { |item| yielder << item }
          cursor = page[next_key].to_s
          break if cursor.empty?
        end
      end.lazy
    end

    def credential(kind)
      return "test-#{kind.to_s.tr("_", "-")}" if testing?

      cached = @native._cached_credential(kind.to_s)
      return cached if cached

      instrumented(kind == :access_token ? "gettoken" : kind.to_s, "credential") do |trace|
        @native._credential(kind.to_s, trace)
      end
    rescue NetworkError => e
      raise unreachable(e)
    end

    def merge_params(params, keywords)
      unless params.nil? || params.is_a?(Hash)
        raise ::ArgumentError, "parameters must be a Hash (or keywords), got #{params.class}"
      end

      (params || {}).merge(keywords)
    end

    # What identifies this client in request.wechat_work events (Transport#instrumented).
    def instrumentation_context
      { corp_id: corp_id, agent_id: agent_id, app: app_name }
    end
  end
end

require_relative "client/messages"
require_relative "client/contacts"
require_relative "client/media"
require_relative "client/chats"
require_relative "client/schedules"
require_relative "client/meetings"
require_relative "client/external_contacts"
require_relative "client/operations"
require_relative "client/identity"

module WechatWork
  class Client
    include Messages
    include Contacts
    include Media
    include Chats
    include Schedules
    include Meetings
    include ExternalContacts
    include Operations
    include Identity
  end
end
