# frozen_string_literal: true

module WechatWork
  # A successful WeCom answer. Reads like a Hash with String or Symbol keys, and names the
  # fields of message/send answers.
  #
  #   response = client.send_text(to: "zhangsan", content: "hi")
  #   response.msgid            # => "vcT8gGc-..."
  #   response["msgid"]         # same
  #   response[:invalid_users]  # no: keys are WeCom's ("invaliduser"); use #invalid_users
  class Response
    include Enumerable

    attr_reader :path

    def initialize(body, path: nil)
      @body = body.freeze
      @path = path
    end

    def [](key) = @body[key.to_s]
    def fetch(key, *default, &block) = @body.fetch(key.to_s, *default, &block)
    def key?(key) = @body.key?(key.to_s)
    def dig(key, *rest) = @body.dig(key.to_s, *rest)
    def each(&block) = @body.each(&block)
    def keys = @body.keys
    def to_h = @body.dup
    alias to_hash to_h

    def errcode = @body.fetch("errcode", 0)
    def errmsg = @body["errmsg"]
    def msgid = @body["msgid"]
    def response_code = @body["response_code"]
    def invalid_users = ids("invaliduser")
    def invalid_parties = ids("invalidparty")
    def invalid_tags = ids("invalidtag")
    def unlicensed_users = ids("unlicenseduser")

    def ==(other)
      other.respond_to?(:to_h) && to_h == other.to_h.transform_keys(&:to_s)
    end

    def inspect = "#<#{self.class} #{path} #{@body.inspect}>"
    def to_s = @body.to_s

    private

    def ids(key)
      @body.fetch(key, "").to_s.split("|").map(&:strip).reject(&:empty?)
    end
  end
end
