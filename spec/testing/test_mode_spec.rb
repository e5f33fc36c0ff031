# frozen_string_literal: true

require "wechat_work/testing"
require "wechat_work/testing/matchers"
require "wechat_work/testing/helpers"

RSpec.describe WechatWork::Testing do
  include WechatWork::Testing::Matchers
  include WechatWork::Testing::Helpers

  around do |example|
    WechatWork::Testing.reset!
    WechatWork::Testing.enable! { example.run }
  ensure
    WechatWork::Testing.reset!
  end

  # Points nowhere: a request would fail to connect, so passing specs prove nothing left.
  let(:client) { WechatWork::Client.new(corp_id: "wwtest", secret: "s", agent_id: 1_000_002, base_url: "http://127.0.0.1:9") }

  it "records sends without any request, with a fake msgid, and checks them with the core" do
    response = client.send_textcard(to: "lilei", title: "Interview today 15:00", description: "Room 4", url: "https://x.test/42")
    expect(response.msgid).to start_with("test-msgid-")
    delivery = described_class.deliveries.last
    expect(delivery).to have_attributes(endpoint: "message/send", msgtype: "textcard", users: ["lilei"], app: :default)
    expect(delivery.text).to include("Interview today 15:00", "Room 4")
    expect { client.send_text(to: "lilei", content: "x" * 3000) }.to raise_error(ArgumentError, /2048 bytes/)
    expect(described_class.deliveries.size).to eq(1)
    expect(client.access_token).to eq("test-access-token")
  end

  it "answers stubs in order, the last repeating; errcodes and exceptions raise" do
    WechatWork.stub_responses("user/get", { "userid" => "lilei", "name" => "Li Lei" }, 60_111)
    expect(client.user("lilei").name).to eq("Li Lei")
    expect { client.user("lilei") }.to raise_error(WechatWork::NotFoundError)
    expect { client.user("lilei") }.to raise_error(WechatWork::NotFoundError)
    WechatWork.stub_responses("message/send", WechatWork::RateLimitError)
    expect { client.send_text(to: "a", content: "x") }.to raise_error(WechatWork::RateLimitError) { |e| expect(e.errcode).to eq(45_009) }
    WechatWork.stub_responses("user/get", ->(params) { { "userid" => params["userid"], "name" => "Stub" } })
    expect(client.user("hanmeimei").userid).to eq("hanmeimei")
  end

  it "refuses an unstubbed read with a message that says how to stub it" do
    expect { client.user("lilei") }
      .to raise_error(WechatWork::Testing::UnstubbedCall, /user\/get is not stubbed.*WechatWork.stub_responses\("user\/get"/)
  end

  describe "have_sent_wechat_work_message" do
    def send_invite = client.send_textcard(to: "lilei", title: "Interview today", description: "Room 4", url: "https://x.test")

    it "matches on recipient, type and content" do
      expect { send_invite }.to have_sent_wechat_work_message(to: "lilei", msgtype: :textcard, content: /Interview/)
      expect { send_invite }.to have_sent_wechat_work_message(content: "Room 4").once
      expect { nil }.not_to have_sent_wechat_work_message
    end

    # A textcard's content is its title, description and URL, one a line: each goes under
    # "content: |", indented, so none reads as another key of the diff.
    it "fails with a diff of what was sent instead, multi-line content indented under its key" do
      matcher = have_sent_wechat_work_message(to: "hanmeimei", msgtype: :text, content: /cancelled/)
      expect(matcher.matches?(-> { send_invite })).to be(false)
      # RSpec's convention: "-" expected, "+" what was sent.
      expect(matcher.failure_message).to eq(<<~'MSG'.chomp)
        expected a WeCom message to: "hanmeimei", msgtype: :text, content: /cancelled/
        1 message sent instead:
          #1: {:to=>"lilei", :msgtype=>"textcard", :content=>"Interview today\nRoom 4\nhttps://x.test", :app=>"default", :chat=>""}
            -to: hanmeimei
            -msgtype: text
            -content: /cancelled/
            +to: lilei
            +msgtype: textcard
            +content: |
            +  Interview today
            +  Room 4
            +  https://x.test
      MSG
    end

    it "diffs a multi-line content line by line, its lines never read as keys" do
      matcher = have_sent_wechat_work_message(content: "**Interview** at 15:00\n> Room 5")
      markdown = -> { client.send_markdown(to: "lilei", content: "**Interview** at 15:00\n> Room 4\nmsgtype: text") }
      expect(matcher.matches?(markdown)).to be(false)
      expect(matcher.failure_message).to eq(<<~'MSG'.chomp)
        expected a WeCom message content: "**Interview** at 15:00\n> Room 5"
        1 message sent instead:
          #1: {:to=>"lilei", :msgtype=>"markdown", :content=>"**Interview** at 15:00\n> Room 4\nmsgtype: text", :app=>"default", :chat=>""}
             content: |
               **Interview** at 15:00
            -  > Room 5
            +  > Room 4
            +  msgtype: text
      MSG
    end

    it "fails when nothing was sent, when counted wrong, and when negated" do
      matcher = have_sent_wechat_work_message(to: "lilei")
      expect(matcher.matches?(-> {})).to be(false)
      expect(matcher.failure_message).to eq(%(expected a WeCom message to: "lilei"\nnothing was sent by the block))

      twice = have_sent_wechat_work_message(to: "lilei").twice
      expect(twice.matches?(-> { send_invite })).to be(false)
      expect(twice.failure_message).to eq(<<~'MSG'.chomp)
        expected a WeCom message to: "lilei" 2 time(s), it was sent 1 time(s); the block sent 1 message:
          #1: {:to=>"lilei", :msgtype=>"textcard", :content=>"Interview today\nRoom 4\nhttps://x.test", :app=>"default", :chat=>""}
      MSG
      expect(twice.description).to eq('send a WeCom message to: "lilei" 2 time(s)')

      negated = have_sent_wechat_work_message(to: "lilei")
      expect(negated.does_not_match?(-> { send_invite })).to be(false)
      expect(negated.failure_message_when_negated).to eq(<<~'MSG'.chomp)
        expected no WeCom message to: "lilei", but the block sent 1 message:
          #1: {:to=>"lilei", :msgtype=>"textcard", :content=>"Interview today\nRoom 4\nhttps://x.test", :app=>"default", :chat=>""}
      MSG
    end

    it "diffs without rspec-support too (Minitest apps): expected lines, then sent ones" do
      plain = WechatWork::Testing::Expectation::PlainDiffer.new
      expect(plain.diff("to: lilei\n", "to: hanmeimei\n")).to eq("-to: hanmeimei\n+to: lilei\n")
    end

    it "refuses criteria it does not know" do
      expect { have_sent_wechat_work_message(recipient: "lilei") }
        .to raise_error(ArgumentError, "a WeCom message expectation does not take recipient:; it takes to:, msgtype:, content:, app:, chat:")
      expect { have_sent_wechat_work_message(contnet: "hi") }.to raise_error(ArgumentError, /contnet: \(did you mean content:\?\)/)
      expect { have_sent_wechat_work_message(kind: :outbox) }.to raise_error(ArgumentError, /does not take kind:/)
    end
  end

  describe "the Minitest assertions' failures" do
    before(:all) do
      require "minitest"
      require "wechat_work/minitest"
    end

    let(:test) { Class.new(Minitest::Test) { include WechatWork::Testing::Assertions }.new("probe") }

    def failure
      yield
      raise "the assertion passed"
    rescue Minitest::Assertion => e
      e.message
    end

    it "assert_wechat_work_message diffs what was sent, multi-line content indented under its key" do
      message = failure do
        test.assert_wechat_work_message(to: "hanmeimei", content: "Room 5") do
          client.send_markdown(to: "lilei", content: "**Interview**\nRoom: 4")
        end
      end
      expect(message).to eq(<<~'MSG'.chomp)
        expected a WeCom message to: "hanmeimei", content: "Room 5"
        1 message sent instead:
          #1: {:to=>"lilei", :msgtype=>"markdown", :content=>"**Interview**\nRoom: 4", :app=>"default", :chat=>""}
            -to: hanmeimei
            -content: Room 5
            +to: lilei
            +content: |
            +  **Interview**
            +  Room: 4
      MSG
      expect(failure { test.assert_wechat_work_message(to: "lilei") {} })
        .to eq(%(expected a WeCom message to: "lilei"\nnothing was sent by the block))
    end

    it "assert_wechat_work_messages and assert_no_wechat_work_messages list what was sent" do
      expect(failure { test.assert_wechat_work_messages(2) { client.send_text(to: "lilei", content: "one\ntwo") } }).to eq(<<~'MSG'.chomp)
        expected 2 WeCom message(s), 1 sent:
          #1: {:to=>"lilei", :msgtype=>"text", :content=>"one\ntwo", :app=>"default", :chat=>""}.
        Expected: 2
          Actual: 1
      MSG
      expect(failure { test.assert_wechat_work_messages(1) {} })
        .to eq("expected 1 WeCom message(s), nothing was sent by the block.\nExpected: 1\n  Actual: 0")
      expect(failure { test.assert_no_wechat_work_messages { client.send_text(to: "lilei", content: "one") } })
        .to start_with("expected 0 WeCom message(s), 1 sent:\n  #1: {:to=>\"lilei\", :msgtype=>\"text\", :content=>\"one\"")
    end
  end

  it "with_wechat_work_simulator makes real round trips with test mode off inside" do
    with_wechat_work_simulator do |sim|
      expect(WechatWork::Testing.enabled?).to be(false)
      WechatWork.client.send_text(to: "lilei", content: "real")
      expect(sim.messages.last["text"]).to eq("content" => "real")
    end
    expect(WechatWork::Testing.enabled?).to be(true)
    expect(WechatWork::Testing.deliveries).to be_empty
  ensure
    WechatWork.reset!
  end

  describe "the framework integrations, in a child process" do
    def run_child(*command)
      out = IO.popen([{ "RUBYLIB" => File.expand_path("../../lib", __dir__) }, *command, err: %i[child out]], &:read)
      [$?.exitstatus, out] # rubocop:disable Style/SpecialGlobalVars
    end

    it "require 'wechat_work/rspec' turns test mode on, clears between examples and reports failures readably" do
      status, out = run_child("rspec", File.expand_path("fixtures/rspec_usage.rb", __dir__), "--order", "defined")
      expect(status).to eq(1), out
      expect(out).to include("4 examples, 1 failure")
      expect(out).to include('expected a WeCom message to: "hanmeimei"', "1 message sent instead:")
    end

    it "require 'wechat_work/minitest' gives the assertions" do
      status, out = run_child("ruby", File.expand_path("fixtures/minitest_usage.rb", __dir__))
      expect(status).to eq(1), out
      expect(out).to match(/4 runs, \d+ assertions, 1 failures/)
      expect(out).to include("expected a WeCom message to: \"hanmeimei\"")
    end
  end
end
