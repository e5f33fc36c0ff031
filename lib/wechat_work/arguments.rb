# frozen_string_literal: true

require "json"

module WechatWork
  # Checks of the caller's values before they become JSON, so a mistake raises an
  # ArgumentError that names the argument instead of a JSON::GeneratorError (or a request).
  # WeCom's own rules (lengths, required fields, counts) are checked by the core.
  module Arguments
    module_function

    # A JSON-ready copy of `value`: Symbols become Strings, keys become Strings. Raises
    # ArgumentError naming the path (`text.content`) for invalid UTF-8, NaN or Infinity, and
    # for objects JSON cannot represent.
    def json_ready(value, path = "")
      case value
      when String then utf8!(value, path)
      when Symbol then utf8!(value.to_s, path)
      when Integer, true, false, nil then value
      when Float
        raise ::ArgumentError, "#{label(path)} is #{value}, which JSON cannot carry: give a finite number" unless value.finite?

        value
      when Hash
        value.each_with_object({}) do |(k, v), out|
          key = k.is_a?(Symbol) ? k.to_s : k
          raise ::ArgumentError, "#{label(path)} has a key #{k.inspect}: keys must be Strings or Symbols" unless key.is_a?(String)

          out[utf8!(key, path)] = json_ready(v, path.empty? ? key : "#{path}.#{key}")
        end
      when Array then value.each_with_index.map { |v, i| json_ready(v, "#{path}[#{i}]") }
      when Time then value.to_i
      else
        raise ::ArgumentError, "#{label(path)} is a #{value.class}, which has no JSON form: give a String, a number, " \
                               "true/false, nil, an Array or a Hash"
      end
    end

    # JSON text of a checked value. Most values are plain already (UTF-8 Strings, Symbols,
    # numbers, Hashes and Arrays of them): those go straight to the generator; the others are
    # converted, or refused with the path, by #json_ready.
    def generate(value) = JSON.generate(plain?(value) ? value : json_ready(value))

    # Whether JSON.generate would give the same text as #json_ready, without allocating.
    def plain?(value)
      case value
      when String
        (value.encoding == Encoding::UTF_8 || value.encoding == Encoding::US_ASCII) && value.valid_encoding?
      when Symbol, Integer, true, false, nil then true
      when Float then value.finite?
      when Hash
        value.each_pair { |k, v| return false unless (k.is_a?(Symbol) || plain?(k) && k.is_a?(String)) && plain?(v) }
        true
      when Array
        value.each { |v| return false unless plain?(v) }
        true
      else false
      end
    end

    # The text as valid UTF-8: UTF-8, ASCII and binary Strings must already be UTF-8 bytes;
    # text in another encoding (GBK...) is transcoded.
    def utf8!(text, path)
      if [Encoding::UTF_8, Encoding::US_ASCII, Encoding::BINARY].include?(text.encoding)
        utf8 = text.encoding == Encoding::UTF_8 ? text : text.dup.force_encoding(Encoding::UTF_8)
        return utf8 if utf8.valid_encoding?
      else
        begin
          return text.encode(Encoding::UTF_8)
        rescue EncodingError
          utf8 = text.dup.force_encoding(Encoding::UTF_8)
        end
      end
      bad = utf8.scrub { |bytes| "\\x#{bytes.unpack1("H*")}" }
      raise ::ArgumentError, "#{label(path)} is not valid UTF-8 (#{bad[0, 60].inspect}): WeCom takes UTF-8 text; " \
                             "fix the source, or clean it with String#scrub"
    end

    def label(path) = path.empty? ? "the value" : path

    # Refuses keywords a method does not take, naming them and what it takes.
    def only!(given, allowed, method)
      unknown = given.keys.map(&:to_sym) - allowed
      return if unknown.empty?

      raise ::ArgumentError, "#{method} does not take #{unknown.map { |k| "#{k}:" }.join(", ")}; " \
                             "it takes #{allowed.map { |k| "#{k}:" }.join(", ")}"
    end

    # A non-empty String (or Symbol) argument.
    def string!(value, name)
      case value
      when String, Symbol
        text = value.to_s
        raise ::ArgumentError, "#{name} is empty" if text.strip.empty?

        utf8!(text, name)
      when nil then raise ::ArgumentError, "#{name} is missing"
      else raise ::ArgumentError, "#{name} must be a String, got #{value.inspect} (#{value.class})"
      end
    end

    def optional_string!(value, name) = value.nil? ? nil : string!(value, name)

    # A positive Integer (or a String of digits).
    def positive_integer!(value, name)
      number = case value
               when Integer then value
               when String then Integer(value, 10, exception: false)
               end
      return number if number&.positive?

      raise ::ArgumentError, "#{name} must be a positive Integer, got #{value.inspect}"
    end

    # A Time (or Integer Unix seconds) as Unix seconds.
    def unix_time!(value, name)
      case value
      when Integer then value
      when Time then value.to_i
      else
        return value.to_time.to_i if value.respond_to?(:to_time) && !value.is_a?(String)

        raise ::ArgumentError, "#{name} must be a Time (or Unix seconds), got #{value.inspect}"
      end
    end

    # Seconds as an Integer, from a Numeric or an ActiveSupport::Duration.
    def seconds!(value, name)
      return value.to_i if value.is_a?(Numeric) && value.positive? && value.to_f.finite?

      raise ::ArgumentError, "#{name} must be a positive number of seconds, got #{value.inspect}"
    end

    # An Array of userids (a single one is allowed).
    def userids!(value, name)
      list = value.is_a?(Array) ? value : [value]
      list.map { |id| string!(id, "#{name} (a userid)") }
    end
  end
end
