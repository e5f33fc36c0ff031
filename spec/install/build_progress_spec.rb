# frozen_string_literal: true

require "tmpdir"
require "fileutils"
require_relative "../../rakelib/native_build"

# rake compile (and so bin/test, bin/demo) says what is happening before a slow build, and stays
# quiet when the library is up to date (cargo then prints its one "Finished" line).
RSpec.describe NativeBuild do
  around do |example|
    profile = ENV.delete("WECHAT_WORK_PROFILE") # these examples use the default, release
    Dir.mktmpdir("wechat_work-target") do |dir|
      @target = dir
      example.run
    end
  ensure
    ENV["WECHAT_WORK_PROFILE"] = profile if profile
  end

  def library
    File.join(@target, "release/libwechat_work.so")
  end

  it "announces the first build and how long it takes" do
    expect { described_class.announce(@target) }
      .to output(/building the Rust extension \(release\) in #{Regexp.escape(@target)}\. The first build .* 2-4 minutes/)
      .to_stderr
  end

  it "announces a rebuild when a source is newer than the library" do
    FileUtils.mkdir_p(File.join(@target, "release/deps"))
    FileUtils.touch(library)
    newest = Dir[*NativeBuild::SOURCES.map { |pattern| File.join(NativeBuild::ROOT, pattern) }].map { |f| File.mtime(f) }.max
    File.utime(newest - 60, newest - 60, library)
    expect { described_class.announce(@target) }.to output(/the sources changed since the last build/).to_stderr
  end

  it "says nothing when the library is newer than every source" do
    FileUtils.mkdir_p(File.join(@target, "release/deps"))
    FileUtils.touch(library)
    File.utime(Time.now + 3600, Time.now + 3600, library)
    expect { described_class.announce(@target) }.not_to output.to_stderr
  end
end
