# frozen_string_literal: true

require "uri"

module WechatWork
  class Callback
    # The callback endpoint as a Rack app: GET answers the URL verification, POST decrypts,
    # dispatches through the router and answers the (encrypted) reply or an empty 200.
    # Bad signatures get 403, malformed requests 400, a failing handler 500 (WeCom retries).
    #
    #   # config/routes.rb
    #   mount WechatWork::Callback::RackApp.new(WECHAT_ROUTER), at: "/wechat_work/callback"
    #   # config.ru
    #   run WechatWork::Callback::RackApp.new(router)
    class RackApp
      # Callbacks are a few KB.
      MAX_BODY = 1024 * 1024

      attr_reader :router

      def initialize(router, max_body: MAX_BODY)
        @router = router
        @max_body = max_body
      end

      def call(env)
        params = query(env)
        case env["REQUEST_METHOD"]
        when "GET", "HEAD"
          respond(*router.verify(params), head: env["REQUEST_METHOD"] == "HEAD")
        when "POST"
          body = read(env["rack.input"])
          return respond(413, "text/plain", "payload too large") unless body

          respond(*router.receive(params, body))
        else
          [405, { "content-type" => "text/plain", "allow" => "GET, POST" }, ["method not allowed"]]
        end
      end

      private

      def query(env)
        URI.decode_www_form(env["QUERY_STRING"].to_s).each_with_object({}) { |(k, v), h| h[k] ||= v }
      rescue ArgumentError
        {}
      end

      def read(input)
        return +"" unless input

        body = input.read(@max_body + 1) || +""
        input.rewind if input.respond_to?(:rewind)
        body.bytesize > @max_body ? nil : body
      end

      def respond(status, content_type, body, head: false)
        headers = { "content-type" => content_type, "content-length" => body.bytesize.to_s }
        [status, headers, head ? [] : [body]]
      end
    end
  end
end
