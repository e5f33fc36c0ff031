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
class FakeWecom
  Request = Struct.new(:method, :path, :params, :body, :headers, keyword_init: true) do
    def json = JSON.parse(body)
  end

  attr_reader :corp_id, :secret, :requests, :delivered

  def self.start(**options) = new(**options).tap(&:start)

  def initialize(corp_id: "wwfake0000000001", secret: "fake-secret-#{rand(1 << 32)}", token_delay: 0)
    @corp_id = corp_id
    @secret = secret
    @token_delay = token_delay
    @requests = []
    @delivered = []
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
  # [status, body_string], or :hang (never answer), or :close (drop the connection).
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

    unless request.path == "gettoken" || request.params["access_token"] == current_token
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
    return { "errcode" => 404, "errmsg" => "unknown api #{request.path}" } unless request.path == "message/send"

    @lock.synchronize { @delivered << request.json }
    { "errcode" => 0, "errmsg" => "ok", "msgid" => "fake-msg-#{@delivered.size}" }
  end

  def normalize(answer)
    case answer
    when Hash then [200, JSON.generate(answer)]
    when Array, Symbol then answer
    end
  end

  def write(socket, status, body)
    socket.write("HTTP/1.1 #{status} X\r\ncontent-type: application/json\r\ncontent-length: #{body.bytesize}\r\n\r\n#{body}")
  end
end
