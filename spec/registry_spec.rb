# frozen_string_literal: true

# The endpoint is the unit: every record of the core's registry has a Ruby method (and, in the
# core's own tests, a simulator handler). This walks the registry and fails for an endpoint
# that nothing in the Ruby layer calls.
RSpec.describe "The endpoint registry" do
  # Fetched by the core's credential cache; these Ruby methods read them.
  CREDENTIAL_ENDPOINTS = { "gettoken" => :access_token, "get_jsapi_ticket" => :jsapi_ticket,
                           "ticket/get" => :agent_ticket }.freeze

  let(:sources) { Dir[File.expand_path("../lib/wechat_work/**/*.rb", __dir__)].map { File.read(_1) }.join("\n") }

  WechatWork::Native.endpoints.each do |endpoint|
    name = endpoint[:name]
    it "#{endpoint[:method]} #{name} has a Ruby method" do
      if (method = CREDENTIAL_ENDPOINTS[name])
        expect(WechatWork::Client.method_defined?(method)).to be(true), "Client##{method} reads #{name}"
      else
        pattern = /\b(?:call|deliver|paginate|upload|download|as_ruby_call)\(\s*"#{Regexp.escape(name)}"/
        expect(sources.match?(pattern)).to be(true), "no Ruby method calls #{name} (lib/wechat_work/client/*.rb or webhook.rb)"
      end
    end
  end

  it "describes each record for the Ruby layer" do
    send = WechatWork::Native.endpoints.find { _1[:name] == "message/send" }
    expect(send).to include(method: "POST", credential: :access_token, idempotency: :duplicate_check, body: :json,
                            answer: :json, domain: "message")
    expect(send[:doc]).to eq("https://developer.work.weixin.qq.com/document/path/90236")
    expect(WechatWork::Native.endpoints.find { _1[:name] == "media/get" }).to include(answer: :binary)
    expect(WechatWork::Native.endpoints.find { _1[:name] == "webhook/send" }).to include(credential: :webhook_key)
  end

  it "gives Ruby one errcode table with the core's classes, texts and hints" do
    expect(WechatWork::ApiError.info(60_020)).to include(family: :ip_not_allowed, retry: :never)
    expect(WechatWork::ApiError.info(45_009)).to include(family: :rate_limit, retry: :later)
    expect(WechatWork::ApiError.build(errcode: 60_020, path: "message/send")).to be_a(WechatWork::IpNotAllowedError)
    expect(WechatWork::ApiError.build(errcode: 60_020).message).to include("trusted IPs")
    families = WechatWork::Native.errcodes.map { _1[:family] }.uniq - [:other]
    expect(families - WechatWork::ApiError::FAMILIES.keys).to be_empty
  end
end
