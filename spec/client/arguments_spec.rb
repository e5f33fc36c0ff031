# frozen_string_literal: true

# Issue #6's table of bad arguments: each raises an ArgumentError (or a ConfigurationError for
# settings) that names the argument and what was wrong, before any request.
RSpec.describe "Errors that name the problem" do
  let(:server) { fake_wecom }
  let(:client) { client_for(server) }

  # Unless an example sends on purpose (sent: true), nothing reached message/send.
  after { |example| expect(server.requests.map(&:path)).not_to include("message/send") unless example.metadata[:sent] }

  it "content: 123 says it is an Integer, not that it is empty" do
    expect { client.send_text(to: "a", content: 123) }
      .to raise_error(ArgumentError, "message/send: text.content must be a String, got an Integer")
  end

  it "a misspelt option is refused with its near miss, not folded into the payload" do
    expect { client.send_text(to: "a", content: "x", sfae: 1) }
      .to raise_error(ArgumentError, "send_text does not take sfae: (did you mean safe:?); it takes content:, to:, chat:, " \
                                     "safe:, enable_id_trans:, enable_duplicate_check:, duplicate_check_interval:, agent_id:")
    expect { client.send_textcard(to: "a", title: "t", description: "d", url: "u", btntext: "Go") }
      .to raise_error(ArgumentError, /\Asend_textcard does not take btntext: \(did you mean btntxt:\?\); it takes title:, description:/)
    # send_message's other keywords are the message's fields: the core refuses those it does not know.
    expect { client.send_message(to: "a", msgtype: "text", content: "x", sfae: 1) }
      .to raise_error(ArgumentError, /text does not take sfae; it takes content/)
  end

  it "a misspelt required keyword is named as the near miss of the missing one, in one message" do
    expect { client.send_textcard(to: "a", title: "t", descripton: "d", url: "u") }
      .to raise_error(WechatWork::KeywordError, /\Asend_textcard does not take descripton: \(did you mean description:\?\); it takes /) { |e|
        expect(e.message).not_to include("is missing")
        expect([e.unknown, e.suggestions, e.missing]).to eq([%i[descripton], { descripton: :description }, %i[description]])
      }
    expect { client.send_textcard(to: "a", title: "t", descripton: "d") }
      .to raise_error(ArgumentError, /\(did you mean description:\?\).*; url: is missing: the page the card opens when tapped\z/)
    expect { client.send_message(to: "a", msgtyp: "text", content: "x") }
      .to raise_error(ArgumentError, "send_message does not take msgtyp: (did you mean msgtype:?); it takes to:, msgtype: " \
                                     "and the message's fields")
  end

  it "unknown keywords come before missing ones" do
    expect { client.send_textcard(to: "a", title: "t", url: "u", sfae: 1) }
      .to raise_error(ArgumentError, /\Asend_textcard does not take sfae: \(did you mean safe:\?\); it takes .*; description: is missing: /)
    expect { client.send_textcard(title: "t", description: "d", url: "u", sfae: 1) }
      .to raise_error(ArgumentError, /\Asend_textcard does not take sfae: \(did you mean safe:\?\)/)
  end

  it "a missing required keyword says what it is for" do
    expect { client.send_textcard(to: "a", title: "t", url: "u") }
      .to raise_error(ArgumentError, "send_textcard: description: is missing: the card's text, under the title")
    expect { WechatWork::TemplateCard.text_notice(title: "Interview") }
      .to raise_error(ArgumentError, "TemplateCard.text_notice: url: is missing: the page the card opens when tapped (its card_action)")
    expect { client.send_textcard(to: "a") }
      .to raise_error(WechatWork::KeywordError, "send_textcard: title: is missing: the card's title; " \
                                                "description: is missing: the card's text, under the title; " \
                                                "url: is missing: the page the card opens when tapped") { |e|
        expect([e.method_name, e.missing, e.unknown]).to eq(["send_textcard", %i[title description url], []])
      }
  end

  it "a required keyword given as nil is missing too" do
    expect { client.send_textcard(to: "a", title: nil) }.to raise_error(ArgumentError, /\Asend_textcard: title: is missing: .*; url: is missing/)
  end

  it "unknown keywords are refused by every method" do
    expect { client.send_textcard(to: "a", title: "t", description: "d", url: "u", button: "Go") }
      .to raise_error(ArgumentError, /send_textcard does not take button:; it takes/)
    # Methods with a fixed set of keywords (no **) leave it to Ruby, which names the keyword.
    expect { client.users(department_id: 1, recursive: true) }.to raise_error(ArgumentError, /unknown keyword: :recursive/)
    expect { client.update_template_card(response_code: "x", to: "a", replace_name: "y", colour: 1) }
      .to raise_error(ArgumentError, /unknown keyword: :colour/)
    expect { WechatWork::TemplateCard.text_notice(title: "t", ulr: "u") }.to raise_error(ArgumentError, /unknown keyword: :ulr/)
    expect { client.get("user/get", userid: "a", extra: 1) }.to raise_error(ArgumentError, /user\/get does not take extra/)
  end

  it "constructors and settings suggest the near miss" do
    expect { client_for(server, secert: "x") }.to raise_error(ArgumentError, /\AClient.new does not take secert: \(did you mean secret:\?\); it takes corp_id:, secret:/)
    expect { client.send_text(to: { user: "a" }, content: "x") }
      .to raise_error(ArgumentError, "to: does not take user: (did you mean users:?); it takes users:, parties:, tags:")
    expect { WechatWork::Callback.new(token: "t", encoding_aes_key: "k" * 43, corp_id: "ww", recieve_id: "x") }
      .to raise_error(ArgumentError, /\ACallback.new does not take recieve_id: \(did you mean receive_id:\?\)/)
    expect { WechatWork::TemplateCard.button_interaction(task_id: "t", title: "t", buttons: [{ text: "a", kee: "b" }]) }
      .to raise_error(ArgumentError, /\Abuttons\[0\] does not take kee: \(did you mean key:\?\); it takes text:, key:/)
  end

  it "agent_id: \"abc\" on a send names agent_id" do
    expect { client.send_text(to: "a", content: "x", agent_id: "abc") }
      .to raise_error(ArgumentError, 'agent_id must be a positive Integer, got "abc"')
  end

  it "agent_id and timeout in Client.new raise ConfigurationError naming the option" do
    expect { client_for(server, agent_id: "abc") }
      .to raise_error(WechatWork::ConfigurationError, "agent_id must be the app's AgentId, a positive Integer, got \"abc\"")
    expect { client_for(server, timeout: "abc") }
      .to raise_error(WechatWork::ConfigurationError, 'timeout must be a positive number of seconds, got "abc"')
    expect { client_for(server, open_timeout: -1) }.to raise_error(WechatWork::ConfigurationError, /open_timeout/)
    expect { client_for(server, max_retries: 99) }.to raise_error(WechatWork::ConfigurationError, /max_retries/)
  end

  it "invalid UTF-8 in content, a title or a URL names the field" do
    bad = "caf\xC3".b
    expect { client.send_text(to: "a", content: bad) }.to raise_error(ArgumentError, /\Atext.content is not valid UTF-8/)
    expect { client.send_textcard(to: "a", title: bad, description: "d", url: "https://x.test") }
      .to raise_error(ArgumentError, /\Atextcard.title is not valid UTF-8/)
    expect { client.send_textcard(to: "a", title: "t", description: "d", url: "https://x.test/#{bad}") }
      .to raise_error(ArgumentError, /\Atextcard.url is not valid UTF-8/)
    expect { client.send_text(to: "caf\xC3", content: "x") }.to raise_error(ArgumentError, /to is not valid UTF-8/)
  end

  it "text in another valid encoding is transcoded, not refused", sent: true do
    client.send_text(to: "a", content: "面试".encode("GBK"))
    expect(server.delivered.last.dig("text", "content")).to eq("面试")
  end

  it "NaN and Infinity name the field" do
    expect { client.send_message(to: "a", msgtype: "text", content: "x", extra: Float::NAN) }
      .to raise_error(ArgumentError, /extra is NaN, which JSON cannot carry/)
    expect { client.post("agent/set", ratio: Float::INFINITY) }.to raise_error(ArgumentError, /ratio is Infinity/)
    expect { client.post("agent/set", when: Object.new) }.to raise_error(ArgumentError, /when is a Object, which has no JSON form/)
  end

  it "to: follows one rule: userids are Strings, department and tag ids Integers", sent: true do
    expect { client.send_text(to: 123, content: "x") }.to raise_error(ArgumentError, /to: 123 is not a userid.*parties: \[123\]/)
    expect { client.send_text(to: [123], content: "x") }.to raise_error(ArgumentError, /to 123 is not a userid: userids are Strings/)
    expect { client.send_text(to: { parties: "two" }, content: "x") }.to raise_error(ArgumentError, /parties: "two" is not an id/)
    expect { client.send_text(to: { users: 7 }, content: "x") }.to raise_error(ArgumentError, /users: 7 is not a userid/)
    client.send_text(to: { parties: 2, tags: [5, "6"] }, content: "x")
    expect(server.delivered.last).to include("toparty" => "2", "totag" => "5|6")
  end

  it "refuses over-long text with the limit in the message, for every field (never cut silently)" do
    expect { client.send_textcard(to: "a", title: "t" * 500, description: "d", url: "https://x.test") }
      .to raise_error(ArgumentError, "message/send: textcard.title is 500 bytes; WeCom allows at most 128 bytes")
    expect { client.send_textcard(to: "a", title: "t", description: "d" * 600, url: "https://x.test") }
      .to raise_error(ArgumentError, /textcard.description is 600 bytes; WeCom allows at most 512 bytes/)
    expect { client.send_textcard(to: "a", title: "t", description: "d", url: "https://x.test", btntxt: "更多详情呢") }
      .to raise_error(ArgumentError, /textcard.btntxt is 5 characters; WeCom allows at most 4 characters/)
    expect { client.send_news(to: "a", articles: [{ title: "t" * 129, url: "https://x.test" }]) }
      .to raise_error(ArgumentError, /news.articles\[0\].title is 129 bytes/)
  end

  it "base_url mistakes say what to write" do
    expect { client_for(server, base_url: "https://qyapi.weixin.qq.com/cgi-bin") }
      .to raise_error(WechatWork::ConfigurationError, /ends in \/cgi-bin; .* use "https:\/\/qyapi.weixin.qq.com"/)
    expect { client_for(server, base_url: "qyapi.weixin.qq.com") }
      .to raise_error(WechatWork::ConfigurationError, /has no scheme; write "https:\/\/qyapi.weixin.qq.com"/)
  end

  it "a call the simulator does not implement says so in WeCom's format" do
    WechatWork::Simulator.run do |sim|
      c = WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret, agent_id: sim.agent_id, base_url: sim.base_url)
      expect { c.post("agent/set", agentid: 1) }
        .to raise_error(WechatWork::NotFoundError, %r{not implemented by the WeCom simulator: POST /cgi-bin/agent/set})
    end
  end

  it "JSON text is the same whether a value takes the generator's fast path or is converted first" do
    plain = { to: :lilei, text: { "content" => "面试 15:00", n: 1, ok: true, gone: nil, list: [1.5, "a"] } }
    expect(WechatWork::Arguments.plain?(plain)).to be(true)
    expect(WechatWork::Arguments.generate(plain)).to eq(JSON.generate(WechatWork::Arguments.json_ready(plain)))
    converted = { at: Time.at(1_700_000_000), gbk: "面试".encode("GBK"), 1 => "x" }
    expect(WechatWork::Arguments.plain?(converted.slice(:at))).to be(false)
    expect(WechatWork::Arguments.plain?(converted.slice(:gbk))).to be(false)
    expect(WechatWork::Arguments.generate(converted.slice(:at, :gbk))).to eq(%({"at":1700000000,"gbk":"面试"}))
    expect { WechatWork::Arguments.generate(converted) }.to raise_error(ArgumentError, /has a key 1: keys must be Strings or Symbols/)
    expect { WechatWork::Arguments.generate(text: { content: "\xff".b }) }.to raise_error(ArgumentError, /text.content is not valid UTF-8/)
  end
end
