# frozen_string_literal: true

module WechatWork
  class Client
    # Not yet built.
    module Meetings
    end
  end
end
