# frozen_string_literal: true

require "uri"

module WechatWork
  class Callback
    # The callback endpoint as a Rack app: GET answers the URL verification, POST decrypts,
    # dispatches through the router and answers the (encrypted) reply or an empty 200.
    # Bad signatures and stale timestamps get 403, malformed requests 400, a body over
    # Callback::MAX_BODY 413 (unread), a failing handler 500 (WeCom retries).
    #
    #   # config/routes.rb
    #   mount WechatWork::Callback::RackApp.new(WECHAT_ROUTER), at: "/wechat_work/callback"
    #   # config.ru
    #   run WechatWork::Callback::RackApp.new(router)
    class RackApp
      # Callbacks are a few KB: the core's limit.
      MAX_BODY = Callback::MAX_BODY

      # router: a Router, a Router subclass or its name (built on the first request, so it
      # can live in app/ and read credentials at run time), or a Proc returning a Router.
      def initialize(router, max_body: MAX_BODY)
        @source = router
        @router = router if router.is_a?(Router)
        @lock = Mutex.new
        @max_body = max_body
      end

      def router
        @router || @lock.synchronize { @router ||= build_router }
      end

      def inspect = "#<#{self.class.name} router=#{(@router || @source).then { _1.is_a?(String) ? _1 : _1.class.name }}>"
      alias to_s inspect

      def call(env)
        params = query(env)
        case env["REQUEST_METHOD"]
        when "GET", "HEAD"
          respond(*router.verify(params), head: env["REQUEST_METHOD"] == "HEAD")
        when "POST"
          declared = env["CONTENT_LENGTH"]
          if Body.declared_too_large?(declared, @max_body)
            return respond(*router.refuse_too_large(declared, limit: @max_body))
          end

          body = Body.read(env["rack.input"], @max_body)
          return respond(*router.refuse_too_large(limit: @max_body)) unless body

          respond(*router.receive(params, body))
        else
          [405, { "content-type" => "text/plain", "allow" => "GET, POST" }, ["method not allowed"]]
        end
      end

      private

      def build_router
        source = @source.is_a?(String) ? Object.const_get(@source) : @source
        built = if source.is_a?(Class) && source <= Router then source.new
                elsif source.respond_to?(:call) then source.call
                else source
                end
        raise ConfigurationError, "the callback endpoint needs a WechatWork::Callback::Router, got #{built.class}" unless built.is_a?(Router)

        built
      end

      def query(env)
        URI.decode_www_form(env["QUERY_STRING"].to_s).each_with_object({}) { |(k, v), h| h[k] ||= v }
      rescue ArgumentError
        {}
      end

      def respond(status, content_type, body, head: false)
        headers = { "content-type" => content_type, "content-length" => body.bytesize.to_s }
        [status, headers, head ? [] : [body]]
      end
    end
  end
end
