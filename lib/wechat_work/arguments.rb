# frozen_string_literal: true

require "json"

module WechatWork
  # Checks of the caller's values before they become JSON, so a mistake raises an
  # ArgumentError that names the argument instead of a JSON::GeneratorError (or a request);
  # and of the keywords a method is given: unknown ones (with their near miss) and missing
  # required ones (with what they are for).
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

    # ---- keywords: the one place the gem refuses a keyword or reports a missing one ----------

    NOTHING = [].freeze

    # Refuses the keys of `given` that are not `allowed`, each with its near miss among what the
    # method takes: "send_textcard does not take btntext: (did you mean btntxt:?); it takes ...".
    # The block, run only when something is refused, gives the method's other keywords (those of
    # its signature) for the suggestions and the list. Allocates nothing when every key is allowed:
    # it runs on every send.
    def only!(given, allowed, method_name)
      given.each_key do |key|
        next if allowed.include?(key) || (key.is_a?(String) && allowed.include?(key.to_sym))

        takes = block_given? ? yield | allowed : allowed
        refuse!(method_name, given.keys.map(&:to_sym) - allowed, takes)
      end
      nil
    end

    # Raises the KeywordError for `unknown` keywords, and for the `missing` required ones that
    # none of them is a near miss of (with what each is for, from `descriptions`).
    def refuse!(method_name, unknown, takes, missing: NOTHING, descriptions: nil, more: nil)
      suggestions = unknown.to_h { |key| [key, near_miss(key, takes)] }.compact
      message = refusal(method_name, unknown, takes, suggestions: suggestions, more: more)
      unexplained = missing - suggestions.values
      message = "#{message}; #{absence(unexplained, descriptions)}" unless unexplained.empty?
      raise KeywordError.new(message, method_name: method_name, unknown: unknown, suggestions: suggestions, missing: missing)
    end

    # "app(:approvals) does not take secert: (did you mean secret:?); it takes corp_id:, secret:, ..."
    # more: what else the method takes, in words ("the message's fields").
    def refusal(method_name, unknown, takes, suggestions: unknown.to_h { |key| [key, near_miss(key, takes)] }.compact,
                more: nil)
      refused = unknown.map { |key| suggestions[key] ? "#{key}: (did you mean #{suggestions[key]}:?)" : "#{key}:" }
      listed = takes.map { |key| "#{key}:" }.join(", ")
      listed = listed.empty? ? more : "#{listed} and #{more}" if more
      "#{method_name} does not take #{refused.join(", ")}; it takes #{listed.to_s.empty? ? "no keywords" : listed}"
    end

    # The word of `dictionary` (Symbols or Strings) that `word` most likely misspells, or nil.
    def near_miss(word, dictionary)
      require "did_you_mean"
      DidYouMean::SpellChecker.new(dictionary: dictionary.map(&:to_s)).correct(word.to_s).first&.to_sym
    rescue LoadError
      nil
    end

    # The keyword names of a Method or UnboundMethod's signature, in order.
    def keywords_of(method) = method.parameters.filter_map { |type, name| name if type == :key || type == :keyreq }

    # "description: is missing: the card's text, under the title; url: is missing: ..."
    def absence(missing, descriptions) = missing.map { |key| "#{key}: is missing: #{descriptions.fetch(key)}" }.join("; ")

    # What each method's required keywords are for, by the module that defines the method.
    DECLARED = {}.compare_by_identity
    Declaration = Struct.new(:descriptions, :rest)

    def declare(owner, method, rest, descriptions)
      raise ::ArgumentError, "required_keywords #{method}: say what each required keyword is for" if descriptions.empty?

      (DECLARED[owner] ||= {})[method.to_sym] = Declaration.new(descriptions.freeze, rest).freeze
    end

    # What `required(binding)` runs when a required keyword of the method `name` is missing;
    # `frame` is the method's binding while Ruby fills its keywords in (the ones given are set;
    # the missing ones are still nil, as are those given as nil). Unknown keywords in its **rest
    # come first, then every required keyword that is nil, with what it is for.
    def missing_keywords!(frame, name)
      receiver = frame.receiver
      owner = declaring_module(receiver, name)
      raise NotImplementedError, "#{name} has required(binding) keywords but no required_keywords declaration" unless owner

      declaration = DECLARED[owner][name]
      parameters = owner.instance_method(name).parameters
      method_name = method_label(receiver, name)
      missing = declaration.descriptions.keys.select { |key| frame.local_variable_get(key).nil? }
      rest_name = parameters.find { |type, _| type == :keyrest }&.last
      rest = rest_name ? frame.local_variable_get(rest_name).keys.map(&:to_sym) : NOTHING
      listed = declaration.rest.is_a?(Array) ? declaration.rest : NOTHING
      # A free-form **rest (a message's fields) holds anything: only a near miss of a missing
      # keyword is a mistake there.
      unknown = declaration.rest.is_a?(Array) ? rest - listed : rest.select { |key| near_miss(key, missing) }
      unless unknown.empty?
        takes = parameters.filter_map { |type, key| key if type == :key || type == :keyreq } | listed
        refuse!(method_name, unknown, takes, missing: missing, descriptions: declaration.descriptions,
                                             more: declaration.rest.is_a?(String) ? declaration.rest : nil)
      end

      raise KeywordError.new("#{method_name}: #{absence(missing, declaration.descriptions)}",
                             method_name: method_name, unknown: NOTHING, suggestions: {}, missing: missing)
    end

    # The module whose required_keywords declare `method` for this receiver.
    def declaring_module(receiver, method)
      candidates = receiver.is_a?(Module) ? [receiver, *receiver.singleton_class.ancestors] : receiver.class.ancestors
      candidates.find { |mod| DECLARED[mod]&.key?(method) }
    end

    # How messages name the method: as it is called. Client's methods by their name (client.send_textcard),
    # the others with their class: "TemplateCard.text_notice", "Callback#verify_url", "Callback::Sender.new".
    def method_label(receiver, method)
      owner = receiver.is_a?(Module) ? receiver : receiver.class
      name = owner.name.to_s
      return method.to_s if receiver.is_a?(Client) || !name.start_with?("WechatWork::")

      short = name.delete_prefix("WechatWork::")
      return "#{short}.new" if method == :initialize

      receiver.is_a?(Module) ? "#{short}.#{method}" : "#{short}##{method}"
    end

    # Required keywords that say what they are for. A module (or class) includes this, declares
    # each method's required keywords once, next to the method, and marks them in the signature:
    #
    #   required_keywords :send_textcard, rest: MESSAGE_OPTIONS,
    #                     title: "the card's title", url: "the page the card opens when tapped", ...
    #   def send_textcard(title: required(binding), url: required(binding), to: nil, **options)
    #
    # Ruby evaluates a keyword's default only when the keyword is missing, so a call that has its
    # keywords never runs `required` (nothing is allocated or checked); a call without them gets
    # "send_textcard: url: is missing: the page the card opens when tapped", every missing keyword
    # in one message, after any unknown keyword of **rest (rest: the keys it takes, or a String
    # saying what it takes when it is free-form). Ruby's own `missing keyword: :url` would come
    # from the signature, before the method could say anything.
    module Keywords
      def self.included(base) = base.extend(Declaring)
      def self.extended(base) = base.extend(Declaring)

      # The class-level (module-level) macro.
      module Declaring
        private

        def required_keywords(method, rest: nil, **descriptions) = Arguments.declare(self, method, rest, descriptions)
      end

      private

      # The default of a required keyword: `title: required(binding)`.
      def required(frame) = Arguments.missing_keywords!(frame, caller_locations(1, 1).first.base_label.to_sym)
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
