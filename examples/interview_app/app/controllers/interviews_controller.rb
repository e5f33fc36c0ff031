# frozen_string_literal: true

# The signed-in interviewer's interviews; recruiters schedule and cancel them.
class InterviewsController < ApplicationController
  def index
    @interviews = current_wechat_work_user.interviews.order(:starts_at)
  end

  def show
    @interview = current_wechat_work_user.interviews.find(params[:id])
  end

  def create
    interviewer = User.find_or_create_by!(wecom_userid: params.require(:interviewer))
    interview = ScheduleInterview.call(interviewer: interviewer, candidate_name: params.require(:candidate_name),
                                       role: params.require(:role), starts_at: Time.zone.parse(params.require(:starts_at)))
    redirect_to interview_path(interview), status: :see_other
  rescue WechatWork::Error, ArgumentError => e
    render plain: "Could not schedule the interview: #{e.message}", status: :unprocessable_entity
  end

  def destroy
    CancelInterview.call(Interview.find(params[:id]))
    redirect_to interviews_path, status: :see_other
  end
end
