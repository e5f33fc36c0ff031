# frozen_string_literal: true

module WechatWork
  module Testing
    # What a test expects of a sent message, and how it differs from what was sent. Shared by
    # the RSpec matchers and the Minitest assertions.
    #
    #   to:      a userid (or department id) among the recipients, or an Array of them (all)
    #   msgtype: :text, :textcard, :template_card...
    #   content: a String (contained) or a Regexp matched against the text a person reads
    #   app:     the configured app (:default, :approvals) or :robot for group robots
    #   chat:    the chatid of an app group chat
    class Expectation
      KEYS = %i[to msgtype content app chat].freeze

      attr_reader :criteria

      def initialize(**criteria)
        Arguments.only!(criteria, KEYS, "a WeCom message expectation")

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

      def description
        return "a WeCom message" if criteria.empty?

        "a WeCom message #{criteria.map { |k, v| "#{k}: #{v.inspect}" }.join(", ")}"
      end

      # What was sent instead, as a diff of the expectation against each sent message.
      def mismatch(sent)
        return "nothing was sent (WechatWork::Testing.deliveries is empty)" if sent.empty?

        expected = criteria.transform_values { |v| v.is_a?(Regexp) ? v.inspect : v.to_s }
        lines = ["#{sent.size} message#{"s" unless sent.size == 1} sent instead:"]
        sent.each_with_index do |d, i|
          actual = summary(d).slice(*expected.keys)
          lines << "  ##{i + 1}: #{summary(d).inspect}"
          lines << differ.diff(actual.map { |k, v| "#{k}: #{v}" }.join("\n") + "\n",
                               expected.map { |k, v| "#{k}: #{v}" }.join("\n") + "\n").to_s.gsub(/^/, "    ")
        end
        lines.join("\n")
      end

      def summary(delivery)
        { to: (delivery.users + delivery.parties.map { "party #{_1}" }).join("|"), msgtype: delivery.msgtype.to_s,
          content: delivery.text, app: delivery.app.to_s, chat: delivery.chatid.to_s }
      end

      private

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
