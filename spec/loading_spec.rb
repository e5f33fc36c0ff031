# frozen_string_literal: true

RSpec.describe WechatWork do
  it "loads the native extension" do
    expect(defined?(WechatWork::Native)).to eq("constant")
  end

  it "builds Ruby exceptions for native errors" do
    error = WechatWork::Error.from_native(:api, "x", errcode: 60020, errmsg: "not allow to access from your ip, hint: [1]", path: "message/send", body: {})
    expect(error).to be_a(WechatWork::IpNotAllowedError)
    expect(error.message).to include("trusted IPs")
    expect(error.message).not_to include("hint:")
  end
end

RSpec.describe "the panic boundary" do
  it "turns a Rust panic into a catchable WechatWork::Error" do
    expect { WechatWork::Native.__panic_without_gvl }.to raise_error(WechatWork::Error, /deliberate panic/)
    # The process, and the extension, carry on.
    expect { WechatWork::Native.__panic_without_gvl }.to raise_error(WechatWork::Error)
  end
end

RSpec.describe "finding the native library" do
  require "open3"
  require "tmpdir"
  require "fileutils"

  root = File.expand_path("..", __dir__)
  dlext = RbConfig::CONFIG["DLEXT"]
  minor = RUBY_VERSION[/\d+\.\d+/]
  built = File.join(root, "lib/wechat_work/wechat_work.#{dlext}")

  # A copy of lib/ without any native library, in a gem-like folder.
  def gem_copy(dir, root, rakefile: true)
    FileUtils.cp_r(File.join(root, "lib"), dir)
    Dir[File.join(dir, "lib/**/*.{so,bundle,dll}")].each { |f| File.delete(f) }
    Dir[File.join(dir, "lib/wechat_work/[0-9]*")].each { |d| FileUtils.rm_rf(d) }
    FileUtils.cp(File.join(root, "Rakefile"), dir) if rakefile
    dir
  end

  # Loads the copy in a clean process (no -I, no installed gems), rescuing LoadError as an app would.
  def load_copy(dir, *ruby_flags)
    script = <<~RUBY
      begin
        require #{File.join(dir, "lib/wechat_work").dump}
        puts "loaded \#{$LOADED_FEATURES.grep(/wechat_work\\.#{RbConfig::CONFIG["DLEXT"]}\\z/).first}"
      rescue LoadError => e
        puts "rescued \#{e.class}"
        puts e.message
      end
    RUBY
    env = { "RUBYOPT" => nil, "RUBYLIB" => nil, "GEM_HOME" => dir, "GEM_PATH" => dir, "BUNDLE_GEMFILE" => nil }
    out, status = Open3.capture2e(env, RbConfig.ruby, *ruby_flags, "-e", script, chdir: dir)
    expect(status).to be_success, out
    out
  end

  around do |example|
    Dir.mktmpdir("wechat_work-load") do |dir|
      @dir = dir
      example.run
    end
  end

  it "says what to run when a checkout or path: gem was never compiled" do
    gem_copy(@dir, root)
    [[], ["--disable-gems"]].each do |flags|
      out = load_copy(@dir, *flags)
      expect(out).to start_with("rescued WechatWork::NativeExtensionMissingError\n")
      expect(out).to include("not built in #{@dir}", "cd #{@dir} && rake compile", "rustup", "libclang-dev",
                             "`git:` source", "precompiled platform gem")
      expect(out.lines.size).to be <= 8
    end
    expect(WechatWork::NativeExtensionMissingError.ancestors).to include(LoadError)
  end

  it "names the Rubies a precompiled gem was built for when this one is not among them" do
    gem_copy(@dir, root, rakefile: false)
    FileUtils.mkdir_p(File.join(@dir, "lib/wechat_work/9.9"))
    FileUtils.touch(File.join(@dir, "lib/wechat_work/9.9/wechat_work.#{dlext}"))
    out = load_copy(@dir)
    expect(out).to include("rescued WechatWork::NativeExtensionMissingError", "for Ruby 9.9, not #{minor}")
  end

  it "lets a library that is there but broken raise its own LoadError" do
    gem_copy(@dir, root)
    File.write(File.join(@dir, "lib/wechat_work/wechat_work.#{dlext}"), "not a library")
    out = load_copy(@dir)
    expect(out).to start_with("rescued LoadError\n")
    expect(out).to include(File.join(@dir, "lib/wechat_work/wechat_work.#{dlext}"))
  end

  it "prefers the precompiled lib/wechat_work/<ruby minor>/ library, then the rake compile one" do
    skip "rake compile has not built #{built}" unless File.file?(built)
    gem_copy(@dir, root)
    FileUtils.cp(built, File.join(@dir, "lib/wechat_work/wechat_work.#{dlext}"))
    expect(load_copy(@dir)).to eq("loaded #{File.join(@dir, "lib/wechat_work/wechat_work.#{dlext}")}\n")

    FileUtils.mkdir_p(File.join(@dir, "lib/wechat_work", minor))
    FileUtils.cp(built, File.join(@dir, "lib/wechat_work", minor, "wechat_work.#{dlext}"))
    File.write(File.join(@dir, "lib/wechat_work/wechat_work.#{dlext}"), "not a library")
    expect(load_copy(@dir)).to eq("loaded #{File.join(@dir, "lib/wechat_work", minor, "wechat_work.#{dlext}")}\n")
  end
end
