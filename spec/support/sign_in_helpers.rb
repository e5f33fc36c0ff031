# frozen_string_literal: true

require "net/http"
require "uri"
require "cgi"

# Driving sign-in against the simulator: the app runs under Rack::Test, WeCom's sign-in pages
# are the simulator's, reached with Net::HTTP (what a browser does between the two hosts).
module SignInHelpers
  # What Rails.application adds to every request's env (here: the cookie settings).
  class RailsEnv
    def initialize(app, env)
      @app = app
      @env = env
    end

    def call(env) = @app.call(env.merge(@env))
  end

  WXWORK_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) " \
              "Mobile/15E148 wxwork/4.1.20 MicroMessenger/7.0.1 Language/zh ColorScheme/Light"
  BROWSER_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15"

  # One GET on the simulator (no redirect followed). The #fragment is never sent, as in a browser.
  def sim_get(url)
    Net::HTTP.get_response(URI(url))
  end

  # The link to `userid` (or the visitor's, with userid: :visitor) on a simulator sign-in page.
  def sim_pick(page_body, base_url, userid)
    marker = userid == :visitor ? 'class="visitor"' : %(data-userid="#{userid}")
    at = page_body.index(marker) or raise "no #{marker} on the sign-in page:\n#{page_body}"
    href = page_body[at..][/href="([^"]*)"/, 1]
    "#{base_url}#{CGI.unescapeHTML(href)}"
  end

  # From a Location on the simulator to the redirect back to the app: picks `pick` on the
  # page when the simulator shows one (no auto_login). => the app URL with code and state.
  def through_simulator(sim, location, pick: "lilei")
    answer = sim_get(location)
    answer = sim_get(sim_pick(answer.body, sim.base_url, pick)) if answer.code == "200"
    raise "the simulator answered #{answer.code}: #{answer.body}" unless answer.code == "302"

    answer["location"]
  end

  # A Rails app's middleware for `routes`: cookies and the cookie session store, encrypted with
  # a JSON serializer, as a generated Rails app has them (Rails.application.env_config).
  def rails_app_with_session(routes, key: "_app_session")
    require "active_support/messages/rotation_configuration"
    secret = "s" * 64
    env = {
      "action_dispatch.secret_key_base" => secret,
      "action_dispatch.key_generator" =>
        ActiveSupport::CachingKeyGenerator.new(ActiveSupport::KeyGenerator.new(secret, iterations: 1000)),
      "action_dispatch.authenticated_encrypted_cookie_salt" => "authenticated encrypted cookie",
      "action_dispatch.encrypted_cookie_salt" => "encrypted cookie",
      "action_dispatch.encrypted_signed_cookie_salt" => "signed encrypted cookie",
      "action_dispatch.signed_cookie_salt" => "signed cookie",
      "action_dispatch.use_authenticated_cookie_encryption" => true,
      "action_dispatch.encrypted_cookie_cipher" => "aes-256-gcm",
      "action_dispatch.cookies_serializer" => :json,
      "action_dispatch.cookies_rotations" => ActiveSupport::Messages::RotationConfiguration.new,
      "action_dispatch.use_cookies_with_metadata" => true
    }.freeze
    Rack::Builder.new do
      use RailsEnv, env
      use ActionDispatch::Cookies
      use ActionDispatch::Session::CookieStore, key: key
      run routes
    end
  end

  # Query parameters of a URL.
  def query_of(url)
    URI.decode_www_form(URI(url).query.to_s).to_h
  end
end

RSpec.configure do |config|
  config.include SignInHelpers
end
