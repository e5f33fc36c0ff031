# frozen_string_literal: true

# The transactional outbox of WechatWork.deliver_later.
class CreateWechatWorkDeliveries < ActiveRecord::Migration[6.1]
  def change
    json = connection.adapter_name.match?(/postg/i) ? :jsonb : :json
    create_table :wechat_work_deliveries do |t|
      t.string :app, null: false, default: "default"
      t.string :msgtype, null: false
      t.column :recipients, json, null: false, default: {}
      # The exact message/send body, sent the same on every attempt. `json`, not jsonb: jsonb
      # reorders keys, and WeCom's duplicate check compares the request's JSON.
      t.json :payload, null: false
      t.string :digest, null: false, limit: 64
      t.string :status, null: false, default: "pending"
      t.string :msgid
      t.string :response_code
      t.integer :errcode
      t.text :error
      t.column :invalid_recipients, json
      t.integer :attempts, null: false, default: 0
      t.datetime :first_attempt_at
      t.datetime :last_attempt_at
      # An attempt that may have reached WeCom without an answer: resent only within WeCom's
      # duplicate-check window.
      t.datetime :ambiguous_since
      t.datetime :next_attempt_at
      t.datetime :delivered_at
      t.datetime :recalled_at
      t.timestamps
    end
    add_index :wechat_work_deliveries, %i[status updated_at]
    add_index :wechat_work_deliveries, :msgid
  end
end
