# frozen_string_literal: true

module WechatWork
  class Client
    # Media (media/upload, media/get, media/uploadimg): files for image, voice, video and file
    # messages, and permanent pictures for mpnews bodies.
    #
    #   media_id = client.upload_media(:file, "tmp/cv.pdf")
    #   client.send_file(to: "lilei", media_id: media_id)
    #   client.download_media(media_id, to: "tmp/copy.pdf")   # => Resource size, content_type, filename
    #
    # WeCom's limits are checked before anything is sent (an ArgumentError naming the file, its
    # size and the limit): every file more than 5 bytes; image JPG/PNG up to 10 MB, voice AMR up
    # to 2 MB, video MP4 up to 10 MB, file up to 20 MB; upload_image JPG/PNG up to 2 MB. Files
    # stream from disk and to disk: a 20 MB upload or download never becomes a Ruby String.
    module Media
      include Arguments::Keywords

      MEDIA_TYPES = %i[image voice video file].freeze

      # Uploads a temporary file and returns its media_id (a String), valid for 3 days and
      # usable by every app of the corp. type: :image, :voice, :video or :file (or a String).
      # io_or_path: a path, a Pathname, a File, or any IO (then filename: is needed: WeCom
      # shows it and checks its extension).
      def upload_media(type, io_or_path, filename: nil)
        kind = media_type(type)
        shown_name = upload_filename(filename)
        as_ruby_call("upload_media(:#{kind})", "media/upload") do
          upload("media/upload", { type: kind }, io_or_path, filename: shown_name).media_id
        end
      end

      # Downloads a temporary file to `to:` (a path, a Pathname or an IO), streamed. Returns a
      # WechatWork::Download: size (bytes), content_type and filename (the name it was uploaded
      # with). An unknown or expired media_id raises WechatWork::MediaError (40007).
      required_keywords :download_media, to: "where to write the file: a path, a Pathname or an IO"
      def download_media(media_id, to: required(binding))
        download("media/get", { media_id: Arguments.string!(media_id, "media_id") }, to: to)
      end

      # Uploads a picture for mpnews bodies (JPG or PNG, up to 2 MB) and returns its permanent
      # URL. WeCom shows it only inside WeCom (pages elsewhere get it blocked).
      def upload_image(io_or_path, filename: nil)
        shown_name = upload_filename(filename)
        as_ruby_call("upload_image", "media/uploadimg") do
          upload("media/uploadimg", {}, io_or_path, filename: shown_name).url
        end
      end

      private

      def media_type(type)
        kind = type.is_a?(String) || type.is_a?(Symbol) ? type.to_s.downcase.to_sym : nil
        return kind.to_s if MEDIA_TYPES.include?(kind)

        raise ::ArgumentError, "type must be one of #{MEDIA_TYPES.map(&:inspect).join(", ")}, got #{type.inspect}"
      end

      def upload_filename(filename)
        Arguments.optional_string!(filename, "filename")
      end
    end
  end
end
