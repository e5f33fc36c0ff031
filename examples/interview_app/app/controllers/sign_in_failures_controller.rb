# frozen_string_literal: true

class SignInFailuresController < ApplicationController
  skip_before_action :require_wechat_work_user

  def show
    render plain: "Sign-in with WeCom failed (#{params[:wechat_work_error]}). Open the app from WeCom again.",
           status: :forbidden
  end
end
