# frozen_string_literal: true

class User < ApplicationRecord
  include WechatWork::UserMapping

  has_many :interviews, foreign_key: :interviewer_id, inverse_of: :interviewer, dependent: :restrict_with_error
end
