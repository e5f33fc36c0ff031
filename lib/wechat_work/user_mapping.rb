# frozen_string_literal: true

module WechatWork
  # Maps an app's users to WeCom members, by a userid column (default `wecom_userid`).
  #
  #   class User < ApplicationRecord
  #     include WechatWork::UserMapping
  #     # wechat_work_userid_column :wecom_userid
  #   end
  #
  #   User.from_wechat_work(identity)       # sign-in: find or create by userid
  #   User.sync_from_wechat_work(WechatWork.client(:contacts))   # rake wechat_work:contacts:sync
  #   user.wechat_work_userid
  module UserMapping
    extend ActiveSupport::Concern

    included do
      class_attribute :wechat_work_userid_attribute, instance_writer: false, default: :wecom_userid
    end

    class_methods do
      def wechat_work_userid_column(name)
        self.wechat_work_userid_attribute = name.to_sym
      end

      # The user for a signed-in WeCom member (an identity with #userid), created if new. A
      # name column, when there is one, is filled from WeCom.
      def from_wechat_work(identity, name: nil)
        userid = identity.respond_to?(:userid) ? identity.userid : identity.to_s
        raise ::ArgumentError, "from_wechat_work needs a member's userid, got #{identity.inspect}" if userid.to_s.empty?

        user = find_or_initialize_by(wechat_work_userid_attribute => userid)
        user.name = name if name && user.respond_to?(:name=) && user.name.blank?
        user.save! if user.new_record? || user.changed?
        user
      end

      # Creates or updates a user for every member of `department_id` and below. => count
      def sync_from_wechat_work(client = WechatWork.client, department_id: 1)
        members = client.users(department_id: department_id, fetch_child: true)
        transaction { members.each { |m| from_wechat_work(m, name: m.name) } }
        members.size
      end
    end

    def wechat_work_userid = self[self.class.wechat_work_userid_attribute]
  end
end
