# frozen_string_literal: true

module WechatWork
  class Client
    # Contacts (通讯录): members, departments, tags. Since 2022-06-20 WeCom withholds avatar,
    # gender, mobile, email and address from apps created after that date (user["mobile"] is
    # then absent); sign-in with scope: :private_info and user_detail bring them back.
    module Contacts
      include Arguments::Keywords

      # A member, by userid. => Resource (userid, name, department, position, ...)
      def user(userid)
        call("user/get", userid: Arguments.string!(userid, "userid"))
      end

      # The members of a department (and its sub-departments with fetch_child: true). Simple
      # rows (userid, name, department), or every user/get field with detail: true.
      required_keywords :users, department_id: "the department whose members to list (1 is the root)"
      def users(department_id: required(binding), fetch_child: false, detail: false)
        params = { department_id: Arguments.positive_integer!(department_id, "department_id"),
                   fetch_child: fetch_child ? 1 : 0 }
        page = detail ? call("user/list", params) : call("user/simplelist", params)
        Array(page["userlist"])
      end

      # Every (userid, department) pair of the corp, page by page as it is read. WeCom serves
      # this only to the contact-sync secret (WechatWork.client(:contacts)).
      #   client.user_ids.map(&:userid).uniq.first(10)
      def user_ids(limit: 10_000)
        paginate("user/list_id", { limit: Arguments.positive_integer!(limit, "limit") }, "dept_user")
      end

      # The userid of the member with this mobile number (NotFoundError when there is none).
      def userid_by_mobile(mobile)
        call("user/getuserid", mobile: Arguments.string!(mobile, "mobile"))["userid"]
      end

      # The userid of the member with this email; type: :corp (corp mail) or :personal.
      def userid_by_email(email, type: :corp)
        email_type = { corp: 1, personal: 2 }.fetch(type) do
          raise ::ArgumentError, "type: must be :corp or :personal, got #{type.inspect}"
        end
        call("user/get_userid_by_email", email: Arguments.string!(email, "email"), email_type: email_type)["userid"]
      end

      # The member's openid (WeChat Pay and other WeChat APIs).
      def convert_to_openid(userid)
        call("user/convert_to_openid", userid: Arguments.string!(userid, "userid"))["openid"]
      end

      # The userid behind an openid (from WeChat Pay or convert_to_openid); ApiError 40003
      # when it is no member's.
      def userid_by_openid(openid)
        call("user/convert_to_userid", openid: Arguments.string!(openid, "openid"))["userid"]
      end

      # The department `id` and everything under it (the whole tree without an id).
      def departments(id = nil)
        params = id.nil? ? {} : { id: Arguments.positive_integer!(id, "id") }
        Array(call("department/list", params)["department"])
      end

      # The corp's tags: [Resource(tagid, tagname)]
      def tags
        Array(call("tag/list")["taglist"])
      end

      # A tag's members and departments: Resource(tagname, userlist, partylist).
      def tag_users(tag_id)
        call("tag/get", tagid: Arguments.positive_integer!(tag_id, "tag_id"))
      end
    end
  end
end
