# frozen_string_literal: true

require "tempfile"
require "uri"
require "pathname"
require "stringio"
require_relative "download"

module WechatWork
  # The plumbing between a Ruby object and its WechatWork::Native::Client, shared by
  # WechatWork::Client (an app) and WechatWork::Webhook (a group robot): registered calls,
  # uploads and downloads, each inside one request.wechat_work event and logged per HTTP
  # attempt. The including class sets @native and @logger and defines
  # #instrumentation_context (what identifies it in events, never a secret).
  module Transport
    private

    # Calls the registered endpoint `name` with `params` (checked by its record). => Resource
    def call(name, params = {})
      body = instrumented(name, "call") do |trace|
        leave(:call, name, params) { |json| @native._call(name, json, trace) }
      end
      Resource.new(body)
    end

    # Like #call, for sends: => Response (msgid, invalid_users...).
    def deliver(name, params)
      body = instrumented(name, "call") do |trace|
        leave(:call, name, params) { |json| @native._call(name, json, trace) }
      end
      Response.new(body, path: name)
    end

    # Uploads `source` (a path, a Pathname, or an IO) to the multipart endpoint `name`. Paths
    # stream from disk; other IOs are copied to a temporary file in chunks first, so a 20 MB
    # file never becomes a Ruby String. The core checks the file's size and name against
    # WeCom's limits before sending anything.
    def upload(name, params, source, filename: nil, content_type: nil)
      with_source_file(source, filename) do |path, shown_name|
        body = instrumented(name, "upload") do |trace|
          leave(:upload, name, params) { |json| @native._upload(name, json, path, shown_name, content_type, trace) }
        end
        Resource.new(body)
      end
    end

    # Streams the file answer of `name` to `to` (a path, a Pathname, or an IO). => Download
    # (size, content_type, filename).
    def download(name, params, to:)
      if to.is_a?(String) || to.is_a?(Pathname)
        info = instrumented(name, "download") do |trace|
          leave(:download, name, params) { |json| @native._download(name, json, to.to_s, trace) }
        end
        return Download.from_native(info)
      end
      raise ::ArgumentError, "to: must be a path or an IO (responds to write), got #{to.class}" unless to.respond_to?(:write)

      Tempfile.create(["wechat_work", ".download"]) do |tmp|
        tmp.close
        info = instrumented(name, "download") do |trace|
          leave(:download, name, params) { |json| @native._download(name, json, tmp.path, trace) }
        end
        File.open(tmp.path, "rb") { |file| IO.copy_stream(file, to) }
        Download.from_native(info)
      end
    end

    # The one place a call leaves Ruby: the native client, or (in test mode) the fake that
    # checks the call with the core and records or answers it without a request.
    def leave(kind, name, params)
      json = Arguments.generate(params)
      return Testing.perform(self, kind, name, json) if testing?

      yield json
    rescue NetworkError => e
      raise unreachable(e)
    end

    LOOPBACK_HOSTS = %w[127.0.0.1 localhost ::1 [::1]].freeze

    # Nothing listens at a local base_url: in development that is a simulator not started yet.
    def unreachable(error)
      return error unless error.connect_failed? && respond_to?(:base_url)

      uri = URI(base_url)
      return error unless LOOPBACK_HOSTS.include?(uri.host)

      error.exception("#{error.message}: nothing answers at #{base_url}. Is the WeCom simulator running? Start it with " \
                      "`bin/rails wechat_work:simulator` (a Rails app) or `bundle exec wechat_work simulator --port #{uri.port}`")
    rescue URI::Error
      error
    end

    def testing? = defined?(Testing.enabled?) && Testing.enabled?

    # Re-raises the block's ArgumentErrors (the core's checks name the API: "media/upload: ...")
    # as the Ruby method the caller used: "upload_media(:image): big.png is 10485768 bytes; ...".
    def as_ruby_call(label, endpoint)
      yield
    rescue ::ArgumentError => e
      raise ::ArgumentError, "#{label}: #{e.message.delete_prefix("#{endpoint}: ")}", e.backtrace
    end

    def with_source_file(source, filename)
      case source
      when String, Pathname
        path = source.to_s
        raise ::ArgumentError, "#{path} is not a readable file" unless File.file?(path) && File.readable?(path)

        yield path, (filename || File.basename(path)).to_s
      else
        unless source.respond_to?(:read)
          raise ::ArgumentError, "give a file path or an IO (responds to read), got #{source.class}"
        end

        if source.respond_to?(:path) && source.path && File.file?(source.path.to_s) && !source.is_a?(StringIO)
          yield source.path.to_s, (filename || File.basename(source.path.to_s)).to_s
        else
          raise ::ArgumentError, "filename: is needed to upload from a #{source.class} (WeCom shows it and checks its extension)" unless filename

          Tempfile.create(["wechat_work", File.extname(filename.to_s)]) do |tmp|
            tmp.binmode
            IO.copy_stream(source, tmp)
            tmp.flush
            yield tmp.path, filename.to_s
          end
        end
      end
    end

    # Runs a native call with a trace Array the core fills with one entry per HTTP attempt,
    # inside the request.wechat_work event; then logs each attempt. Neither the logger nor a
    # subscriber can turn the call's result into an exception.
    def instrumented(name, kind)
      # Nobody listens and no logger: no trace, no event payload (the common case in a job).
      return yield(nil) unless observed?

      trace = []
      payload = { endpoint: name, kind: kind }.merge(instrumentation_context)
      begin
        Instrumentation.instrument(Instrumentation::REQUEST, payload) do |p|
          yield(trace)
        ensure
          summarize(p, trace) if trace
        end
      ensure
        log_attempts(trace) if trace && !trace.empty?
      end
    end

    def observed?
      !@logger.nil? || Instrumentation.listening?
    end

    def summarize(payload, trace)
      last = trace.last || {}
      payload.merge!(attempts: trace, method: last[:method], path: last[:path], status: last[:status],
                     errcode: last[:errcode], outcome: last[:outcome])
    end

    def log_attempts(trace)
      trace.each do |event|
        Instrumentation.log(@logger, :debug) do
          format("[wechat_work] %<method>s %<path>s status=%<status>s errcode=%<errcode>s attempt=%<attempt>d %<outcome>s (%<ms>.1fms)",
                 **event, ms: event[:duration] * 1000)
        end
      end
    end
  end
end
