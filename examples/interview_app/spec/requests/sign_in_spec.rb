# frozen_string_literal: true

RSpec.describe "Signing in from WeCom", type: :request do
  it "signs an interviewer in from inside WeCom and shows their interviews" do
    lilei = User.create!(name: "Li Lei", wecom_userid: "lilei")
    Interview.create!(interviewer: lilei, candidate_name: "Han Meimei", role: "Backend Engineer", starts_at: 1.day.from_now)
    get "/interviews", headers: { "HTTP_USER_AGENT" => WechatWork::Testing::Helpers::WXWORK_USER_AGENT }
    # base_url is the local simulator (config/wechat_work.yml), a loopback address: its sign-in
    # pages stand in for WeCom's (any other base_url keeps WeCom's own hosts).
    expect(response.location).to start_with("#{WechatWork.configuration.base_url}/connect/oauth2/authorize?")
    expect(response.location).to end_with("#wechat_redirect")

    sign_in_with_wechat_work("lilei", path: "/interviews")
    expect(response).to have_http_status(:ok)
    expect(response.body).to include("Your interviews, Li Lei", "Backend Engineer: Han Meimei")
  end

  it "uses WeCom's QR login outside WeCom, and creates the user on first sign-in" do
    get "/interviews", headers: { "HTTP_USER_AGENT" => WechatWork::Testing::Helpers::BROWSER_USER_AGENT }
    expect(response.location).to start_with("#{WechatWork.configuration.base_url}/wwlogin/sso/login?login_type=CorpApp")
    sign_in_with_wechat_work("hanmeimei", path: "/interviews", inside_wecom: false)
    expect(response.body).to include("Your interviews, hanmeimei")
    expect(User.find_by(wecom_userid: "hanmeimei")).to be_present
  end

  it "sends a forged sign-in to the failure page, never a 500" do
    get "/interviews?code=stolen&state=#{"A" * 32}"
    expect(response).to redirect_to(%r{/sign_in_failed\?wechat_work_error=})
  end

  it "works end to end against the simulator's sign-in page" do
    with_wechat_work_simulator do
      sign_in_with_wechat_work("lilei", path: "/interviews")
      expect(response.body).to include("Your interviews, lilei")
      expect(response.body).to include("wx.config") # the JS-SDK, signed with the simulator's ticket
    end
  end
end
