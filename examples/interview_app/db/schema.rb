# This file is auto-generated from the current state of the database. Instead
# of editing this file, please use the migrations feature of Active Record to
# incrementally modify your database, and then regenerate this schema definition.
#
# This file is the source Rails uses to define your schema when running `bin/rails
# db:schema:load`. When creating a new database, `bin/rails db:schema:load` tends to
# be faster and is potentially less error prone than running all of your
# migrations from scratch. Old migrations may fail to apply correctly if those
# migrations use external dependencies or application code.
#
# It's strongly recommended that you check this file into your version control system.

ActiveRecord::Schema.define(version: 2026_11_23_000002) do

  # These are extensions that must be enabled in order to support this database
  enable_extension "plpgsql"

  create_table "interviews", force: :cascade do |t|
    t.bigint "interviewer_id", null: false
    t.string "candidate_name", null: false
    t.string "role", null: false
    t.datetime "starts_at", null: false
    t.integer "duration", default: 3600, null: false
    t.string "status", default: "scheduled", null: false
    t.string "meeting_id"
    t.string "candidate_link"
    t.string "schedule_id"
    t.bigint "delivery_id"
    t.datetime "answered_at"
    t.datetime "created_at", precision: 6, null: false
    t.datetime "updated_at", precision: 6, null: false
    t.index ["delivery_id"], name: "index_interviews_on_delivery_id"
    t.index ["interviewer_id"], name: "index_interviews_on_interviewer_id"
  end

  create_table "users", force: :cascade do |t|
    t.string "name"
    t.string "wecom_userid", null: false
    t.datetime "created_at", precision: 6, null: false
    t.datetime "updated_at", precision: 6, null: false
    t.index ["wecom_userid"], name: "index_users_on_wecom_userid", unique: true
  end

  create_table "wechat_work_deliveries", force: :cascade do |t|
    t.string "app", default: "default", null: false
    t.string "msgtype", null: false
    t.jsonb "recipients", default: {}, null: false
    t.json "payload", null: false
    t.string "digest", limit: 64, null: false
    t.string "status", default: "pending", null: false
    t.string "msgid"
    t.string "response_code"
    t.integer "errcode"
    t.text "error"
    t.jsonb "invalid_recipients"
    t.integer "attempts", default: 0, null: false
    t.datetime "first_attempt_at"
    t.datetime "last_attempt_at"
    t.datetime "ambiguous_since"
    t.datetime "next_attempt_at"
    t.datetime "delivered_at"
    t.datetime "recalled_at"
    t.datetime "created_at", precision: 6, null: false
    t.datetime "updated_at", precision: 6, null: false
    t.index ["msgid"], name: "index_wechat_work_deliveries_on_msgid"
    t.index ["status", "updated_at"], name: "index_wechat_work_deliveries_on_status_and_updated_at"
  end

  add_foreign_key "interviews", "users", column: "interviewer_id"
  add_foreign_key "interviews", "wechat_work_deliveries", column: "delivery_id"
end
