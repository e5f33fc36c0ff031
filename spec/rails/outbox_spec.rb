# frozen_string_literal: true

require "active_support"
require "active_support/testing/time_helpers"
require "wechat_work/testing"
require "wechat_work/testing/matchers"

# The transactional outbox against real PostgreSQL and the simulator.
RSpec.describe "WechatWork.deliver_later (the outbox)" do
  include ActiveSupport::Testing::TimeHelpers

  before(:all) do
    Services.active_record!
    ActiveJob::Base.queue_adapter = :test
    ActiveJob::Base.logger = Logger.new(nil)
  end

  around do |example|
    WechatWork::Simulator.run(users: %w[lilei hanmeimei zhangsan]) do |sim|
      @sim = sim
      WechatWork.configure do |c|
        c.corp_id = sim.corp_id
        c.secret = sim.secret
        c.agent_id = sim.agent_id
        c.base_url = sim.base_url
      end
      WechatWork::Delivery.delete_all
      example.run
    ensure
      WechatWork.reset!
      WechatWork::Throttle.current = nil
    end
  end

  let(:sim) { @sim }
  let(:jobs) { ActiveJob::Base.queue_adapter.enqueued_jobs }

  before { jobs.clear }

  def invite(to: "lilei", title: "Interview today 15:00")
    WechatWork.deliver_later(to: to, msgtype: :textcard, title: title, description: "Room 4",
                             url: "https://interviews.example.com/42")
  end

  def run_jobs
    while (job = jobs.shift)
      job[:job].new(*job[:args]).perform_now
    end
  end

  it "writes the row in the caller's transaction and enqueues after commit" do
    delivery = nil
    ActiveRecord::Base.transaction do
      delivery = invite
      expect(jobs).to be_empty # not before commit
    end
    expect(delivery.reload).to have_attributes(status: "pending", msgtype: "textcard", app: "default", attempts: 0)
    expect(delivery.recipients).to eq("users" => ["lilei"])
    expect(delivery.body).to include("touser" => "lilei", "enable_duplicate_check" => 1, "duplicate_check_interval" => 1800)
    expect(jobs.map { _1[:job] }).to eq([WechatWork::DeliveryJob])
    run_jobs
    expect(delivery.reload).to have_attributes(status: "delivered", errcode: 0, attempts: 1)
    expect(delivery.msgid).to eq(sim.messages.last["msgid"])
  end

  it "sends nothing when the transaction rolls back" do
    ActiveRecord::Base.transaction do
      invite
      raise ActiveRecord::Rollback
    end
    expect(WechatWork::Delivery.count).to eq(0)
    expect(jobs).to be_empty
    run_jobs
    expect(sim.messages).to be_empty
  end

  it "refuses bad arguments at once, in the caller" do
    expect { WechatWork.deliver_later(to: "lilei", msgtype: :text, content: "") }.to raise_error(ArgumentError, /text.content is empty/)
    expect { WechatWork.deliver_later(to: "lilei", msgtype: :text, content: "x", enable_duplicate_check: false) }
      .to raise_error(ArgumentError, /always uses WeCom's duplicate check/)
    expect(WechatWork::Delivery.count).to eq(0)
  end

  it "gives up at once on a permanent error and records it" do
    delivery = invite(to: "ghost")
    expect { run_jobs }.to output(/delivery #{delivery.id} .* failed: WechatWork::NoValidRecipientError/).to_stderr
    expect(delivery.reload).to have_attributes(status: "failed", errcode: 81_013, attempts: 1)
    expect(jobs).to be_empty
  end

  it "retries a rate limit later, with the job scheduled after WeCom's block" do
    sim.inject(:rate_limit, path: "message/send")
    delivery = invite
    run_one = -> { job = jobs.shift; job[:job].new(*job[:args]).perform_now; job }
    run_one.call
    expect(delivery.reload).to have_attributes(status: "pending", errcode: 45_009, attempts: 1)
    retry_job = jobs.first
    expect(retry_job[:at]).to be >= Time.now.to_f + 55
    expect(delivery.ambiguous_since).to be_nil # WeCom did nothing on a rate limit
    run_jobs
    expect(delivery.reload).to have_attributes(status: "delivered", attempts: 2)
    expect(sim.messages.size).to eq(1)
  end

  it "after a worker died mid-send, the sweeper re-enqueues and WeCom's duplicate check drops the repeat" do
    delivery = invite
    jobs.clear # the job is lost with the killed process...
    # ...after its request reached WeCom: the send happened, the row still says sending.
    WechatWork::Delivery.claim(delivery.id, stale_after: 120)
    WechatWork.client.deliver_body(delivery.body)
    expect(sim.messages.size).to eq(1)

    travel_to(Time.now + 30) { expect(WechatWork::Outbox.sweep(older_than: 120)).to eq(0) } # not stuck yet
    travel_to(Time.now + 180) do
      expect(WechatWork::Outbox.sweep(older_than: 120)).to eq(1)
      run_jobs
    end
    expect(delivery.reload).to have_attributes(status: "delivered", attempts: 2)
    expect(delivery.ambiguous_since).not_to be_nil
    expect(sim.messages.size).to eq(1) # delivered once
    expect(sim.request_count("message/send")).to eq(2)
  end

  it "does not resend past the duplicate-check window: the row becomes uncertain and is reported" do
    delivery = invite
    jobs.clear
    WechatWork::Delivery.claim(delivery.id, stale_after: 120)
    travel_to(Time.now + 1800) do
      WechatWork::Outbox.sweep(older_than: 120)
      expect { run_jobs }.to output(/may have reached WeCom.*not sent again/).to_stderr
    end
    expect(delivery.reload.status).to eq("uncertain")
    expect(sim.request_count("message/send")).to eq(0)
  end

  it "re-enqueues a pending row whose job was lost" do
    delivery = invite
    jobs.clear
    travel_to(Time.now + 200) do
      expect(WechatWork::Outbox.sweep).to eq(1)
      run_jobs
    end
    expect(delivery.reload.status).to eq("delivered")
  end

  it "two jobs for one row never both send" do
    delivery = invite
    jobs.concat(jobs.dup)
    run_jobs
    expect(delivery.reload.attempts).to eq(1)
    expect(sim.request_count("message/send")).to eq(1)
  end

  it "recalls a delivered row" do
    delivery = invite
    run_jobs
    WechatWork.recall(delivery.reload)
    expect(delivery.reload.status).to eq("recalled")
    expect(sim.messages.last).to include("recalled" => true)
    expect { WechatWork.recall(delivery) }.to raise_error(ArgumentError, /is recalled, not delivered/)
  end

  it "splits more than 1000 users into deliveries of at most 1000" do
    users = (1..2500).map { "u#{_1}" }
    first = WechatWork.deliver_later(to: users, msgtype: :text, content: "All hands")
    rows = WechatWork::Delivery.order(:id).to_a
    expect(rows.first).to eq(first)
    expect(rows.map { _1.users.size }).to eq([1000, 1000, 500])
    expect(rows.flat_map(&:users)).to eq(users)
  end

  describe "the per-member throttle (Redis)" do
    before do
      Services.redis.flushdb
      WechatWork::Throttle.current = WechatWork::Throttle.new(Services.redis, per_minute: 3)
    end

    it "holds back a delivery that would exceed a member's per-minute limit instead of letting WeCom drop it" do
      deliveries = 4.times.map { |i| invite(title: "Interview #{i}") }
      run_one = -> { job = jobs.shift; job[:job].new(*job[:args]).perform_now }
      4.times { run_one.call }
      expect(deliveries.map { _1.reload.status }).to eq(%w[delivered delivered delivered pending])
      expect(deliveries.last.next_attempt_at).to be > Time.now
      expect(jobs.size).to eq(1)
      expect(sim.messages.size).to eq(3)
    end
  end
end

RSpec.describe "have_enqueued_wechat_work_delivery" do
  include WechatWork::Testing::Matchers

  before(:all) { Services.active_record! }

  around do |example|
    WechatWork::Testing.reset!
    WechatWork.configure do |c|
      c.corp_id = "wwtest"
      c.secret = "s"
      c.agent_id = 1_000_002
    end
    ActiveJob::Base.queue_adapter = :test
    WechatWork::Testing.enable! { example.run }
  ensure
    WechatWork.reset!
  end

  def invite = WechatWork.deliver_later(to: "lilei", msgtype: :text, content: "Interview at 15:00")

  it "matches outbox rows written by the block" do
    expect { invite }.to have_enqueued_wechat_work_delivery(to: "lilei", msgtype: :text, content: /15:00/)
    expect { nil }.not_to have_enqueued_wechat_work_delivery
  end

  let(:client) { WechatWork.client }

  it "fails with a diff of what was enqueued instead, in deliveries enqueued, not messages sent" do
    matcher = have_enqueued_wechat_work_delivery(to: "hanmeimei")
    expect(matcher.matches?(-> { invite })).to be(false)
    expect(matcher.failure_message).to eq(<<~'MSG'.chomp)
      expected an enqueued WeCom delivery to: "hanmeimei"
      1 delivery enqueued instead:
        #1: {:to=>"lilei", :msgtype=>"text", :content=>"Interview at 15:00", :app=>"default", :chat=>""}
          -to: hanmeimei
          +to: lilei
    MSG
    expect(matcher.description).to eq('enqueue a WeCom delivery to: "hanmeimei"')
  end

  it "says when nothing was enqueued, and when the block sent directly instead" do
    matcher = have_enqueued_wechat_work_delivery(to: "lilei")
    expect(matcher.matches?(-> {})).to be(false)
    expect(matcher.failure_message).to eq(<<~'MSG'.chomp)
      expected an enqueued WeCom delivery to: "lilei"
      nothing was enqueued by the block (it wrote no WechatWork::Delivery outbox row)
    MSG
    expect(matcher.matches?(-> { client.send_text(to: "lilei", content: "Interview at 15:00") })).to be(false)
    expect(matcher.failure_message).to eq(<<~'MSG'.chomp)
      expected an enqueued WeCom delivery to: "lilei"
      nothing was enqueued by the block (it wrote no WechatWork::Delivery outbox row), but it sent 1 message directly (with WechatWork.client, not through the outbox):
        #1: {:to=>"lilei", :msgtype=>"text", :content=>"Interview at 15:00", :app=>"default", :chat=>""}
    MSG
  end

  it "counts and negates in deliveries enqueued" do
    twice = have_enqueued_wechat_work_delivery(to: "lilei").twice
    expect(twice.matches?(-> { invite })).to be(false)
    expect(twice.failure_message).to eq(<<~'MSG'.chomp)
      expected an enqueued WeCom delivery to: "lilei" 2 time(s), it was enqueued 1 time(s); the block enqueued 1 delivery:
        #1: {:to=>"lilei", :msgtype=>"text", :content=>"Interview at 15:00", :app=>"default", :chat=>""}
    MSG
    negated = have_enqueued_wechat_work_delivery(msgtype: :text)
    expect(negated.does_not_match?(-> { invite })).to be(false)
    expect(negated.failure_message_when_negated).to eq(<<~'MSG'.chomp)
      expected no enqueued WeCom delivery msgtype: :text, but the block enqueued 1 delivery:
        #1: {:to=>"lilei", :msgtype=>"text", :content=>"Interview at 15:00", :app=>"default", :chat=>""}
    MSG
  end

  # The mistake the other way round: the block used deliver_later, the spec expected a send.
  it "have_sent_wechat_work_message says the block enqueued instead of sending" do
    matcher = have_sent_wechat_work_message(to: "lilei")
    expect(matcher.matches?(-> { invite })).to be(false)
    expect(matcher.failure_message).to eq(<<~'MSG'.chomp)
      expected a WeCom message to: "lilei"
      nothing was sent by the block, but it enqueued 1 delivery (WechatWork.deliver_later writes an outbox row; its job sends it later):
        #1: {:to=>"lilei", :msgtype=>"text", :content=>"Interview at 15:00", :app=>"default", :chat=>""}
    MSG
  end

  describe "assert_enqueued_wechat_work_delivery (Minitest)" do
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

    it "passes on a matching row and fails in deliveries enqueued" do
      expect(test.assert_enqueued_wechat_work_delivery(to: "lilei", content: /15:00/) { invite }.map(&:users)).to eq([["lilei"]])
      expect(failure { test.assert_enqueued_wechat_work_delivery(to: "hanmeimei") { invite } }).to eq(<<~'MSG'.chomp)
        expected an enqueued WeCom delivery to: "hanmeimei"
        1 delivery enqueued instead:
          #1: {:to=>"lilei", :msgtype=>"text", :content=>"Interview at 15:00", :app=>"default", :chat=>""}
            -to: hanmeimei
            +to: lilei
      MSG
      expect(failure { test.assert_enqueued_wechat_work_delivery {} })
        .to eq("expected an enqueued WeCom delivery\nnothing was enqueued by the block (it wrote no WechatWork::Delivery outbox row)")
      expect(failure { test.assert_wechat_work_message(to: "lilei") { invite } })
        .to start_with("expected a WeCom message to: \"lilei\"\nnothing was sent by the block, but it enqueued 1 delivery")
    end
  end
end
