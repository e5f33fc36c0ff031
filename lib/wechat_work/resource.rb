# frozen_string_literal: true

module WechatWork
  # Every answer of the client: hash-like with WeCom's own field names, plus a reader per field
  # (nested Hashes are Resources too). Callback messages work the same way.
  #
  #   user = client.user("lilei")
  #   user["name"]         # WeCom's key
  #   user[:name]          # same
  #   user.name            # reader
  #   user.department      # => [2]
  #   user.extattr.attrs   # nested
  #   user.to_h            # plain Hash with String keys (safe to enqueue or store)
  class Resource
    include Enumerable

    # WeCom keys that are not snake_case get a snake_case reader too: "UserId" => user_id.
    def self.underscore(key)
      key = key.to_s
      # WeCom's JSON keys are snake_case already; the callbacks' XML names are not.
      return key unless key.match?(/[A-Z-]/)

      key.gsub(/([A-Z\d]+)([A-Z][a-z])/, '\1_\2').gsub(/([a-z\d])([A-Z])/, '\1_\2').tr("-", "_").downcase
    end

    # Wraps Hashes (and Hashes in Arrays) as Resources; other values stay as they are.
    def self.wrap(value)
      case value
      when Resource then value
      when Hash then new(value)
      when Array then value.map { |v| wrap(v) }.freeze
      else value
      end
    end

    NO_NAMES = {}.freeze
    private_constant :NO_NAMES

    def initialize(body = {})
      @body = body.to_h { |k, v| [k.to_s, Resource.wrap(v)] }.freeze
      # Only keys that are not snake_case need a second name (most answers have none).
      names = nil
      @body.each_key do |k|
        name = Resource.underscore(k)
        (names ||= {})[name] = k unless name.equal?(k)
      end
      @names = names ? names.freeze : NO_NAMES
      freeze
    end

    def [](key)
      key = key.to_s
      @body.fetch(key) { @body[@names[key]] }
    end

    def fetch(key, *default, &block)
      real = @body.key?(key.to_s) ? key.to_s : @names.fetch(key.to_s, key.to_s)
      @body.fetch(real, *default, &block)
    end

    def key?(key) = @body.key?(key.to_s) || @names.key?(key.to_s)
    alias has_key? key?
    alias include? key?

    def dig(key, *rest)
      value = self[key]
      rest.empty? || value.nil? ? value : value.dig(*rest)
    end

    def each(&block) = @body.each(&block)
    def keys = @body.keys
    def values = @body.values
    def size = @body.size
    def empty? = @body.empty?

    # A plain, deep Hash with WeCom's String keys.
    def to_h
      @body.transform_values { |v| self.class.plain(v) }
    end
    alias to_hash to_h

    def as_json(*) = to_h
    def to_json(*args) = to_h.to_json(*args)

    def ==(other)
      other.respond_to?(:to_h) && to_h == self.class.plain(other.to_h)
    end
    alias eql? ==

    def hash = to_h.hash

    def inspect = "#<#{self.class.name} #{@body.inspect}>"
    def to_s = inspect

    def respond_to_missing?(name, include_private = false)
      key?(name) || super
    end

    def method_missing(name, *args, &block)
      text = name.to_s
      key = @body.key?(text) ? text : @names[text]
      return super unless key && args.empty? && block.nil?

      @body[key]
    end

    def self.plain(value)
      case value
      when Resource then value.to_h
      when Hash then value.to_h { |k, v| [k.to_s, plain(v)] }
      when Array then value.map { |v| plain(v) }
      else value
      end
    end
  end
end
