# frozen_string_literal: true

# Every public method with required keywords, called with none of them: one ArgumentError
# naming each missing keyword and what it is for. Which keywords are required is read from the
# methods' signatures (those whose default is `required(binding)`), not from a list here.
RSpec.describe "Required keywords of the public methods" do
  # The receivers and the methods to walk, as [label, how to get a receiver, UnboundMethod or Method].
  def self.public_methods_of(klass, instance: true)
    names = instance ? klass.public_instance_methods : klass.singleton_methods
    names.filter_map do |name|
      method = instance ? klass.instance_method(name) : klass.method(name)
      method if method.owner.name.to_s.start_with?("WechatWork") || method.owner.inspect.include?("WechatWork")
    end
  end

  # The keywords a signature marks `required(binding)`, in order.
  def self.required_keywords(method)
    tree = RubyVM::AbstractSyntaxTree.of(method)
    return [] unless tree # attr_reader, C methods

    args = tree.children[1]
    keyword = args.children[7]
    names = []
    while keyword
      assign, keyword = keyword.children
      name, default = assign.children
      names << name if default.is_a?(RubyVM::AbstractSyntaxTree::Node) && default.type == :FCALL && default.children.first == :required
    end
    names
  end

  WALKED = {
    "WechatWork::Client" => public_methods_of(WechatWork::Client),
    "WechatWork::TemplateCard" => public_methods_of(WechatWork::TemplateCard, instance: false),
    "WechatWork::Webhook" => public_methods_of(WechatWork::Webhook),
    "WechatWork::Callback" => public_methods_of(WechatWork::Callback),
    "WechatWork::Callback::Sender" => [WechatWork::Callback::Sender.instance_method(:initialize)],
    "WechatWork::JsSdk" => public_methods_of(WechatWork::JsSdk, instance: false),
    "WechatWork::Simulator" => public_methods_of(WechatWork::Simulator),
    "WechatWork::Simulator (class)" => public_methods_of(WechatWork::Simulator, instance: false)
  }.freeze

  let(:client) { WechatWork::Client.new(corp_id: "ww1", secret: "s", agent_id: 1_000_002, base_url: "http://127.0.0.1:9") }
  let(:callback) { WechatWork::Callback.new(token: "t", encoding_aes_key: "k" * 43, corp_id: "ww1") }

  def receiver_for(group)
    case group
    when "WechatWork::Client" then client
    when "WechatWork::Webhook" then WechatWork::Webhook.new("key")
    when "WechatWork::Callback" then callback
    when "WechatWork::TemplateCard" then WechatWork::TemplateCard
    when "WechatWork::JsSdk" then WechatWork::JsSdk
    end
  end

  # Calls the method with a placeholder for each positional parameter and no keywords.
  def call_without_keywords(group, method, &block)
    positional = method.parameters.count { |type, _| type == :req }
    args = Array.new(positional, "x")
    case group
    when "WechatWork::Callback::Sender" then WechatWork::Callback::Sender.new(*args)
    when "WechatWork::Simulator" then WechatWork::Simulator.run { |sim| sim.public_send(method.name, *args) }
    else receiver_for(group).public_send(method.name, *args)
    end
  rescue WechatWork::KeywordError => e
    block.call(e)
  end

  it "walks the methods the task names, not an empty list" do
    walked = WALKED.flat_map { |group, methods| methods.select { |m| self.class.required_keywords(m).any? }.map { |m| "#{group} #{m.name}" } }
    expect(walked).to include("WechatWork::Client send_textcard", "WechatWork::Client update_template_card",
                              "WechatWork::Client oauth_authorize_url", "WechatWork::TemplateCard text_notice",
                              "WechatWork::Callback verify_url", "WechatWork::JsSdk signature")
    expect(walked.size).to be > 30
  end

  WALKED.each do |group, methods|
    methods.each do |method|
      it "#{group} #{method.name}: no keyword is required by Ruby's signature (it could not say what it is for)" do
        expect(method.parameters.select { |type, _| type == :keyreq }).to eq([])
      end

      keywords = required_keywords(method)
      next if keywords.empty?

      it "#{group} #{method.name} without #{keywords.map { "#{_1}:" }.join(", ")} names each, with what it is for" do
        raised = nil
        call_without_keywords(group, method) { |e| raised = e }
        expect(raised).to be_a(ArgumentError)
        expect(raised.missing).to eq(keywords)
        expect(raised.unknown).to eq([])
        parts = keywords.map { |k| "#{k}: is missing: [^;\\s][^;]{8,}" }
        expect(raised.message).to match(/\A#{Regexp.escape(raised.method_name)}: #{parts.join("; ")}\z/)
        expect(raised.method_name).to end_with(method.name == :initialize ? ".new" : method.name.to_s)
      end
    end
  end
end
