# frozen_string_literal: true

module WechatWork
  # Turns the `to:` of a send into message/send's touser / toparty / totag.
  #
  #   "zhangsan"                              # one member
  #   %w[zhangsan lisi]                       # members
  #   { users: %w[zhangsan], parties: [2], tags: [5] }
  #   :all                                    # everyone the app can see ("@all")
  module Recipients
    KEYS = { users: "touser", parties: "toparty", tags: "totag" }.freeze

    module_function

    def to_fields(to)
      fields =
        case to
        when :all, "@all" then { "touser" => "@all" }
        when String, Symbol then { "touser" => to.to_s }
        when Array then { "touser" => join(to, :users) }
        when Hash then from_hash(to)
        else raise ::ArgumentError, "to: must be a userid, an Array of userids, a Hash with users:/parties:/tags:, or :all; got #{to.class}"
        end
      fields.reject! { |_, v| v.strip.empty? }
      raise ::ArgumentError, "no recipient: to: is empty" if fields.empty?

      fields
    end

    def from_hash(to)
      unknown = to.keys.map(&:to_sym) - KEYS.keys
      raise ::ArgumentError, "to: accepts users:, parties: and tags:, not #{unknown.join(", ")}" unless unknown.empty?

      to.each_with_object({}) do |(key, ids), fields|
        fields[KEYS.fetch(key.to_sym)] = join(Array(ids), key)
      end
    end

    def join(ids, kind)
      ids.map do |id|
        text = id.to_s.strip
        raise ::ArgumentError, "#{kind}: ids cannot contain '|' (#{text.inspect})" if text.include?("|")

        text
      end.join("|")
    end
  end
end
