# frozen_string_literal: true

module WechatWork
  class Callback
    # Reads a POSTed callback body without ever holding more than the limit: a Content-Length
    # over it is refused before reading anything, and at most limit + 1 bytes are read from the
    # stream, so a chunked body (no Content-Length) or one longer than it says stops there.
    # Used by RackApp and the Rails controller.
    module Body
      module_function

      # The declared length is over the limit: refuse without reading. content_length: the
      # CONTENT_LENGTH header (a String or Integer, nil when absent).
      def declared_too_large?(content_length, limit = MAX_BODY)
        declared = declared_length(content_length)
        declared ? declared > limit : false
      end

      # => the body (a binary String), or nil when it is longer than limit.
      def read(input, limit = MAX_BODY)
        return +"" unless input

        body = String.new(encoding: Encoding::BINARY)
        while body.bytesize <= limit
          chunk = input.read(limit + 1 - body.bytesize)
          break if chunk.nil? || chunk.empty?

          body << chunk
        end
        input.rewind if input.respond_to?(:rewind)
        body.bytesize > limit ? nil : body
      end

      def declared_length(content_length)
        return nil if content_length.nil?
        return content_length if content_length.is_a?(Integer)

        Integer(content_length.to_s.strip, 10, exception: false)
      end
    end
  end
end
