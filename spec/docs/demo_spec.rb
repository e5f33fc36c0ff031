# frozen_string_literal: true

require "open3"

# bin/demo's script, run as bin/demo runs it (against the embedded simulator), so the README's
# first command keeps working.
RSpec.describe "examples/interview_invitation.rb (bin/demo)" do
  it "does an interview's WeCom work end to end and says what it did" do
    root = File.expand_path("../..", __dir__)
    env = { "WECHAT_WORK_CORP_ID" => nil, "WECHAT_WORK_SECRET" => nil }
    out, status = Open3.capture2e(env, RbConfig.ruby, "-I#{root}/lib", "#{root}/examples/interview_invitation.rb")
    expect(status).to be_success, out
    expect(out).to include("lilei: Li Lei", "the candidate's link https://", "reminder 15 minutes before",
                           "the card's buttons now read \"Accepted\"", "meeting cancelled: true",
                           "schedule deleted: true", "NoValidRecipientError", "ArgumentError: no recipient")
    expect(out).not_to include("skipped:")
    expect(out).to match(/text to lilei: .* \(recalled\)/)
  end
end
