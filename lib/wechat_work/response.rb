# frozen_string_literal: true

module WechatWork
  # The answer to a send (message/send, appchat/send, robots): a Resource that also names the
  # fields of partial failures.
  #
  #   response = client.send_text(to: %w[lilei ghost], content: "hi")
  #   response.msgid              # for recall
  #   response.invalid_users      # => ["ghost"] (WeCom lower-cases them)
  #   response.response_code      # interactive template cards: for update_template_card
  class Response < Resource
    # The API that answered (message/send); not part of the Hash.
    attr_reader :path

    def initialize(body = {}, path: nil)
      @path = path
      super(body)
    end

    def errcode = fetch("errcode", 0)
    def errmsg = self["errmsg"]
    def msgid = self["msgid"]
    def response_code = self["response_code"]
    def invalid_users = ids("invaliduser")
    def invalid_parties = ids("invalidparty")
    def invalid_tags = ids("invalidtag")
    def unlicensed_users = ids("unlicenseduser")

    def inspect = "#<#{self.class.name} #{path} #{to_h.inspect}>"

    private

    # message/send joins ids with "|"; update_template_card answers an Array.
    def ids(key)
      value = self[key]
      list = value.is_a?(Array) ? value : value.to_s.split("|")
      list.map { |id| id.to_s.strip }.reject(&:empty?)
    end
  end
end
