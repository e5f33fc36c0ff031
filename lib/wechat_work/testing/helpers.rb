# frozen_string_literal: true

require "uri"

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

      # Posts a signed, encrypted callback to the app's endpoint, as WeCom would (in a request
      # spec or integration test). Fields use WeCom's names or snake_case; missing envelope
      # fields are filled in. => the decrypted passive reply (a Callback::Message), or nil when
      # the endpoint answered empty; `response` has the raw answer.
      #   post_wechat_work_callback(event: "template_card_event", from_user_name: "lilei",
      #                             event_key: "accept", task_id: "interview-42", response_code: "rc")
      def post_wechat_work_callback(path = "/wechat_work/callback", app: :default, **fields)
        callback = Callback.new(**WechatWork.configuration.callback_options(app))
        agent_id = WechatWork.configuration.client_options(app)[:agent_id]
        xml = Callback::Sender.to_xml(fields, corp_id: callback.corp_id, agent_id: agent_id)
        params, body = callback.encrypted_request(xml)
        url = "#{path}?#{URI.encode_www_form(params)}"
        if respond_to?(:integration_session, true)
          post(url, params: body, headers: { "CONTENT_TYPE" => "text/xml" })
        else
          post(url, body, "CONTENT_TYPE" => "text/xml")
        end
        answer = (respond_to?(:last_response, true) && !respond_to?(:integration_session, true) ? last_response : response).body.to_s
        answer.start_with?("<xml>") ? callback.decrypt_reply(answer) : nil
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
