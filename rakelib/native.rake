# frozen_string_literal: true

# The precompiled platform gem: lib/wechat_work/<ruby minor>/wechat_work.so for each Ruby built,
# no extension to compile at install time (no Rust, no libclang needed), no Rust sources.
#
#   rake native:gem                                                  # this Ruby
#   RUBIES="/usr/bin/ruby /opt/ruby-3.3/bin/ruby" rake native:gem     # one library per Ruby minor
require "rubygems/package"
require_relative "native_build"

namespace :native do
  desc "Build pkg/wechat_work-VERSION-<platform>.gem with a precompiled library per Ruby in RUBIES (default: this Ruby)"
  task :gem do
    rubies = ENV.fetch("RUBIES", RbConfig.ruby).split
    # A distributed library is always the release profile, whatever WECHAT_WORK_PROFILE says.
    ENV["WECHAT_WORK_PROFILE"] = "release"
    stage = File.join(NativeBuild::ROOT, "tmp/native/stage")
    FileUtils.rm_rf(stage)

    libraries = rubies.to_h do |ruby|
      minor, = NativeBuild.ruby_info(ruby)
      $stderr.puts "native:gem: Ruby #{minor} (#{ruby})"
      [minor, NativeBuild.build(ruby: ruby, build_dir: File.join(NativeBuild::ROOT, "tmp/native", minor))]
    end
    abort "native:gem: RUBIES names two Rubies of the same minor version" if libraries.size < rubies.size

    spec = Dir.chdir(NativeBuild::ROOT) { Gem::Specification.load("wechat_work.gemspec") }
    spec.platform = Gem::Platform.local
    spec.extensions = []
    sorted = libraries.keys.sort_by { |minor| Gem::Version.new(minor) }
    major, last = sorted.last.split(".").map(&:to_i)
    spec.required_ruby_version = [">= #{sorted.first}", "< #{major}.#{last + 1}.dev"]
    spec.files = spec.files.grep_v(%r{\A(ext|crates)/|\ACargo\.(toml|lock)\z})
    spec.files.each do |file|
      FileUtils.mkdir_p(File.join(stage, File.dirname(file)))
      FileUtils.cp(File.join(NativeBuild::ROOT, file), File.join(stage, file))
    end
    libraries.each do |minor, library|
      file = "lib/wechat_work/#{minor}/#{File.basename(library)}"
      FileUtils.mkdir_p(File.join(stage, File.dirname(file)))
      FileUtils.cp(library, File.join(stage, file))
      spec.files += [file]
    end

    pkg = File.join(NativeBuild::ROOT, "pkg")
    FileUtils.mkdir_p(pkg)
    Dir.chdir(stage) do
      built = Gem::Package.build(spec)
      FileUtils.mv(built, File.join(pkg, built))
      $stderr.puts "native:gem: pkg/#{built} (Ruby #{sorted.join(", ")}, #{spec.platform})"
    end
  end
end
