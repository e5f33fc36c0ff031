# frozen_string_literal: true

require "open3"
require "json"
require "timeout"
require "tmpdir"

# A 20 MB upload and a 20 MB download must stream: the client reads the file from disk in
# chunks and writes the answer to disk in chunks, never holding the file in memory.
#
# How: a simulator runs in its own process (exe/wechat_work simulator), and the client runs in
# another child process (spec/client/media_memory_probe.rb), so neither the simulator's copy of
# the file nor this rspec process's memory is counted. The probe warms every code path up with
# a small file, then for each transfer resets the kernel's peak-RSS mark (VmHWM, via
# /proc/self/clear_refs) and reports how far the peak rose above the resident set (VmRSS)
# before the transfer.
#
# The bound, MAX_GROWTH = 8 MiB: holding the file once, the least any non-streaming
# implementation does (a String, a buffered body), costs 20 MiB; streaming costs 64 KiB chunks,
# socket buffers and allocator arenas, about 1-2 MiB when this was written. 8 MiB leaves room
# for allocator differences and stays far below one copy of the file.
RSpec.describe "media upload and download memory", if: File.readable?("/proc/self/status") do
  root = File.expand_path("../..", __dir__)
  file_size = 20 * 1024 * 1024
  max_growth = 8 * 1024 * 1024

  it "keeps a 20 MB upload and download within #{max_growth / 1024 / 1024} MiB of the RSS before them" do
    Dir.mktmpdir do |dir|
      large = File.join(dir, "large.bin")
      File.open(large, "wb") { |f| 20.times { f.write(Random.bytes(1024 * 1024)) } }
      expect(File.size(large)).to eq(file_size)

      simulator = [RbConfig.ruby, "-I", File.join(root, "lib"), File.join(root, "exe/wechat_work"),
                   "simulator", "--port", "0", "--secret", "memory-secret", "--agent-id", "1000002"]
      Open3.popen2e(*simulator) do |stdin, out, wait|
        stdin.close
        banner = +""
        Timeout.timeout(60) { banner << out.gets.to_s until banner.include?("Ctrl-C") || wait.join(0) }
        base_url = banner[%r{listening on (http://\S+)}, 1]
        expect(base_url).not_to be_nil, banner

        probe = [RbConfig.ruby, File.join(__dir__, "media_memory_probe.rb"), base_url,
                 WechatWork::Simulator::DEFAULT_CORP_ID, "memory-secret", "1000002", large]
        output, errors, status = Open3.capture3(*probe)
        expect(status).to be_success, errors
        report = JSON.parse(output)

        expect(report["downloaded_sizes"]).to eq([file_size, file_size])
        expect(report["same_bytes"]).to be(true)
        %w[upload download_to_path download_to_io].each do |transfer|
          expect(report[transfer]["growth"]).to be < max_growth,
                                                "#{transfer}: the peak RSS grew #{report[transfer]["growth"]} bytes " \
                                                "(limit #{max_growth}): #{report[transfer]}"
        end
      ensure
        Process.kill("TERM", wait.pid) if wait&.alive?
        wait&.join
      end
    end
  end
end
