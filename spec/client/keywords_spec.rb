# frozen_string_literal: true

# The mechanism behind required keywords and refused ones (lib/wechat_work/arguments.rb): what
# it costs when nothing is wrong, and how it finds a method's declaration.
RSpec.describe WechatWork::Arguments::Keywords do
  let(:declared) do
    Class.new do
      include WechatWork::Arguments::Keywords

      required_keywords :card, title: "the card's title", url: "the page it opens"
      def card(title: required(binding), url: required(binding), note: nil) = [title, url, note]

      required_keywords :send, rest: %i[safe], content: "the text"
      def send(content: required(binding), **options) = [content, options]
    end
  end

  # Ruby's own required keywords: what the declared methods must cost no more than.
  let(:plain) do
    Class.new do
      def card(title:, url:, note: nil) = [title, url, note]
      def send(content:, **options) = [content, options]
    end
  end

  # Objects allocated per call: the difference between 2000 and 1000 calls, so that one-time
  # allocations (caches filled by the first calls) do not count, rounded (the count is
  # process-wide: another thread may allocate meanwhile).
  def allocations_per_call(&call)
    call.call
    counts = [1000, 2000].map do |n|
      GC.disable
      before = GC.stat(:total_allocated_objects)
      n.times(&call)
      GC.stat(:total_allocated_objects) - before
    ensure
      GC.enable
    end
    ((counts[1] - counts[0]) / 1000.0).round
  end

  it "allocates nothing more than Ruby's required keywords when every keyword is given" do
    d = declared.new
    p = plain.new
    expect(allocations_per_call { d.card(title: "t", url: "u") }).to eq(allocations_per_call { p.card(title: "t", url: "u") })
    expect(allocations_per_call { d.send(content: "x", safe: 1) }).to eq(allocations_per_call { p.send(content: "x", safe: 1) })
  end

  it "only! allocates nothing when every keyword is allowed" do
    options = { safe: 1, agent_id: 2 }
    allowed = WechatWork::Client::Messages::MESSAGE_OPTIONS
    expect(allocations_per_call { WechatWork::Arguments.only!(options, allowed, "send_text") { %i[content] } }).to eq(0)
  end

  it "names the missing keywords, unknown ones of **rest first" do
    expect { declared.new.card(url: "u") }.to raise_error(WechatWork::KeywordError, "card: title: is missing: the card's title")
    expect { declared.new.send(contnet: "x") }
      .to raise_error(WechatWork::KeywordError, "send does not take contnet: (did you mean content:?); it takes content:, safe:")
    expect { declared.new.send(sfae: 1) }
      .to raise_error(WechatWork::KeywordError, "send does not take sfae: (did you mean safe:?); it takes content:, safe:; " \
                                                "content: is missing: the text")
  end

  it "finds the declaration of an inherited method" do
    expect { Class.new(declared).new.card(title: "t") }.to raise_error(ArgumentError, "card: url: is missing: the page it opens")
  end

  it "says so when a method marks a keyword required(binding) without declaring it (a bug of the gem)" do
    undeclared = Class.new do
      include WechatWork::Arguments::Keywords

      def card(title: required(binding)) = title
    end
    expect { undeclared.new.card }.to raise_error(NotImplementedError, /card has required\(binding\) keywords but no required_keywords/)
  end

  it "refuses a declaration that says nothing" do
    expect { Class.new { include WechatWork::Arguments::Keywords; required_keywords :x } }
      .to raise_error(ArgumentError, /required_keywords x: say what each required keyword is for/)
  end
end
