# frozen_string_literal: true

RSpec.describe WechatWork::OAuthState do
  let(:session) { {} }
  let(:state) { described_class.new(session) }

  def reason_of
    yield
    nil
  rescue WechatWork::OAuthState::Invalid => e
    e.reason
  end

  it "makes a random state within WeCom's rule, stored in the session as a digest only" do
    value = state.generate(return_to: "/interviews/42")
    expect(value).to match(/\A[a-zA-Z0-9]{32}\z/)
    expect(value.bytesize).to be <= WechatWork::Native.limits.fetch(:oauth_state_bytes)
    stored = session.fetch(described_class::SESSION_KEY)
    expect(stored.size).to eq(1)
    expect(stored.to_s).not_to include(value)
    expect(described_class.format?(value)).to be(true)
    expect(described_class.format?("open")).to be(false)
  end

  it "is never a shared value: each sign-in and each session gets its own" do
    values = Array.new(50) { described_class.new({}).generate }
    values += Array.new(4) { state.generate }
    expect(values.uniq.size).to eq(values.size)
  end

  it "verifies once and returns where the member was going" do
    value = state.generate(return_to: "/interviews/42?tab=notes")
    entry = state.verify!(value)
    expect(entry.return_to).to eq("/interviews/42?tab=notes")
  end

  it "refuses a forged state: random, another session's, or missing" do
    state.generate
    expect(reason_of { state.verify!(SecureRandom.alphanumeric(32)) }).to eq(:forged)
    theirs = described_class.new({}).generate
    expect(reason_of { state.verify!(theirs) }).to eq(:forged)
    expect(reason_of { state.verify!(nil) }).to eq(:missing)
    expect(reason_of { state.verify!("") }).to eq(:missing)
    expect(reason_of { described_class.new({}).verify!("x" * 32) }).to eq(:forged)
  end

  it "refuses a replayed state" do
    value = state.generate
    state.verify!(value)
    expect(reason_of { state.verify!(value) }).to eq(:replayed)
    # A new session (after the sign-in renewed it, or another browser) knows nothing of it.
    expect(reason_of { described_class.new({}).verify!(value) }).to eq(:forged)
  end

  it "refuses an expired state, and forgets it" do
    value = state.generate
    now = Time.now
    allow(Time).to receive(:now).and_return(now + described_class::DEFAULT_TTL + 1)
    expect(reason_of { state.verify!(value) }).to eq(:expired)
    expect(reason_of { state.verify!(value) }).to eq(:forged)
  end

  it "honours ttl:" do
    short = described_class.new(session, ttl: 60)
    value = short.generate
    now = Time.now
    allow(Time).to receive(:now).and_return(now + 59)
    expect(short.verify!(value)).to be_a(described_class::Entry)
    other = short.generate
    allow(Time).to receive(:now).and_return(now + 59 + 61)
    expect(reason_of { short.verify!(other) }).to eq(:expired)
  end

  it "keeps a few sign-ins pending (two tabs), dropping the oldest" do
    values = Array.new(described_class::MAX_PENDING + 2) { state.generate }
    expect(reason_of { state.verify!(values.first) }).to eq(:forged)
    values.last(described_class::MAX_PENDING).each { |v| expect(state.verify!(v)).to be_truthy }
    expect(session[described_class::SESSION_KEY].size).to be <= described_class::MAX_PENDING + described_class::MAX_USED
  end

  it "compares in constant time" do
    value = state.generate
    expect(OpenSSL).to receive(:fixed_length_secure_compare).at_least(:once).and_call_original
    state.verify!(value)
    expect(described_class.same?("ab", "abc")).to be(false)
  end

  it "checks its arguments" do
    expect { described_class.new(nil) }.to raise_error(ArgumentError, /session/)
    expect { described_class.new({}, ttl: 0) }.to raise_error(ArgumentError, /ttl/)
  end

  it "survives a session that serializes to JSON (Rails' cookie store)" do
    value = state.generate(return_to: "/x")
    round_tripped = JSON.parse(JSON.generate(session))
    expect(described_class.new(round_tripped).verify!(value).return_to).to eq("/x")
  end
end
