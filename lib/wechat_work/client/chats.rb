# frozen_string_literal: true

module WechatWork
  class Client
    # App group chats (appchat/create, update, get, send): a group chat the app creates and
    # posts into, such as one per interview. Only self-built apps whose visible range is the
    # root department may use them, and only on chats they created (PermissionError, 86008,
    # for another app's chat). WeCom has no API to list or dissolve these chats.
    #
    #   chatid = client.create_chat(name: "Interview: Han Meimei", owner: "zhangsan",
    #                               users: %w[zhangsan lilei hanmeimei])
    #   client.send_text(chat: chatid, content: "Room 3 at 15:00")
    #   client.update_chat(chatid, add_users: "wangwu", remove_users: "lilei")
    #   client.chat(chatid).userlist # => ["zhangsan", "hanmeimei", "wangwu"]
    module Chats
      include Arguments::Keywords

      CHAT_OPTIONS = %i[safe].freeze

      # Creates a group chat and returns its chatid (a String). users: 2 to 2000 userids, the
      # owner among them. chatid: your own id (letters and digits, at most 32), or WeCom makes
      # one. A new chat may not show in (older) WeCom clients until something is posted to it.
      required_keywords :create_chat, name: "the chat's name, shown to its members",
                                      owner: "the userid of the chat's owner, one of users:",
                                      users: "the members' userids, the owner among them"
      def create_chat(name: required(binding), owner: required(binding), users: required(binding), chatid: nil)
        members = Arguments.userids!(users, "users")
        owner = Arguments.string!(owner, "owner")
        unless members.any? { |u| u.casecmp?(owner) }
          raise ::ArgumentError, "owner: #{owner.inspect} must be one of users: (#{members.join(", ")})"
        end

        params = { name: Arguments.string!(name, "name"), owner: owner, userlist: members }
        params[:chatid] = Arguments.string!(chatid, "chatid") unless chatid.nil?
        call("appchat/create", params)["chatid"]
      end

      # Renames the chat, hands it to another owner (a member), adds or removes members (a
      # userid or an Array of them). => true
      def update_chat(chatid, name: nil, owner: nil, add_users: [], remove_users: [])
        params = { chatid: Arguments.string!(chatid, "chatid") }
        params[:name] = Arguments.string!(name, "name") unless name.nil?
        params[:owner] = Arguments.string!(owner, "owner") unless owner.nil?
        added = Array(add_users).empty? ? [] : Arguments.userids!(add_users, "add_users")
        removed = Array(remove_users).empty? ? [] : Arguments.userids!(remove_users, "remove_users")
        params[:add_user_list] = added unless added.empty?
        params[:del_user_list] = removed unless removed.empty?
        if params.size == 1
          raise ::ArgumentError, "update_chat: nothing to change: give name:, owner:, add_users: or remove_users:"
        end

        call("appchat/update", params)
        true
      end

      # The chat: Resource(chatid, name, owner, userlist, chat_type).
      def chat(chatid)
        call("appchat/get", chatid: Arguments.string!(chatid, "chatid"))["chat_info"]
      end

      # Posts any msgtype a group chat takes (text, image, voice, video, file, textcard, news,
      # mpnews, markdown). The content goes under the msgtype's key, or as the other keywords:
      #   client.send_to_chat(chatid, msgtype: "image", media_id: "MEDIA_ID")
      #   client.send_to_chat(chatid, msgtype: "text", text: { content: "hi" }, safe: 1)
      # send_text, send_markdown and send_textcard take chat: too. => Response
      required_keywords :send_to_chat, rest: "the message's fields",
                                       msgtype: "WeCom's message type: \"text\", \"image\", \"textcard\"..."
      def send_to_chat(chatid, msgtype: required(binding), **content)
        options = content.slice(*CHAT_OPTIONS)
        content = content.except(*CHAT_OPTIONS)
        type = Arguments.string!(msgtype, "msgtype")
        payload = content.size == 1 && content.key?(type.to_sym) ? content[type.to_sym] : content
        deliver_to_chat("send_to_chat", chatid, type, payload, options, name: "chatid")
      end

      private

      # appchat/send: the chatid instead of recipients and agentid; of message/send's options
      # only safe: (WeCom has no duplicate check or id translation for group chats).
      def deliver_to_chat(method, chatid, msgtype, payload, options, name: "chat")
        Arguments.only!(options, CHAT_OPTIONS, "#{method}(chat:)") { signature_keywords(method) - %i[to] }
        unless payload.is_a?(Hash)
          raise ::ArgumentError, "#{msgtype} content must be a Hash of its fields, got #{payload.class}"
        end

        body = { "chatid" => Arguments.string!(chatid, name), "msgtype" => msgtype, msgtype => payload }
        body["safe"] = safe_level(options[:safe]) unless options[:safe].nil?
        deliver("appchat/send", body)
      end
    end
  end
end
