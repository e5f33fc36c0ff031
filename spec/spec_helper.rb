# frozen_string_literal: true

$LOAD_PATH.unshift(File.expand_path("../lib", __dir__))
require "wechat_work"

Dir[File.join(__dir__, "support/**/*.rb")].sort.each { |f| require f }

RSpec.configure do |config|
  config.disable_monkey_patching!
  config.expect_with(:rspec) { |c| c.syntax = :expect }
  config.order = :random
  # A new Rails app made and driven by spec/new_app (bin/rails-smoke runs it): minutes, PostgreSQL and Redis.
  config.filter_run_excluding(new_app: true) unless ENV["WECHAT_WORK_NEW_APP"]
  Kernel.srand config.seed
end
