# frozen_string_literal: true

require "logger"
require "stringio"

module ClientHelpers
  def fake_wecom(**options)
    server = FakeWecom.start(**options)
    servers_to_stop << server
    server
  end

  def servers_to_stop = (@servers_to_stop ||= [])

  def client_for(server, **options)
    WechatWork::Client.new(corp_id: server.corp_id, secret: server.secret, agent_id: 1000002,
                           base_url: server.base_url, **options)
  end

  def elapsed
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    yield
    Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
  end
end

RSpec.configure do |config|
  config.include ClientHelpers
  config.after { servers_to_stop.each(&:stop) }
end
