# frozen_string_literal: true

module WechatWork
  module Rails
    # config/routes.rb:
    #   wechat_work_callback "/wechat_work/callback", to: "InterviewCallbacks"   # a Router, or its name
    # mounts the callback endpoint (GET URL verification, POST messages and events). A String
    # (or a Proc) is resolved on the first request, so the router can live in app/ and reload.
    module Routes
      def wechat_work_callback(path, to:, as: :wechat_work_callback)
        mount Callback::RackApp.new(to), at: path, as: as
      end
    end
  end
end
