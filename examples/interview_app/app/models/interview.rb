# frozen_string_literal: true

class Interview < ApplicationRecord
  STATUSES = %w[scheduled accepted declined cancelled].freeze

  belongs_to :interviewer, class_name: "User"
  belongs_to :delivery, class_name: "WechatWork::Delivery", optional: true

  validates :candidate_name, :role, :starts_at, presence: true
  validates :status, inclusion: { in: STATUSES }

  # The template card's task id: ties a card answer (callback) back to the interview.
  def task_id = "interview-#{id}"

  def self.for_task(task_id)
    find_by(id: task_id.to_s.delete_prefix("interview-")) if task_id.to_s.start_with?("interview-")
  end

  def ends_at = starts_at + duration
end
