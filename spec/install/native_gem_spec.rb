# frozen_string_literal: true

require "open3"
require "rubygems/package"

# rake native:gem: what the platform gem holds. bin/gem-smoke installs it with cargo out of PATH.
RSpec.describe "rake native:gem" do
  root = File.expand_path("../..", __dir__)
  minor = RUBY_VERSION[/\d+\.\d+/]

  before(:all) do
    skip "rake compile has not run (this would start a full cargo build)" unless
      File.file?(File.join(root, "lib/wechat_work/wechat_work.#{RbConfig::CONFIG["DLEXT"]}"))
    out, status = Open3.capture2e({ "RUBIES" => RbConfig.ruby }, "rake", "native:gem", chdir: root)
    raise "rake native:gem failed:\n#{out}" unless status.success?

    @path = File.join(root, "pkg/wechat_work-#{WechatWork::VERSION}-#{Gem::Platform.local}.gem")
    @spec = Gem::Package.new(@path).spec
  end

  it "is a #{Gem::Platform.local} gem with a library for this Ruby and nothing to compile" do
    expect(@spec.platform).to eq(Gem::Platform.local)
    expect(@spec.extensions).to be_empty
    expect(@spec.files).to include("lib/wechat_work/#{minor}/wechat_work.#{RbConfig::CONFIG["DLEXT"]}",
                                   "lib/wechat_work.rb", "exe/wechat_work")
    expect(@spec.files.grep(%r{\A(ext|crates)/|Cargo|\.rs\z})).to be_empty
    expect(@spec.files.grep(%r{\Alib/wechat_work/wechat_work\.})).to be_empty
    expect(@spec.executables).to eq(["wechat_work"])
  end

  it "requires exactly the Ruby minors it carries" do
    expect(@spec.required_ruby_version).to be_satisfied_by(Gem::Version.new("#{minor}.0"))
    expect(@spec.required_ruby_version).to be_satisfied_by(Gem::Version.new("#{minor}.99"))
    next_minor = minor.split(".").then { |major, m| "#{major}.#{m.to_i + 1}.0" }
    expect(@spec.required_ruby_version).not_to be_satisfied_by(Gem::Version.new(next_minor))
    expect(@spec.required_ruby_version).not_to be_satisfied_by(Gem::Version.new("#{next_minor}.preview1"))
  end
end
