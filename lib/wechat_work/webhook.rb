# frozen_string_literal: true

require "uri"
require "base64"
require "digest/md5"
require_relative "transport"

module WechatWork
  # A group robot (群机器人, "消息推送"): posts to one group chat through its webhook key. No
  # corp id, no secret, no token: the key is the credential, so it is kept out of #inspect,
  # errors and logs like a secret.
  #
  #   robot = WechatWork::Webhook.new(ENV["WECOM_ROBOT_URL"])   # or just the key
  #   robot.send_text("Build #42 failed", mentioned: ["lilei"])
  #   robot.send_markdown("**Interview** with <font color=\"info\">Han Meimei</font> at 15:00")
  #   robot.send_image("tmp/chart.png")
  #   robot.send_file("tmp/report.pdf")
  #
  # WeCom lets each robot send 20 messages a minute: the 21st raises WechatWork::RateLimitError
  # (retry_after: 60). Limits are checked before sending (text 2048 bytes, markdown 4096,
  # images 2 MB JPG/PNG, files 20 MB, voice 2 MB AMR). Every send returns true.
  class Webhook
    include Transport

    # The webhook URL WeCom shows when a robot is added to a group.
    URL_PATTERN = %r{\A(?<base>https?://[^/?#]+(?:/[^?#]*?)?)/cgi-bin/webhook/send/?\z}
    CARD_TYPES = %w[text_notice news_notice].freeze
    ROBOT_MEDIA_TYPES = %i[file voice].freeze

    attr_reader :base_url, :timeout, :logger

    # key_or_url: the robot's key, or its whole webhook URL
    # ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..."; the base URL then comes from
    # it, so a simulator's URL works as it is). base_url: overrides both.
    def initialize(key_or_url, base_url: nil, timeout: WechatWork.configuration.timeout,
                   open_timeout: WechatWork.configuration.open_timeout,
                   max_retries: WechatWork.configuration.max_retries, logger: WechatWork.configuration.logger, **unknown)
      Arguments.only!(unknown, Arguments::NOTHING, "Webhook.new") { Arguments.keywords_of(method(:initialize)) }
      key, url_base = parse_key_or_url(key_or_url)
      @base_url = Options.base_url(base_url || url_base || WechatWork.configuration.base_url)
      @timeout = Options.seconds(timeout, :timeout)
      @logger = Options.logger(logger)
      @native = Native::Client._new(
        "webhook_key" => key, "base_url" => @base_url, "timeout" => @timeout,
        "open_timeout" => Options.seconds(open_timeout, :open_timeout), "max_retries" => Options.max_retries(max_retries)
      )
    end

    # Text up to 2048 bytes. mentioned: userids to @ (or :all); mentioned_mobiles: phone
    # numbers to @ (or :all).
    def send_text(content, mentioned: [], mentioned_mobiles: [])
      text = { content: Arguments.string!(content, "content") }
      users = mention_list(mentioned, "mentioned")
      mobiles = mention_list(mentioned_mobiles, "mentioned_mobiles")
      text[:mentioned_list] = users unless users.empty?
      text[:mentioned_mobile_list] = mobiles unless mobiles.empty?
      post("text", text)
    end

    # WeCom's markdown (up to 4096 bytes): <font color="info|comment|warning">, <@userid>, links,
    # quotes, bold, headings.
    def send_markdown(content)
      post("markdown", { content: Arguments.string!(content, "content") })
    end

    # markdown_v2 (up to 4096 bytes): tables, nested lists, code blocks, images; no <font> and
    # no <@userid>.
    def send_markdown_v2(content)
      post("markdown_v2", { content: Arguments.string!(content, "content") })
    end

    # A JPG or PNG of at most 2 MB (a path, a Pathname or an IO), sent as base64 with its md5.
    def send_image(io_or_path)
      bytes = read_image(io_or_path)
      post("image", { base64: Base64.strict_encode64(bytes), md5: Digest::MD5.hexdigest(bytes) })
    end

    # articles: 1 to 8 Hashes with title: and url:, optionally description: and picurl:.
    def send_news(articles)
      unless articles.is_a?(Array) && articles.all?(Hash)
        raise ::ArgumentError, "articles must be an Array of Hashes (title:, url:, description:, picurl:), got #{articles.class}"
      end

      post("news", { articles: articles })
    end

    # A text_notice or news_notice card: a Hash in WeCom's template_card shape or a
    # WechatWork::TemplateCard. Robots cannot receive answers, so no interactive cards.
    def send_template_card(card)
      hash = card.respond_to?(:to_template_card) ? card.to_template_card : card
      raise ::ArgumentError, "card must be a Hash in WeCom's template_card shape or a TemplateCard, got #{card.class}" unless hash.is_a?(Hash)

      card_type = (hash[:card_type] || hash["card_type"]).to_s
      unless CARD_TYPES.include?(card_type)
        raise ::ArgumentError, "a robot sends text_notice or news_notice cards (it cannot receive answers), " \
                               "got card_type #{card_type.empty? ? "nil" : card_type.inspect}"
      end

      post("template_card", hash)
    end

    # A file of up to 20 MB, uploaded through the robot's own webhook/upload_media first.
    # io_or_path: a path, a Pathname, a File, or an IO with filename: (shown in the chat).
    def send_file(io_or_path, filename: nil)
      post("file", { media_id: robot_upload(:file, io_or_path, filename, "send_file") })
    end

    # A voice message: AMR, up to 2 MB (60 seconds), uploaded like send_file.
    def send_voice(io_or_path, filename: nil)
      post("voice", { media_id: robot_upload(:voice, io_or_path, filename, "send_voice") })
    end

    # Uploads a file for this robot (type :file or :voice) and returns its media_id, valid 3
    # days and usable only by this robot.
    def upload_media(type, io_or_path, filename: nil)
      kind = type.is_a?(String) || type.is_a?(Symbol) ? type.to_s.downcase.to_sym : nil
      unless ROBOT_MEDIA_TYPES.include?(kind)
        raise ::ArgumentError, "type must be :file or :voice for a robot, got #{type.inspect}"
      end

      robot_upload(kind, io_or_path, filename, "upload_media(:#{kind})")
    end

    def inspect
      "#<#{self.class} base_url=#{base_url.inspect} key=[FILTERED]>"
    end
    alias to_s inspect

    private

    def post(msgtype, payload)
      call("webhook/send", { "msgtype" => msgtype, msgtype => payload })
      true
    end

    # Uploads through webhook/upload_media; the core's size and format errors name `label`.
    def robot_upload(kind, io_or_path, filename, label)
      shown_name = Arguments.optional_string!(filename, "filename")
      as_ruby_call(label, "webhook/upload_media") do
        upload("webhook/upload_media", { type: kind.to_s }, io_or_path, filename: shown_name).media_id
      end
    end

    def parse_key_or_url(value)
      text = value.is_a?(String) || value.is_a?(Symbol) ? value.to_s.strip : nil
      if text.nil? || text.empty?
        raise ::ArgumentError, "key_or_url must be the robot's webhook key or URL, got #{value.nil? ? "nil" : value.class}"
      end
      return [text, nil] unless text.match?(%r{\Ahttps?://}i)

      uri = URI.parse(text)
      key = URI.decode_www_form(uri.query.to_s).to_h["key"].to_s
      match = URL_PATTERN.match("#{uri.scheme}://#{uri.host}#{":#{uri.port}" if uri.port != uri.default_port}#{uri.path}")
      if match.nil? || key.empty?
        raise ::ArgumentError, "key_or_url is not a robot's webhook URL: expected " \
                               "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..., got #{redacted(text)}"
      end

      [key, match[:base]]
    rescue URI::InvalidURIError
      raise ::ArgumentError, "key_or_url is not a valid URL: #{redacted(text)}"
    end

    # The URL with its query (the key) hidden.
    def redacted(url)
      url.sub(/\?.*/m, "?[FILTERED]")
    end

    def mention_list(value, name)
      list = value.is_a?(Array) ? value : [value]
      list.compact.map do |entry|
        entry == :all ? "@all" : Arguments.string!(entry, "#{name} (each a userid, a mobile or :all)")
      end
    end

    # The image's bytes, refused before reading the whole of a file over 2 MB or not JPG/PNG.
    def read_image(source)
      max = LIMITS.fetch(:robot_image_bytes)
      bytes = with_image_io(source) { |io| io.read(max + 1) }.to_s.b
      if bytes.bytesize > max
        raise ::ArgumentError, "the image is over #{max} bytes (2 MB); a robot takes JPG or PNG images up to 2 MB"
      end
      raise ::ArgumentError, "the image is #{bytes.bytesize} bytes; WeCom needs files larger than 5 bytes" if bytes.bytesize <= 5
      unless bytes.start_with?("\xFF\xD8\xFF".b) || bytes.start_with?("\x89PNG\r\n\x1A\n".b)
        raise ::ArgumentError, "the image is not a JPG or PNG (a robot takes only those)"
      end

      bytes
    end

    def with_image_io(source, &block)
      case source
      when String, Pathname
        path = source.to_s
        raise ::ArgumentError, "#{path} is not a readable file" unless File.file?(path) && File.readable?(path)

        File.open(path, "rb", &block)
      else
        raise ::ArgumentError, "give an image path or an IO (responds to read), got #{source.class}" unless source.respond_to?(:read)

        yield source
      end
    end

    # What identifies a robot in request.wechat_work events: never its key.
    def instrumentation_context
      { robot: true }
    end
  end
end
