# frozen_string_literal: true

module WechatWork
  # Turns the `to:` of a send into message/send's touser / toparty / totag. One rule at every
  # level: a single id or an Array of them; userids are Strings, department and tag ids are
  # Integers (or Strings of digits).
  #
  #   "lilei"                                  # one member
  #   %w[lilei hanmeimei]                      # members
  #   { users: %w[lilei], parties: [2], tags: 5 }
  #   :all                                     # everyone the app can see ("@all")
  module Recipients
    KEYS = { users: "touser", parties: "toparty", tags: "totag" }.freeze

    module_function

    def to_fields(to, name: "to")
      fields =
        case to
        when :all, "@all" then { "touser" => "@all" }
        when String, Symbol then { "touser" => userids(to, name) }
        when Array then { "touser" => userids(to, name) }
        when Hash then from_hash(to, name)
        when Integer
          raise ::ArgumentError, "#{name}: #{to} is not a userid (userids are Strings); for department #{to} " \
                                 "write #{name}: { parties: [#{to}] }"
        when nil then raise ::ArgumentError, "#{name}: is missing"
        else
          raise ::ArgumentError, "#{name}: must be a userid, an Array of userids, a Hash with users:/parties:/tags:, " \
                                 "or :all; got #{to.class}"
        end
      fields.reject! { |_, v| v.empty? }
      raise ::ArgumentError, "no recipient: #{name}: is empty" if fields.empty?

      fields
    end

    def from_hash(to, name)
      Arguments.only!(to, KEYS.keys, "#{name}:")

      to.each_with_object({}) do |(key, ids), fields|
        kind = key.to_sym
        fields[KEYS.fetch(kind)] = kind == :users ? userids(ids, "#{name}: users:") : numeric_ids(ids, "#{name}: #{kind}:")
      end
    end

    def userids(ids, name)
      Array(ids).map do |id|
        unless id.is_a?(String) || id.is_a?(Symbol)
          hint = id.is_a?(Integer) ? "; for department #{id} write to: { parties: [#{id}] }" : ""
          raise ::ArgumentError, "#{name} #{id.inspect} is not a userid: userids are Strings#{hint}"
        end
        text = Arguments.utf8!(id.to_s, name).strip
        raise ::ArgumentError, "#{name} has an empty userid" if text.empty?
        raise ::ArgumentError, "#{name} userids cannot contain '|' (#{text.inspect})" if text.include?("|")

        text
      end.join("|")
    end

    def numeric_ids(ids, name)
      Array(ids).map do |id|
        valid = (id.is_a?(Integer) && id.positive?) || (id.is_a?(String) && id.match?(/\A\s*\d+\s*\z/) && id.to_i.positive?)
        raise ::ArgumentError, "#{name} #{id.inspect} is not an id: department and tag ids are positive Integers" unless valid

        id.to_s.strip
      end.join("|")
    end
  end
end
