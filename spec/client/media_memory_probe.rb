# frozen_string_literal: true

# Run by spec/client/media_memory_spec.rb in a child process (never by rspec itself): uploads
# and downloads one large file with the client against a simulator running in ANOTHER process,
# and prints, as JSON, how far the resident set grew above its level before each transfer.
#
#   ruby spec/client/media_memory_probe.rb BASE_URL CORP_ID SECRET AGENT_ID FILE
$LOAD_PATH.unshift(File.expand_path("../../lib", __dir__))
require "wechat_work"
require "json"
require "tmpdir"

base_url, corp_id, secret, agent_id, path = ARGV
client = WechatWork::Client.new(corp_id: corp_id, secret: secret, agent_id: Integer(agent_id),
                                base_url: base_url, timeout: 300)

def status_bytes(key)
  File.read("/proc/self/status")[/^#{key}:\s+(\d+) kB/, 1].to_i * 1024
end

# Resets VmHWM (the peak resident set) to the current VmRSS, where the kernel allows it
# (Linux >= 4.0). Without it, VmHWM is the peak since the process started: still an upper bound.
def reset_peak
  File.write("/proc/self/clear_refs", "5")
  true
rescue SystemCallError
  false
end

# The growth of the peak resident set while the block runs, above the resident set before it.
def peak_growth
  GC.start
  peak_reset = reset_peak
  before = status_bytes("VmRSS")
  yield
  { "before" => before, "peak" => status_bytes("VmHWM"), "growth" => status_bytes("VmHWM") - before,
    "peak_reset" => peak_reset }
end

Dir.mktmpdir do |dir|
  # Warm up every code path once with a small file (threads, connection pool, allocator arenas),
  # so the measurements below see what a large file adds, not the first call's setup.
  small = File.join(dir, "small.bin")
  File.binwrite(small, "x" * 4096)
  2.times do
    id = client.upload_media(:file, small)
    client.download_media(id, to: File.join(dir, "small.out"))
    File.open(File.join(dir, "small.io"), "wb") { |io| client.download_media(id, to: io) }
  end

  media_id = nil
  upload = peak_growth { media_id = client.upload_media(:file, path) }
  to_path = File.join(dir, "large.out")
  download_path = peak_growth { client.download_media(media_id, to: to_path) }
  to_io = File.join(dir, "large.io")
  download_io = peak_growth { File.open(to_io, "wb") { |io| client.download_media(media_id, to: io) } }

  puts JSON.generate(
    "upload" => upload, "download_to_path" => download_path, "download_to_io" => download_io,
    "downloaded_sizes" => [File.size(to_path), File.size(to_io)],
    "same_bytes" => FileUtils.compare_file(path, to_path) && FileUtils.compare_file(path, to_io)
  )
end
