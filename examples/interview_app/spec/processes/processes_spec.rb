# frozen_string_literal: true

# The app as it runs in production: Puma in cluster mode, a Sidekiq process, the WeCom
# simulator as its own process, one PostgreSQL database and one Redis.
RSpec.describe "Puma, Sidekiq and WeCom as separate processes", :processes do
  self.use_transactional_tests = false

  let(:log) { File.join(Processes::ROOT, "log/processes_spec_#{RSpec.current_example.description[0, 20].gsub(/\W/, "_")}.log") }
  let(:lilei) { User.find_or_create_by!(wecom_userid: "lilei") { _1.name = "Li Lei" } }

  around do |example|
    FileUtils.mkdir_p(File.dirname(log))
    File.write(log, "")
    WechatWork::Delivery.delete_all
    @sim_pid, @sim = Processes.start_simulator(log)
    Rails.cache.clear
    Sidekiq.redis(&:flushdb)
    example.run
  ensure
    ActiveJob::Base.queue_adapter = Rails.application.config.active_job.queue_adapter
    Processes.stop(@puma, "TERM")
    Processes.stop(@sidekiq, "TERM")
    Processes.stop(@sim_pid, "INT")
    Interview.delete_all
    WechatWork::Delivery.delete_all
    User.delete_all
  end

  # The outbox's jobs go to Sidekiq's Redis here: ActiveJob::TestHelper put its test adapter
  # on every job class before the example.
  def use_sidekiq!
    [ActiveJob::Base, *ActiveJob::Base.descendants].each(&:disable_test_adapter)
    ActiveJob::Base.queue_adapter = :sidekiq
  end

  def sim_count(path) = Processes.get_json("#{@sim}/_simulator/requests/count?path=#{path}")["count"]
  def sim_messages = Processes.get_json("#{@sim}/_simulator/messages")

  it "two Puma workers and a Sidekiq process share one access token: one gettoken for all" do
    use_sidekiq!
    port = Processes.free_port
    env = Processes.app_env(@sim)
    @puma = Processes.start_puma(env, port, log)
    pids = Processes.wait_until(90, "both Puma workers to answer", process: @puma, log: log) do
      seen = 20.times.filter_map { Processes.get_json("http://127.0.0.1:#{port}/status")["pid"] rescue nil }.uniq # rubocop:disable Style/RescueModifier
      (@seen = (@seen || []) | seen).size >= 2 && @seen
    end
    expect(pids.size).to eq(2)
    @sidekiq = Processes.start_sidekiq(env, log)
    delivery = WechatWork.deliver_later(to: "lilei", msgtype: :text, content: "Interview at 15:00")
    Processes.wait_until(90, "Sidekiq to deliver", process: @sidekiq, log: log) { delivery.reload.delivered? }
    expect(sim_count("gettoken")).to eq(1)
    expect(sim_count("message/send")).to eq(1)
  end

  it "a burst of 500 deliveries survives SIGKILL of the Sidekiq process: each delivered once" do
    use_sidekiq!
    # Each send takes a little while, so the kill lands mid-burst with requests in flight.
    Processes.post_json("#{@sim}/_simulator/faults", kind: "latency", seconds: 0.03, path: "message/send", times: nil)
    # 500 candidates' interviewers: one message each (WeCom allows a member 30 a minute, and the
    # gem's throttle holds the excess back).
    deliveries = 500.times.map do |i|
      WechatWork.deliver_later(to: "interviewer#{i}", msgtype: :text, content: "Invitation #{i}")
    end
    env = Processes.app_env(@sim)
    @sidekiq = Processes.start_sidekiq(env, log)
    Processes.wait_until(120, "100 deliveries", process: @sidekiq, log: log) { WechatWork::Delivery.delivered.count >= 100 }
    Process.kill("KILL", @sidekiq)
    Process.wait(@sidekiq)
    @sidekiq = nil
    stranded = WechatWork::Delivery.where(status: %w[pending sending]).count
    expect(stranded).to be > 0

    @sidekiq = Processes.start_sidekiq(env, log)
    # The sweeper (a cron job in production) re-enqueues rows whose job died with the process.
    Processes.wait_until(180, "all 500 delivered", process: @sidekiq, log: log) do
      sleep 1
      WechatWork::Outbox.sweep(older_than: 3)
      WechatWork::Delivery.where(id: deliveries.map(&:id)).where.not(status: "delivered").none?
    end

    contents = sim_messages.map { _1.dig("text", "content") }
    expect(contents.size).to eq(500)
    expect(contents.tally.values.uniq).to eq([1])
    expect(contents.sort).to eq(500.times.map { "Invitation #{_1}" }.sort)
    File.write(log, "stranded by SIGKILL: #{stranded}; message/send requests: #{sim_count("message/send")}\n", mode: "a")
  end
end
