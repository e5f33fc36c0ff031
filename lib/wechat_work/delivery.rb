# frozen_string_literal: true

require "digest"
require "json"

module WechatWork
  # A message in the transactional outbox (table wechat_work_deliveries): written in the
  # caller's transaction by WechatWork.deliver_later, sent by a job after commit. The row, not
  # the job, is the source of truth: a job lost with a killed Sidekiq process is re-enqueued
  # by the sweeper, and a send repeated within WeCom's duplicate-check window (the stored body
  # is sent byte for byte, with enable_duplicate_check) is dropped by WeCom.
  #
  # Statuses: pending → sending → delivered (→ recalled), or failed (permanent errors, or
  # attempts exhausted), or uncertain (stuck in sending past the duplicate-check window: it
  # may or may not have reached WeCom; resending could deliver it twice, so it is reported).
  class Delivery < ::ActiveRecord::Base
    self.table_name = "wechat_work_deliveries"

    STATUSES = %w[pending sending delivered failed uncertain recalled].freeze

    validates :status, inclusion: { in: STATUSES }
    validates :app, :msgtype, :digest, presence: true

    scope :pending, -> { where(status: "pending") }
    scope :delivered, -> { where(status: "delivered") }
    scope :failed, -> { where(status: "failed") }

    after_commit :enqueue, on: :create

    STATUSES.each { |s| define_method(:"#{s}?") { status == s } }

    # The exact message/send body, as stored (a Hash with String keys).
    def body
      value = self[:payload]
      value.is_a?(String) ? JSON.parse(value) : value
    end

    def users = body["touser"].to_s.split("|")
    def parties = body["toparty"].to_s.split("|")
    def tags = body["totag"].to_s.split("|")
    def app_name = app.to_sym

    # Canonical JSON digest: two rows with the same digest send the same body.
    def self.digest_of(body)
      Digest::SHA256.hexdigest(JSON.generate(canonical(body)))
    end

    def self.canonical(value)
      case value
      when Hash then value.keys.map(&:to_s).sort.to_h { |k| [k, canonical(value[k] || value[k.to_sym])] }
      when Array then value.map { |v| canonical(v) }
      else value
      end
    end

    # Claims the row for one sending attempt; nil when another worker has it, it is done, or
    # it is not due. Atomic (one UPDATE), so two jobs for one row never both send at once.
    # Claiming a row left in `sending` (its worker died) marks that attempt as one that may
    # have reached WeCom (ambiguous_since).
    def self.claim(id, stale_after:, now: Time.now)
      stale = now - stale_after
      claimed = where(id: id)
                .where("status = 'pending' OR (status = 'sending' AND last_attempt_at < ?)", stale)
                .update_all(["ambiguous_since = CASE WHEN status = 'sending' THEN COALESCE(ambiguous_since, last_attempt_at) " \
                             "ELSE ambiguous_since END, status = 'sending', attempts = attempts + 1, last_attempt_at = ?, " \
                             "first_attempt_at = COALESCE(first_attempt_at, ?), updated_at = ?", now, now, now])
      claimed == 1 ? find(id) : nil
    end

    # The duplicate-check window the stored body asked WeCom for.
    def duplicate_window = body.fetch("duplicate_check_interval", 0).to_i

    # May sending the body again deliver it twice? Only when an earlier attempt may have
    # reached WeCom and WeCom's duplicate check no longer covers it (with `margin` to spare).
    def resend_unsafe?(now: Time.now, margin: 60)
      !ambiguous_since.nil? && now - ambiguous_since > duplicate_window - margin
    end

    def mark_delivered!(response)
      invalid = { users: response.invalid_users, parties: response.invalid_parties, tags: response.invalid_tags }
      update!(status: "delivered", msgid: response.msgid, response_code: response.response_code, errcode: 0,
              error: nil, invalid_recipients: invalid.reject { |_, v| v.empty? }, delivered_at: Time.now)
    end

    def mark_failed!(error, status: "failed")
      update!(status: status, errcode: error.respond_to?(:errcode) ? error.errcode : nil,
              error: "#{error.class}: #{error.message}"[0, 2000])
    end

    # ambiguous: the attempt may have reached WeCom (a lost answer, a 5xx, a timeout).
    def retry_later!(error, at:, ambiguous:)
      update!(status: "pending", errcode: error.respond_to?(:errcode) ? error.errcode : nil,
              error: "#{error.class}: #{error.message}"[0, 2000], next_attempt_at: at,
              ambiguous_since: ambiguous ? (ambiguous_since || last_attempt_at) : ambiguous_since)
    end

    def inspect
      "#<#{self.class.name} id=#{id} #{status} app=#{app} #{msgtype} to=#{(users + parties.map { "party:#{_1}" }).first(5).join("|")} " \
        "attempts=#{attempts}#{" msgid=#{msgid}" if msgid}>"
    end

    private

    def enqueue
      Outbox.enqueue(self)
    end
  end
end
