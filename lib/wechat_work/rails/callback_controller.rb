# frozen_string_literal: true

require "active_support/concern"

module WechatWork
  module Rails
    # A controller concern for the callback URL: `show` answers WeCom's GET verification,
    # `create` the POSTed messages and events (through a Callback::Router).
    #
    #   # config/routes.rb
    #   resource :wechat_work_callback, only: %i[show create], controller: "wechat_work_callbacks"
    #
    #   class WechatWorkCallbacksController < ActionController::Base
    #     include WechatWork::CallbackController
    #     wechat_work_callback WechatWorkRouter   # a Router, or a block run once to build it
    #   end
    module CallbackController
      extend ActiveSupport::Concern

      # Callback query parameters kept out of this controller's "Parameters:" log line (the
      # Railtie filters msg_signature and echostr app-wide; timestamp and nonce are common
      # names elsewhere, so only here).
      FILTERED = %w[msg_signature echostr timestamp nonce].freeze

      # Routers built lazily from a Proc, once per process.
      ROUTERS = {} # rubocop:disable Style/MutableConstant
      LOCK = Mutex.new

      included do
        # WeCom's POST carries no CSRF token: it is authenticated by msg_signature instead.
        # raise: false: a controller without forgery protection (API-only, or an app that turned
        # the default off) has nothing to skip.
        skip_forgery_protection(raise: false) if respond_to?(:skip_forgery_protection)
        class_attribute :wechat_work_router_source, instance_writer: false
      end

      class_methods do
        # router: a Callback::Router, or a Proc returning one (built on first request, so
        # credentials and ENV are read at run time). With a block: the Router's DSL.
        def wechat_work_callback(router = nil, &block)
          source = router || (block && -> { Callback::Router.new(&block) })
          raise ArgumentError, "wechat_work_callback needs a router or a block" unless source

          self.wechat_work_router_source = source
        end
      end

      # GET: the URL verification.
      def show
        wechat_work_render(*wechat_work_router.verify(request.query_parameters))
      end

      # POST: a message or an event. The body is never read past Callback::MAX_BODY: a larger
      # Content-Length is answered 413 at once, a longer stream 413 after limit + 1 bytes.
      def create
        router = wechat_work_router
        declared = request.get_header("CONTENT_LENGTH")
        return wechat_work_render(*router.refuse_too_large(declared)) if Callback::Body.declared_too_large?(declared)

        body = Callback::Body.read(request.body)
        return wechat_work_render(*router.refuse_too_large) unless body

        wechat_work_render(*router.receive(request.query_parameters, body))
      end

      private

      def process_action(*)
        filters = Array(request.get_header("action_dispatch.parameter_filter"))
        request.set_header("action_dispatch.parameter_filter", (filters + FILTERED).uniq)
        super
      end

      def wechat_work_router
        source = self.class.wechat_work_router_source
        raise ConfigurationError, "call wechat_work_callback in #{self.class.name}" unless source
        return source if source.is_a?(Callback::Router) || !source.respond_to?(:call)

        LOCK.synchronize { ROUTERS[source] ||= source.call }
      end

      def wechat_work_render(status, content_type, body)
        render body: body, status: status, content_type: content_type
      end
    end
  end
end
