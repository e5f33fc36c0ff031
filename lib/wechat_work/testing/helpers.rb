# frozen_string_literal: true

require "uri"
require_relative "../testing"

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
      # the endpoint answered empty; `response` has the raw answer. Signed with Time.now, so it
      # passes the endpoint's timestamp window (travel_to moves both).
      #   post_wechat_work_callback(event: "template_card_event", from_user_name: "lilei",
      #                             event_key: "accept", task_id: "interview-42", response_code: "rc")
      def post_wechat_work_callback(path = "/wechat_work/callback", app: :default, **fields)
        callback = Callback.new(app)
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

      # A user agent of WeCom's in-app browser (the login concern sends it to OAuth), and a
      # desktop browser's (sent to the QR login).
      WXWORK_USER_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) " \
                          "Mobile/15E148 wxwork/4.1.20 MicroMessenger/7.0.1 Language/zh"
      BROWSER_USER_AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15"

      # Signs `userid` in through WechatWork::Login in a request spec, the way a member does:
      # GET `path` (inside WeCom's browser unless inside_wecom: false), follow the redirect to
      # WeCom with its state, come back with a code for `userid`, and land on `path`. In test
      # mode the code exchange is stubbed; against the simulator (with_wechat_work_simulator)
      # its sign-in page picks `userid`. => the final response
      def sign_in_with_wechat_work(userid, path: "/", inside_wecom: true)
        headers = { "HTTP_USER_AGENT" => inside_wecom ? WXWORK_USER_AGENT : BROWSER_USER_AGENT }
        get(path, headers: headers)
        wecom = response.location
        raise "sign_in_with_wechat_work: GET #{path} did not redirect to WeCom's sign-in (#{response.status})" unless response.redirect? && wecom

        back = if Testing.enabled?
                 Testing.stub_responses("auth/getuserinfo", { "userid" => userid.to_s })
                 sign_in_params = URI.decode_www_form(URI(wecom).query.to_s).to_h
                 Testing.redirect_back(sign_in_params.fetch("redirect_uri"), "code" => "test-code-#{userid}",
                                                                             "state" => sign_in_params.fetch("state"))
               else
                 Testing.through_simulator(wecom, userid)
               end
        get(back, headers: headers)
        follow_redirect! while response.redirect? && URI(response.location).host.to_s.then { _1.empty? || _1 == request.host }
        response
      end
    end

    class << self
      # The app URL WeCom redirects to: redirect_uri with code and state added to its query.
      def redirect_back(redirect_uri, added)
        uri = URI(redirect_uri)
        uri.query = URI.encode_www_form(URI.decode_www_form(uri.query.to_s) + added.to_a)
        uri.to_s
      end

      # The simulator's sign-in page picks `userid` (its auto_login), answering the redirect
      # back to the app.
      def through_simulator(location, userid)
        require "net/http"
        base = URI(location).then { "#{_1.scheme}://#{_1.host}:#{_1.port}" }
        Net::HTTP.post(URI("#{base}/_simulator/auto_login"), JSON.generate("userid" => userid.to_s), "Content-Type" => "application/json")
        answer = Net::HTTP.get_response(URI(location))
        raise "the simulator's sign-in answered #{answer.code}: #{answer.body[0, 200]}" unless answer.code == "302"

        answer["location"]
      ensure
        Net::HTTP.start(URI(base).host, URI(base).port) { _1.delete("/_simulator/auto_login") } if base
      end

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
