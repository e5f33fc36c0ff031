# frozen_string_literal: true

module WechatWork
  # Who signed in, as auth/getuserinfo answers it (Client#user_from_code): a member of the corp
  # (userid, and user_ticket with scope :private_info) or someone who is not (openid, and
  # external_userid when they are a customer of a member in the app's visible range).
  #
  #   who = client.user_from_code(params[:code])
  #   who.member?        # => true
  #   who.userid         # => "lilei"
  #   who.user_ticket    # => "..." (scope: :private_info only; 30 minutes, for user_detail)
  #   who.corp_id        # => "ww..." (the corp of the client that signed them in)
  #
  # A userid is unique only within its corp: an app serving several corps finds its users by
  # (corp_id, userid).
  #
  # The legacy user/getuserinfo's capitalised keys (UserId, OpenId, DeviceId) are read too, so
  # answers relayed from older code work the same. Hash-like like every Resource.
  class OAuthUser < Resource
    # WeCom's current key for each field, and the legacy ones it replaces.
    KEYS = {
      "userid" => %w[userid UserId], "openid" => %w[openid OpenId], "deviceid" => %w[deviceid DeviceId],
      "user_ticket" => %w[user_ticket], "external_userid" => %w[external_userid], "expires_in" => %w[expires_in]
    }.freeze

    # Fields from an auth/getuserinfo answer (errcode and errmsg dropped, legacy keys renamed),
    # and the corp of the client that asked.
    def self.from_answer(body, corp_id: nil)
      body = body.to_h.transform_keys(&:to_s)
      fields = KEYS.each_with_object({}) do |(key, names), out|
        name = names.find { |n| !body[n].nil? && body[n] != "" }
        out[key] = body[name] if name
      end
      fields["corp_id"] = corp_id.to_s if corp_id
      new(fields)
    end

    # The member signed in earlier, as a session remembers them (userid and corp id).
    def self.from_session(userid, corp_id:)
      new("userid" => userid.to_s, "corp_id" => corp_id.to_s)
    end

    def userid = self["userid"]
    def corp_id = self["corp_id"]
    def user_ticket = self["user_ticket"]
    def openid = self["openid"]
    def external_userid = self["external_userid"]
    def deviceid = self["deviceid"]

    # A member of the corp (else someone from outside, known by openid only).
    def member? = !userid.nil?

    # Whether a user ticket came with the sign-in (scope :private_info, OAuth inside WeCom).
    def user_ticket? = !user_ticket.nil?

    # Never show the user ticket in logs.
    def inspect
      shown = to_h.map { |k, v| "#{k}=#{k == "user_ticket" ? "[FILTERED]" : v.inspect}" }.join(" ")
      "#<#{self.class.name} #{shown}>"
    end
    alias to_s inspect
  end
end
