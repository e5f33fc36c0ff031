# frozen_string_literal: true

require "fileutils"
require "rake"
require "rbconfig"

# Builds the native extension for one Ruby the way `gem install` does (extconf.rb writes a
# Makefile, make runs cargo), for `rake compile` and `rake native:gem`. cargo's own progress
# goes to stderr; a heads-up comes first when the build will take a while.
module NativeBuild
  extend Rake::FileUtilsExt

  ROOT = File.expand_path("..", __dir__)
  SOURCES = %w[Cargo.toml Cargo.lock crates/*/Cargo.toml crates/*/build.rs crates/*/src/**/*.rs
               ext/wechat_work/Cargo.toml ext/wechat_work/src/**/*.rs].freeze

  module_function

  # The shared cargo target directory: WECHAT_WORK_TARGET_DIR, else CARGO_TARGET_DIR, else target/.
  def target_dir
    ENV["WECHAT_WORK_TARGET_DIR"] ||= ENV.fetch("CARGO_TARGET_DIR", File.join(ROOT, "target"))
  end

  # The Ruby minor ("3.1") and library extension ("so") of another Ruby binary.
  def ruby_info(ruby)
    out = IO.popen([ruby, "-e", 'print RUBY_VERSION[/\d+\.\d+/], " ", RbConfig::CONFIG["DLEXT"]'], &:read)
    raise "cannot run #{ruby}" unless $?.success? && out.include?(" ")

    out.split(" ", 2)
  end

  # Runs extconf.rb with `ruby` (so cargo binds against that Ruby through RUBY) and make, in
  # build_dir. Returns the built library's path.
  def build(ruby:, build_dir:)
    _minor, dlext = ruby_info(ruby)
    target = target_dir
    announce(target)
    FileUtils.mkdir_p(build_dir)
    Dir.chdir(build_dir) do
      sh ruby, File.join(ROOT, "ext/wechat_work/extconf.rb"), verbose: false
      sh "make", verbose: false
    end
    File.join(build_dir, "wechat_work.#{dlext}")
  end

  # Says what is about to happen unless the library looks up to date (then cargo prints one line).
  def announce(target)
    profile = ENV.fetch("WECHAT_WORK_PROFILE", "release")
    library = Dir[File.join(target, profile, "{lib,}wechat_work.{so,dylib,dll}")].max_by { |f| File.mtime(f) }
    newest_source = Dir[*SOURCES.map { |pattern| File.join(ROOT, pattern) }].map { |f| File.mtime(f) }.max
    if !File.directory?(File.join(target, profile, "deps"))
      $stderr.puts "wechat_work: building the Rust extension (#{profile}) in #{target}. The first build compiles " \
                   "about 150 crates and takes 2-4 minutes; cargo's progress follows."
    elsif library.nil? || (newest_source && newest_source > File.mtime(library))
      $stderr.puts "wechat_work: building the Rust extension (#{profile}); the sources changed since the last " \
                   "build (usually under a minute)."
    end
  end
end
