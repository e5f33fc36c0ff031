# frozen_string_literal: true

module WechatWork
  class Client
    # Not yet built.
    module Schedules
    end
  end
end
