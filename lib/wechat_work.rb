# frozen_string_literal: true

require "json"
require_relative "wechat_work/version"
require_relative "wechat_work/errors"

# The native extension: a precompiled gem ships lib/wechat_work/<ruby minor>/, a source build
# installs wechat_work/wechat_work.<dlext> on the load path.
begin
  require_relative "wechat_work/#{RUBY_VERSION[/\d+\.\d+/]}/wechat_work"
rescue LoadError
  require "wechat_work/wechat_work"
end

# Enterprise WeChat (WeCom) for Ruby and Rails.
module WechatWork
end
