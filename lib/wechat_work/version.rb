# frozen_string_literal: true

module WechatWork
  VERSION = "0.1.0"
end
