# frozen_string_literal: true

require "socket"
require "json"
require "uri"

# An independent WeCom stand-in written in plain Ruby (no code shared with the gem's Rust
# simulator), for end-to-end specs of the client. HTTP/1.1 with keep-alive, one thread per
# connection. Behaviour is scripted per API path:
#
#   server = FakeWecom.start
#   server.on("message/send") { |req| { "errcode" => -1, "errmsg" => "system busy" } }
#   server.count("gettoken")
#
# Unscripted, it answers message/send, media/upload and media/get (files kept in #uploads), and
# the group robot's webhook/send (posts kept in #robot_posts) and webhook/upload_media, whose
# `key` is the credential (an empty key or one starting with "invalid" answers 93000).
class FakeWecom
  Request = Struct.new(:method, :path, :params, :body, :headers, keyword_init: true) do
    def json = JSON.parse(body)
  end

  attr_reader :corp_id, :secret, :requests, :delivered, :uploads, :robot_posts

  def self.start(**options) = new(**options).tap(&:start)

  def initialize(corp_id: "wwfake0000000001", secret: "fake-secret-#{rand(1 << 32)}", token_delay: 0)
    @corp_id = corp_id
    @secret = secret
    @token_delay = token_delay
    @requests = []
    @delivered = []
    @uploads = {}
    @robot_posts = []
    @handlers = {}
    @lock = Mutex.new
    @tokens = 0
    @connections = []
  end

  def start
    @server = TCPServer.new("127.0.0.1", 0)
    @thread = Thread.new { accept_loop }
    self
  end

  def base_url = "http://127.0.0.1:#{@server.addr[1]}"
  def port = @server.addr[1]

  # Script an API path: the block gets a Request and returns a Hash (JSON 200), or
  # [status, body_string] (or [status, body_string, headers]), or :hang (never answer), or
  # :close (drop the connection).
  def on(path, &block)
    @lock.synchronize { @handlers[path] = block }
    self
  end

  def count(path) = @lock.synchronize { @requests.count { |r| r.path == path } }

  def current_token = @lock.synchronize { "fake-token-#{@tokens}" }

  # Makes the current token invalid: the next use answers 40014 and gettoken issues a new one.
  def revoke_token! = @lock.synchronize { @tokens += 1 }

  def stop
    @server&.close
    @thread&.kill
    @lock.synchronize { @connections.each { |c| c.close rescue nil } }
  end

  private

  def accept_loop
    loop do
      socket = @server.accept
      @lock.synchronize { @connections << socket }
      Thread.new(socket) { |s| serve(s) }
    end
  rescue IOError, Errno::EBADF
    nil
  end

  def serve(socket)
    while (request = read_request(socket))
      @lock.synchronize { @requests << request }
      answer = respond(request)
      case answer
      when :hang then sleep
      when :close then return socket.close
      else write(socket, *answer)
      end
    end
  rescue IOError, Errno::ECONNRESET, Errno::EPIPE
    nil
  ensure
    socket.close unless socket.closed?
  end

  def read_request(socket)
    line = socket.gets or return nil
    method, target, = line.split(" ")
    headers = {}
    while (h = socket.gets) && h != "\r\n"
      name, value = h.split(":", 2)
      headers[name.downcase] = value.strip
    end
    body = socket.read(headers.fetch("content-length", "0").to_i).to_s
    uri = URI.parse(target)
    path = uri.path.delete_prefix("/cgi-bin/")
    Request.new(method: method, path: path, params: URI.decode_www_form(uri.query.to_s).to_h, body: body, headers: headers)
  end

  def respond(request)
    handler = @lock.synchronize { @handlers[request.path] }
    return normalize(gettoken(request)) if request.path == "gettoken" && handler.nil?

    if request.path.start_with?("webhook/")
      key = request.params["key"].to_s
      return normalize("errcode" => 93000, "errmsg" => "invalid webhook url, hint: [fake]") if key.empty? || key.start_with?("invalid")
    elsif request.path != "gettoken" && request.params["access_token"] != current_token
      return normalize("errcode" => 40014, "errmsg" => "invalid access_token, hint: [fake]")
    end

    normalize(handler ? handler.call(request) : default(request))
  end

  def gettoken(request)
    sleep @token_delay if @token_delay.positive?
    return { "errcode" => 40013, "errmsg" => "invalid corpid" } unless request.params["corpid"] == corp_id
    return { "errcode" => 40001, "errmsg" => "invalid credential, hint: [fake]" } unless request.params["corpsecret"] == secret

    { "errcode" => 0, "errmsg" => "ok", "access_token" => current_token, "expires_in" => 7200 }
  end

  def default(request)
    case request.path
    when "message/send"
      @lock.synchronize { @delivered << request.json }
      { "errcode" => 0, "errmsg" => "ok", "msgid" => "fake-msg-#{@delivered.size}" }
    when "media/upload", "webhook/upload_media" then store_upload(request)
    when "media/get" then media_file(request.params["media_id"])
    when "webhook/send"
      @lock.synchronize { @robot_posts << request.json.merge("key" => request.params["key"]) }
      { "errcode" => 0, "errmsg" => "ok" }
    else { "errcode" => 404, "errmsg" => "unknown api #{request.path}" }
    end
  end

  # The part named "media" of a multipart body, kept under a new media_id.
  def store_upload(request)
    media = multipart_parts(request).find { |part| part[:name] == "media" && part[:filename] }
    return { "errcode" => 44001, "errmsg" => "empty media data, hint: [fake]" } unless media

    media_id = "fake-media-#{@lock.synchronize { @uploads.size + 1 }}"
    @lock.synchronize { @uploads[media_id] = media }
    { "errcode" => 0, "errmsg" => "", "type" => request.params["type"], "media_id" => media_id,
      "created_at" => Time.now.to_i.to_s }
  end

  def media_file(media_id)
    media = @lock.synchronize { @uploads[media_id] }
    return { "errcode" => 40007, "errmsg" => "invalid media_id, hint: [fake]" } unless media

    [200, media[:data], { "content-type" => media[:content_type] || "application/octet-stream",
                          "content-disposition" => "attachment; filename=\"#{media[:filename]}\"" }]
  end

  # [{name:, filename:, content_type:, data:}] of a multipart/form-data body (enough for a
  # client's upload: the boundary never occurs inside the data it sends).
  def multipart_parts(request)
    boundary = request.headers["content-type"].to_s[/boundary="?([^";]+)"?/, 1]
    return [] unless boundary

    request.body.b.split("--#{boundary}".b).filter_map do |chunk|
      head, data = chunk.delete_prefix("\r\n").split("\r\n\r\n".b, 2)
      next unless data

      disposition = head[/^content-disposition:(.*)$/i, 1].to_s
      { name: disposition[/\bname="([^"]*)"/, 1], filename: disposition[/filename="([^"]*)"/, 1]&.force_encoding("UTF-8"),
        content_type: head[/^content-type:\s*([^\r\n]*)/i, 1], data: data.delete_suffix("\r\n") }
    end
  end

  def normalize(answer)
    case answer
    when Hash then [200, JSON.generate(answer)]
    when Array, Symbol then answer
    end
  end

  def write(socket, status, body, headers = {})
    headers = { "content-type" => "application/json" }.merge(headers, "content-length" => body.bytesize.to_s)
    head = headers.map { |name, value| "#{name}: #{value}\r\n" }.join
    socket.write("HTTP/1.1 #{status} X\r\n".b + head.b + "\r\n".b + body.b)
  end
end
