# frozen_string_literal: true

module WechatWork
  module Testing
    # What a test expects of a sent (or enqueued) message, and how it differs from what the
    # block did. Shared by the RSpec matchers and the Minitest assertions.
    #
    #   to:      a userid (or department id) among the recipients, or an Array of them (all)
    #   msgtype: :text, :textcard, :template_card...
    #   content: a String (contained) or a Regexp matched against the text a person reads
    #   app:     the configured app (:default, :approvals) or :robot for group robots
    #   chat:    the chatid of an app group chat
    class Expectation
      KEYS = %i[to msgtype content app chat].freeze

      # How failure messages name what the block did: messages it sent (the client's sends,
      # recorded by the test mode), or deliveries it enqueued (outbox rows of WechatWork.deliver_later).
      Kind = Struct.new(:source, :verb, :article, :noun, :one, :many, :done, :nothing, :elsewhere, keyword_init: true) do
        def count(n) = "#{n} #{n == 1 ? one : many}"
      end
      SENT = Kind.new(source: :sent, verb: "send", article: "a", noun: "WeCom message", one: "message", many: "messages", done: "sent",
                      nothing: "nothing was sent by the block",
                      elsewhere: "sent %s directly (with WechatWork.client, not through the outbox)")
      ENQUEUED = Kind.new(source: :enqueued, verb: "enqueue", article: "an", noun: "enqueued WeCom delivery",
                          one: "delivery", many: "deliveries", done: "enqueued",
                          nothing: "nothing was enqueued by the block (it wrote no WechatWork::Delivery outbox row)",
                          elsewhere: "enqueued %s (WechatWork.deliver_later writes an outbox row; its job sends it later)")

      attr_reader :criteria, :kind

      # criteria: a Hash of the KEYS above (not keywords, so that kind: cannot be one by mistake).
      def initialize(criteria, kind: SENT)
        Arguments.only!(criteria, KEYS, "a WeCom message expectation")

        @kind = kind
        @criteria = criteria.compact
      end

      def matches?(delivery)
        criteria.all? do |key, expected|
          case key
          when :to then Array(expected).all? { |id| (delivery.users + delivery.parties).include?(id.to_s) || delivery.users.include?("@all") }
          when :msgtype then delivery.msgtype.to_s == expected.to_s
          when :content then expected.is_a?(Regexp) ? expected.match?(delivery.text) : delivery.text.include?(expected.to_s)
          when :app then delivery.app.to_s == expected.to_s
          when :chat then delivery.chatid.to_s == expected.to_s
          end
        end
      end

      # "a WeCom message to: "lilei"", "an enqueued WeCom delivery msgtype: :text"
      def description = "#{kind.article} #{subject}"

      # The same without the article: "expected no WeCom message to: ...".
      def subject = "#{kind.noun}#{criteria_text}"

      # What a matcher does: "send a WeCom message to: "lilei"", "enqueue a WeCom delivery".
      def action = "#{kind.verb} a WeCom #{kind.one}#{criteria_text}"

      # ' to: "lilei", content: /15:00/', or "" without criteria.
      def criteria_text = criteria.map { |k, v| " #{k}: #{v.inspect}" }.join(",")

      # The block's messages of this kind, from a Capture (enqueued is nil without an outbox: none).
      def found_in(capture) = Array(capture.public_send(kind.source))

      # What the block did instead (a Capture): a diff of the expectation against each message
      # of the kind looked for or, when there is none, what it did of the other kind. counting:
      # some matched, but not as many as expected (an empty diff is a match).
      def mismatch(capture, counting: false)
        found = found_in(capture)
        return nothing_of_this_kind(capture) if found.empty?

        lines = [counting ? "the block #{kind.done} #{kind.count(found.size)}:" : "#{kind.count(found.size)} #{kind.done} instead:"]
        expected = criteria.to_h { |k, v| [k, shown(v)] }
        found.each_with_index do |d, i|
          lines << "  ##{i + 1}: #{summary(d).inspect}"
          diff = differ.diff(diff_text(summary(d).slice(*expected.keys)), diff_text(expected)).to_s
          # Without its hunk headers ("@@ -1,3 +1,7 @@"): the diff of a few fields is one hunk.
          diff = diff.lines.reject { _1.start_with?("@@") || _1.chomp.empty? }.join.chomp
          lines << diff.gsub(/^/, "    ") unless diff.empty?
        end
        lines.join("\n")
      end

      # Each message of `list`, one line each (what a negated matcher or a count reports).
      def listing(list) = list.each_with_index.map { |d, i| "  ##{i + 1}: #{summary(d).inspect}" }.join("\n")

      def summary(delivery)
        { to: (delivery.users + delivery.parties.map { "party #{_1}" }).join("|"), msgtype: delivery.msgtype.to_s,
          content: delivery.text, app: delivery.app.to_s, chat: delivery.chatid.to_s }
      end

      private

      def nothing_of_this_kind(capture)
        other = kind == ENQUEUED ? SENT : ENQUEUED
        others = Array(capture.public_send(other.source))
        return kind.nothing if others.empty?

        "#{kind.nothing}, but it #{format(other.elsewhere, other.count(others.size))}:\n#{listing(others)}"
      end

      def shown(value)
        case value
        when Regexp then value.inspect
        when Array then value.map(&:to_s).join("|")
        else value.to_s
        end
      end

      # One "key: value" line per field; a value of several lines (a markdown content, a card's
      # title and description) goes under its key, each line indented, so none reads as a key.
      def diff_text(fields)
        fields.map do |key, value|
          next "#{key}: #{value}\n" unless value.include?("\n")

          "#{key}: |\n#{value.split("\n", -1).map { "  #{_1}\n" }.join}"
        end.join
      end

      # RSpec's differ when rspec-support is there (Minitest apps may not have it): "-" lines
      # are what was expected, "+" lines what was sent, as in RSpec's own diffs.
      def differ
        @differ ||= begin
          require "rspec/support"
          require "rspec/support/differ"
          ::RSpec::Support::Differ.new(color: false)
        rescue LoadError
          PlainDiffer.new
        end
      end

      # Expected and sent lines side by side when rspec-support is not installed.
      class PlainDiffer
        def diff(actual, expected)
          (expected.lines.map { "-#{_1}" } + actual.lines.map { "+#{_1}" }).join
        end
      end
    end
  end
end
