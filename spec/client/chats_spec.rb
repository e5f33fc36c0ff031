# frozen_string_literal: true

# App group chats against the simulator: the client's methods, what reached WeCom, its errors.
RSpec.describe WechatWork::Client, "group chats" do
  include_context "on the simulator", users: %w[lilei hanmeimei zhangsan wangwu], apps: [SimulatorClients::OTHER_APP]
  let(:other_app) { client_of(SimulatorClients::OTHER_APP) }

  def interview_chat(**options)
    client.create_chat(name: "Interview: Han Meimei", owner: "zhangsan", users: %w[zhangsan lilei hanmeimei], **options)
  end

  it "creates a chat and reads it back" do
    chatid = interview_chat
    expect(chatid).to be_a(String).and(match(/\A[0-9A-Za-z]{1,32}\z/))
    info = client.chat(chatid)
    expect(info).to be_a(WechatWork::Resource)
    expect(info.to_h).to eq("chatid" => chatid, "name" => "Interview: Han Meimei", "owner" => "zhangsan",
                            "userlist" => %w[zhangsan lilei hanmeimei], "chat_type" => 0)
    expect(info.userlist).to eq(%w[zhangsan lilei hanmeimei])
  end

  it "creates a chat with the chatid given" do
    expect(interview_chat(chatid: "interview42")).to eq("interview42")
    expect(client.chat("interview42").owner).to eq("zhangsan")
  end

  it "renames, changes the owner, adds and removes members" do
    chatid = interview_chat
    expect(client.update_chat(chatid, name: "Interview (moved)", owner: "hanmeimei",
                                      add_users: "wangwu", remove_users: %w[lilei])).to be(true)
    info = client.chat(chatid)
    expect(info.name).to eq("Interview (moved)")
    expect(info.owner).to eq("hanmeimei")
    expect(info.userlist).to eq(%w[zhangsan hanmeimei wangwu])
  end

  describe "posting" do
    let!(:chatid) { interview_chat }

    it "posts text, markdown and textcards with chat:, recorded with channel \"chat\"" do
      client.send_text(chat: chatid, content: "Room 3 at 15:00")
      client.send_markdown(chat: chatid, content: "**Moved** to room 5", safe: 1)
      response = client.send_textcard(chat: chatid, title: "Feedback", description: "Please fill in the form",
                                      url: "https://example.com/feedback", btntxt: "Open")
      expect(response).to be_a(WechatWork::Response)
      expect(response.errcode).to eq(0)
      text, markdown, card = sim.messages
      expect(text).to eq("channel" => "chat", "chatid" => chatid, "msgtype" => "text",
                         "text" => { "content" => "Room 3 at 15:00" })
      expect(markdown).to include("channel" => "chat", "chatid" => chatid, "safe" => 1,
                                  "markdown" => { "content" => "**Moved** to room 5" })
      expect(card).to include("channel" => "chat", "textcard" => { "title" => "Feedback", "description" => "Please fill in the form",
                                                                    "url" => "https://example.com/feedback", "btntxt" => "Open" })
      expect(sim.messages.map(&:keys).flatten).not_to include("agentid", "touser", "enable_duplicate_check")
    end

    it "posts any chat msgtype with send_to_chat" do
      client.send_to_chat(chatid, msgtype: "image", media_id: "MEDIA")
      client.send_to_chat(chatid, msgtype: :news, news: { articles: [{ title: "Offer", url: "https://example.com" }] })
      image, news = sim.messages
      expect(image).to include("channel" => "chat", "chatid" => chatid, "msgtype" => "image", "image" => { "media_id" => "MEDIA" })
      expect(news["news"]).to eq("articles" => [{ "title" => "Offer", "url" => "https://example.com" }])
    end

    it "still sends to people with to:" do
      client.send_text(to: "lilei", content: "hi")
      expect(sim.messages.last).to include("channel" => "app", "touser" => "lilei")
    end
  end

  describe "WeCom's errors" do
    it "raises NotFoundError (86003) for an unknown chat and delivers nothing" do
      expect { client.send_text(chat: "nochat", content: "hi") }.to raise_error(WechatWork::NotFoundError) { |e|
        expect(e.errcode).to eq(86003)
        expect(e.path).to eq("appchat/send")
      }
      expect { client.chat("nochat") }.to raise_error(WechatWork::NotFoundError, /86003/)
      expect(sim.messages).to be_empty
    end

    it "raises PermissionError (86008) for another app's chat" do
      chatid = interview_chat
      expect { other_app.send_text(chat: chatid, content: "hi") }.to raise_error(WechatWork::PermissionError) { |e|
        expect(e.errcode).to eq(86008)
      }
      expect { other_app.chat(chatid) }.to raise_error(WechatWork::PermissionError, /86008/)
      expect { other_app.update_chat(chatid, name: "mine now") }.to raise_error(WechatWork::PermissionError)
      expect(client.chat(chatid).name).to eq("Interview: Han Meimei")
      expect(sim.messages).to be_empty
    end

    it "raises InvalidRequestError for a member who is not in the contacts" do
      expect do
        client.create_chat(name: "x", owner: "lilei", users: %w[lilei ghost])
      end.to raise_error(WechatWork::InvalidRequestError) { |e|
        expect(e.errcode).to eq(86216)
        expect(e.message).to include("ghost")
      }
      chatid = interview_chat
      expect { client.update_chat(chatid, add_users: "ghost") }.to raise_error(WechatWork::InvalidRequestError, /86216/)
      expect { client.update_chat(chatid, remove_users: %w[lilei hanmeimei]) }
        .to raise_error(WechatWork::InvalidRequestError, /86006.*2 to 2000 members/)
    end

    it "raises for a taken chatid" do
      interview_chat(chatid: "taken")
      expect { interview_chat(chatid: "taken") }.to raise_error(WechatWork::InvalidRequestError, /86215/)
    end
  end

  describe "bad arguments fail before any request, naming the argument" do
    before { client.access_token }
    after { expect(sim.request_count - sim.request_count("gettoken")).to eq(0) }

    it "needs exactly one of to: and chat:" do
      expect { client.send_text(content: "x") }.to raise_error(ArgumentError, /send_text: give to: .* or chat: .*neither/)
      expect { client.send_markdown(to: "lilei", chat: "c1", content: "x") }
        .to raise_error(ArgumentError, /send_markdown: give to: .* or chat: .*not both/)
      expect { client.send_textcard(title: "t", description: "d", url: "https://x") }.to raise_error(ArgumentError, /to:.*chat:/)
    end

    it "refuses message/send options WeCom has no group-chat equivalent for" do
      expect { client.send_text(chat: "c1", content: "x", enable_duplicate_check: false) }
        .to raise_error(ArgumentError, "send_text(chat:) does not take enable_duplicate_check:; it takes content:, chat:, safe:")
      expect { client.send_text(chat: "c1", content: "x", safe: 5) }.to raise_error(ArgumentError, /safe:/)
      expect { client.send_text(chat: "", content: "x") }.to raise_error(ArgumentError, /chat is empty/)
      expect { client.send_to_chat(nil, msgtype: "text", content: "x") }.to raise_error(ArgumentError, /chatid is missing/)
      expect { client.send_to_chat("c1", msgtype: "template_card", template_card: {}) }
        .to raise_error(ArgumentError, /group chat takes text, image.*not "template_card"/)
    end

    it "checks create_chat's arguments" do
      expect { client.create_chat(name: "x", owner: "wangwu", users: %w[lilei zhangsan]) }
        .to raise_error(ArgumentError, /owner: "wangwu" must be one of users:/)
      expect { client.create_chat(name: "x", owner: "lilei", users: "lilei") }
        .to raise_error(ArgumentError, /userlist has 1 items; WeCom takes 2 to 2000/)
      expect { client.create_chat(name: "x", owner: "lilei", users: ["lilei", 7]) }.to raise_error(ArgumentError, /users \(a userid\)/)
      expect { client.create_chat(name: "", owner: "lilei", users: %w[lilei zhangsan]) }.to raise_error(ArgumentError, /name is empty/)
      expect { client.create_chat(name: "面" * 51, owner: "lilei", users: %w[lilei zhangsan]) }
        .to raise_error(ArgumentError, /name is 51 characters; WeCom allows at most 50/)
      expect { client.create_chat(name: "x", owner: "lilei", users: %w[lilei zhangsan], chatid: "no-dashes") }
        .to raise_error(ArgumentError, /chatid "no-dashes" must be 1 to 32 letters or digits/)
      expect { client.create_chat(owner: "lilei", users: %w[lilei zhangsan]) }.to raise_error(ArgumentError, /name/)
    end

    it "checks update_chat's arguments" do
      expect { client.update_chat("c1") }.to raise_error(ArgumentError, /nothing to change: give name:, owner:, add_users: or remove_users:/)
      expect { client.update_chat("c1", add_users: [nil]) }.to raise_error(ArgumentError, /add_users \(a userid\) is missing/)
      expect { client.update_chat(nil, name: "x") }.to raise_error(ArgumentError, /chatid is missing/)
      expect { client.chat(42) }.to raise_error(ArgumentError, /chatid must be a String/)
    end
  end
end
