# frozen_string_literal: true

module WechatWork
  module Testing
    # Helpers for RSpec examples and Minitest tests.
    module Helpers
      def wechat_work_deliveries = Testing.deliveries

      # Runs the block with WechatWork pointed at a fresh simulator (test mode off inside), so
      # the example makes real round trips: WechatWork.client talks to it, the simulator
      # records what it received. Options go to WechatWork::Simulator.start.
      #   with_wechat_work_simulator(users: %w[lilei]) do |sim|
      #     NotifyInterviewerJob.perform_now(interview)
      #     expect(sim.messages.last["textcard"]["title"]).to include("Interview")
      #   end
      def with_wechat_work_simulator(**options)
        Simulator.run(**options) do |sim|
          Testing.point_at(sim) { Testing.disable { yield sim } }
        end
      end
    end

    class << self
      # Points WechatWork's configuration (every configured app) at the simulator for the block.
      def point_at(sim)
        config = WechatWork.configuration
        saved = %i[corp_id secret agent_id base_url].to_h { |k| [k, config.public_send(k)] }
        WechatWork.configure do |c|
          c.corp_id = sim.corp_id
          c.secret = sim.secret
          c.agent_id = sim.agent_id
          c.base_url = sim.base_url
        end
        yield
      ensure
        WechatWork.configure { |c| saved.each { |k, v| c.public_send(:"#{k}=", v) } } if saved
      end
    end
  end
end
