# frozen_string_literal: true

class CreateUsers < ActiveRecord::Migration[6.1]
  def change
    create_table :users do |t|
      t.string :name
      # The member's WeCom userid (WechatWork::UserMapping).
      t.string :wecom_userid, null: false
      t.timestamps
    end
    add_index :users, :wecom_userid, unique: true
  end
end
