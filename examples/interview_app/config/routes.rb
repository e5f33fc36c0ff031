# frozen_string_literal: true

Rails.application.routes.draw do
  # WeCom's callbacks: URL verification (GET), messages and events (POST).
  wechat_work_callback "/wechat_work/callback", to: "WechatWorkCallbacks"

  get "/status", to: "status#show"
  get "/sign_in_failed", to: "sign_in_failures#show"
  resources :interviews, only: %i[index show create destroy]
  root "interviews#index"
end
