# frozen_string_literal: true

class ApplicationController < ActionController::Base
  # Sign-in from WeCom: inside WeCom's browser through OAuth (no password), on a laptop with
  # WeCom's QR login. The block finds or creates the app's user for the signed-in member.
  include WechatWork::Login

  wechat_work_login failure: "/sign_in_failed" do |identity|
    User.from_wechat_work(identity)
  end

  before_action :require_wechat_work_user
end
