# frozen_string_literal: true

class CreateInterviews < ActiveRecord::Migration[6.1]
  def change
    create_table :interviews do |t|
      t.references :interviewer, null: false, foreign_key: { to_table: :users }
      t.string :candidate_name, null: false
      t.string :role, null: false
      t.datetime :starts_at, null: false
      t.integer :duration, null: false, default: 3600
      # scheduled → accepted | declined | cancelled
      t.string :status, null: false, default: "scheduled"
      t.string :meeting_id
      t.string :candidate_link
      t.string :schedule_id
      t.references :delivery, foreign_key: { to_table: :wechat_work_deliveries }
      t.datetime :answered_at
      t.timestamps
    end
  end
end
