# frozen_string_literal: true

require "webrick"
require "logger"
require "stringio"

# Known-answer vectors from wechatpy's test suite (tests/test_crypto.py) and a local server.
module CallbackHelpers
  TOKEN = "123456"
  KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
  CORP = "wx49f0ab532d5d035a"
  OTHER_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

  URL_SIG = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
  URL_TS = "1411443780"
  URL_NONCE = "437374425"
  ECHOSTR = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="

  MSG_SIG = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
  MSG_TS = "1411525903"
  MSG_NONCE = "461056294"
  MSG_BODY = <<~XML
    <xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>
    <Encrypt><![CDATA[RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=]]></Encrypt>
    <AgentID><![CDATA[1]]></AgentID>
    </xml>
  XML

  def callback(**options)
    WechatWork::Callback.new(token: TOKEN, encoding_aes_key: KEY, corp_id: CORP, **options)
  end

  # The known-answer vectors are requests recorded in 2014: a Callback that replays them has
  # the timestamp window off, as a tool replaying stored requests would.
  def vector_callback(**options)
    callback(timestamp_window: false, **options)
  end

  # The URL verification GET WeCom would send (signed now by default): its query parameters.
  def signed_get(cb, echo = "5927782489442352469", timestamp: Time.now.to_i.to_s, nonce: URL_NONCE)
    echostr = cb.instance_variable_get(:@native)._encrypt(echo)
    { "msg_signature" => cb.signature(timestamp: timestamp, nonce: nonce, encrypt: echostr), "timestamp" => timestamp,
      "nonce" => nonce, "echostr" => echostr }
  end

  # A signed, encrypted POST body for plaintext xml, as WeCom would send it.
  def signed_post(cb, xml, timestamp: Time.now.to_i.to_s, nonce: WechatWork::Callback.nonce)
    encrypt = cb.instance_variable_get(:@native)._encrypt(xml)
    params = { "msg_signature" => cb.signature(timestamp: timestamp, nonce: nonce, encrypt: encrypt),
               "timestamp" => timestamp, "nonce" => nonce }
    [params, "<xml><ToUserName><![CDATA[#{CORP}]]></ToUserName><Encrypt><![CDATA[#{encrypt}]]></Encrypt></xml>"]
  end

  def text_xml(content, msg_id: "4363689963896700987", from: "zhangsan", create_time: 1411525903)
    "<xml><ToUserName><![CDATA[#{CORP}]]></ToUserName><FromUserName><![CDATA[#{from}]]></FromUserName>" \
      "<CreateTime>#{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>" \
      "<Content><![CDATA[#{content}]]></Content><MsgId>#{msg_id}</MsgId><AgentID>1</AgentID></xml>"
  end

  def event_xml(event, from: "zhangsan", create_time: 1411525903, extra: "")
    "<xml><ToUserName><![CDATA[#{CORP}]]></ToUserName><FromUserName><![CDATA[#{from}]]></FromUserName>" \
      "<CreateTime>#{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>" \
      "<Event><![CDATA[#{event}]]></Event>#{extra}<AgentID>1</AgentID></xml>"
  end

  # Runs a Rack app on WEBrick on 127.0.0.1 (a thread per request, like Puma). => base URL
  def serve(app)
    require "rack"
    require "rack/handler/webrick"
    server = WEBrick::HTTPServer.new(BindAddress: "127.0.0.1", Port: 0, Logger: WEBrick::Log.new(File::NULL),
                                     AccessLog: [])
    server.mount "/", Rack::Handler::WEBrick, app
    thread = Thread.new { server.start }
    callback_servers << [server, thread]
    "http://127.0.0.1:#{server.config[:Port]}"
  end

  def callback_servers = (@callback_servers ||= [])

  def string_logger
    io = StringIO.new
    [Logger.new(io), io]
  end
end

# A request body stream that would go on for `size` bytes, counting what is read from it (a
# chunked upload, or a Content-Length that lies).
class EndlessBody
  attr_reader :bytes_read

  def initialize(size)
    @left = size
    @bytes_read = 0
  end

  def read(length = nil, buffer = nil)
    return (length.nil? || length.zero? ? +"" : nil) if @left.zero?

    n = [length || @left, @left, 64 * 1024].min
    @left -= n
    @bytes_read += n
    chunk = "x" * n
    buffer ? buffer.replace(chunk) : chunk
  end

  def set_encoding(*) = self
  def rewind = 0
  def each = nil
  def close = nil
end

RSpec.configure do |config|
  config.include CallbackHelpers
  config.after do
    callback_servers.each do |server, thread|
      server.shutdown
      thread.join(5)
    end
  end
end
