# frozen_string_literal: true

module WechatWork
  # What a download wrote: its size in bytes, the Content-Type WeCom answered and the file name
  # it gave (nil when it gave none).
  #
  #   info = client.download_media(media_id, to: "tmp/cv.pdf")
  #   info.size          # => 48213
  #   info.filename      # => "cv.pdf"
  #   info.content_type  # => "application/pdf"
  class Download
    attr_reader :size, :content_type, :filename

    def self.from_native(info)
      new(size: info["size"], content_type: info["content_type"], filename: info["filename"])
    end

    def initialize(size:, content_type:, filename:)
      @size = size
      @content_type = content_type
      @filename = filename
      freeze
    end

    def [](key) = to_h[key.to_sym]
    def to_h = { size: size, content_type: content_type, filename: filename }
    def ==(other) = other.is_a?(Download) && other.to_h == to_h
    alias eql? ==
    def hash = to_h.hash
    def inspect = "#<#{self.class} size=#{size} content_type=#{content_type.inspect} filename=#{filename.inspect}>"
    alias to_s inspect
  end
end
