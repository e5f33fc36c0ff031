# frozen_string_literal: true

# A fresh simulator for each example, and clients of its apps:
#
#   include_context "on the simulator", users: %w[lilei hanmeimei], apps: [OTHER_APP]
#   client            # the default app
#   client_of(app)    # another app: { secret:, agent_id: } as given to apps:
RSpec.shared_context "on the simulator" do |**simulator_options|
  around do |example|
    WechatWork::Simulator.run(**simulator_options) do |sim|
      @sim = sim
      example.run
    end
  end

  let(:sim) { @sim }
  let(:client) { client_of }
end

module SimulatorClients
  # A second app of the corp, as the domain specs configure it.
  OTHER_APP = { name: "other", secret: "other-secret", agent_id: 1_000_003 }.freeze

  # A client of the simulator's default app, or of `app` ({ secret:, agent_id: }).
  def client_of(app = nil, **options)
    secret, agent_id = app ? app.values_at(:secret, :agent_id) : [sim.secret, sim.agent_id]
    WechatWork::Client.new(corp_id: sim.corp_id, secret: secret, agent_id: agent_id, base_url: sim.base_url, **options)
  end
end

RSpec.configure { |config| config.include SimulatorClients }
