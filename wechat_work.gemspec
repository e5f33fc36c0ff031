# frozen_string_literal: true

require_relative "lib/wechat_work/version"

Gem::Specification.new do |spec|
  spec.name = "wechat_work"
  spec.version = WechatWork::VERSION
  spec.summary = "Enterprise WeChat (WeCom) for Rails, with a Rust core"
  spec.description = "Sends WeCom app messages, handles callbacks and logins, with cached tokens, " \
                     "retries, fork and thread safety in a Rust core, and ships a local WeCom simulator for tests."
  spec.authors = ["wechat_work developers"]
  spec.license = "MIT"
  spec.required_ruby_version = ">= 3.1"
  spec.files = Dir[
    "lib/**/*.rb", "lib/**/*.rake", "lib/generators/**/templates/*", "exe/*", "ext/wechat_work/extconf.rb", "ext/wechat_work/Cargo.toml", "ext/wechat_work/src/**/*.rs",
    "crates/*/Cargo.toml", "crates/*/src/**/*.rs", "Cargo.toml", "Cargo.lock", "README.md", "LICENSE"
  ]
  spec.bindir = "exe"
  spec.executables = ["wechat_work"]
  spec.require_paths = ["lib"]
  spec.extensions = ["ext/wechat_work/extconf.rb"]
  spec.metadata["rubygems_mfa_required"] = "true"
end
