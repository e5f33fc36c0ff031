# frozen_string_literal: true

RSpec.describe WechatWork::Client, "messages against the simulator" do
  include_context "on the simulator"

  def last = sim.messages.last

  it "sends every msgtype with its own method" do
    client.send_image(to: "lilei", media_id: "MEDIA_IMG")
    client.send_voice(to: "lilei", media_id: "MEDIA_AMR")
    client.send_file(to: "lilei", media_id: "MEDIA_CV", safe: 1)
    client.send_video(to: "lilei", media_id: "MEDIA_MP4", title: "Intro", description: "Two minutes")
    client.send_mpnews(to: "lilei", articles: [{ title: "Role", thumb_media_id: "THUMB", content: "<p>Backend</p>" }])
    client.send_miniprogram_notice(to: "lilei", appid: "wx123", title: "会议室预订成功", content_item: [{ key: "会议室", value: "402" }])
    types = sim.messages.map { _1["msgtype"] }
    expect(types).to eq(%w[image voice file video mpnews miniprogram_notice])
    expect(sim.messages[2]).to include("file" => { "media_id" => "MEDIA_CV" }, "safe" => 1, "channel" => "app")
    expect(sim.messages[3]["video"]).to eq("media_id" => "MEDIA_MP4", "title" => "Intro", "description" => "Two minutes")
  end

  describe "template cards" do
    let(:card) do
      WechatWork::TemplateCard.button_interaction(
        task_id: "interview-42", title: "Interview with Han Meimei", description: "Backend Engineer, today 15:00",
        fields: { "Room" => "4" },
        buttons: [{ text: "Accept", key: "accept" }, { text: "Decline", key: "decline", style: 2 }]
      )
    end

    it "sends a built card, answers a response_code, and freezes it with update_template_card" do
      sent = client.send_template_card(to: "lilei", card: card)
      expect(sent.response_code).to match(/\A[\w-]{32,}\z/)
      expect(last["template_card"]).to include(
        "card_type" => "button_interaction", "task_id" => "interview-42",
        "main_title" => { "title" => "Interview with Han Meimei", "desc" => "Backend Engineer, today 15:00" },
        "horizontal_content_list" => [{ "keyname" => "Room", "value" => "4" }],
        "button_list" => [{ "text" => "Accept", "key" => "accept" }, { "text" => "Decline", "key" => "decline", "style" => 2 }]
      )
      updated = client.update_template_card(response_code: sent.response_code, to: "lilei", replace_name: "Accepted")
      expect(updated.invalid_users).to eq([])
      expect(last).to include("channel" => "card_update", "task_id" => "interview-42",
                              "button" => { "replace_name" => "Accepted" })
    end

    it "refuses a reused or unknown response_code with WeCom's errcodes" do
      code = client.send_template_card(to: "lilei", card: card).response_code
      client.update_template_card(response_code: code, to: "lilei", replace_name: "Done")
      expect { client.update_template_card(response_code: code, to: "lilei", replace_name: "Again") }
        .to raise_error(WechatWork::InvalidCodeError) { |e| expect(e.errcode).to eq(42022) }
      expect { client.update_template_card(response_code: "nope", to: :all, replace_name: "x") }
        .to raise_error(WechatWork::InvalidCodeError, /60140.*72 hours/)
    end

    it "expires a response_code after 72 hours" do
      code = client.send_template_card(to: "lilei", card: card).response_code
      sim.advance_time(72 * 3600 + 1)
      expect { client.update_template_card(response_code: code, to: "lilei", replace_name: "Late") }
        .to raise_error(WechatWork::InvalidCodeError) { |e| expect(e.errcode).to eq(60140) }
    end

    it "replaces the whole card" do
      code = client.send_template_card(to: "lilei", card: card).response_code
      done = WechatWork::TemplateCard.text_notice(title: "Interview accepted", url: "https://interviews.example.com/42")
      client.update_template_card(response_code: code, to: { users: ["lilei"] }, card: done)
      expect(last["template_card"]).to include("card_type" => "text_notice",
                                               "card_action" => { "type" => 1, "url" => "https://interviews.example.com/42" })
    end

    it "builds the five card types so that the core accepts them" do
      cards = [
        WechatWork::TemplateCard.text_notice(title: "t", url: "https://x.test", emphasis: { title: "15:00" }),
        WechatWork::TemplateCard.news_notice(title: "t", image_url: "https://x.test/a.png", url: "https://x.test"),
        card,
        WechatWork::TemplateCard.vote_interaction(task_id: "vote-1", title: "Hire?", question_key: "hire",
                                                  options: { "yes" => "Yes", "no" => "No" }),
        WechatWork::TemplateCard.multiple_interaction(task_id: "multi-1", title: "Score",
                                                      selects: [{ key: "tech", title: "Technical", options: { "1" => "1", "5" => "5" } }])
      ]
      cards.each { |c| client.send_template_card(to: "lilei", card: c) }
      expect(sim.messages.map { _1.dig("template_card", "card_type") })
        .to eq(%w[text_notice news_notice button_interaction vote_interaction multiple_interaction])
    end

    it "refuses a reused task_id (WeCom's 42014) and a card the core finds incomplete" do
      first = client.send_template_card(to: "lilei", card: card)
      # The identical body again is WeCom's duplicate check: the first answer, nothing sent.
      expect(client.send_template_card(to: "lilei", card: card).msgid).to eq(first.msgid)
      expect { client.send_template_card(to: "hanmeimei", card: card) }
        .to raise_error(WechatWork::InvalidRequestError) { |e| expect(e.errcode).to eq(42014) }
      expect { client.send_template_card(to: "lilei", card: { card_type: "vote_interaction", main_title: { title: "x" } }) }
        .to raise_error(ArgumentError, /template_card.task_id is missing/)
      expect { WechatWork::TemplateCard.button_interaction(task_id: "t", title: "x", buttons: [{ text: "a", key: "k", style: 9 }]) }
        .to raise_error(ArgumentError, /buttons\[0\].style must be 1 to 4/)
      expect { client.send_template_card(to: "lilei", card: "card") }.to raise_error(ArgumentError, /card: must be a Hash/)
    end
  end

  describe "recall" do
    it "recalls a delivered message by msgid or by its Response" do
      sent = client.send_text(to: "lilei", content: "Interview moved")
      expect(client.recall(sent)).to be(true)
      expect(last).to include("recalled" => true)
      expect { client.recall(sent.msgid) }.to raise_error(WechatWork::InvalidRequestError, /already recalled/)
    end

    it "cannot recall after 24 hours, nor an unknown message" do
      sent = client.send_text(to: "lilei", content: "x")
      sim.advance_time(24 * 3600 + 5)
      expect { client.recall(sent) }.to raise_error(WechatWork::InvalidRequestError, /older than 24 hours/)
      expect { client.recall("nope") }.to raise_error(WechatWork::InvalidRequestError, /invalid msgid/)
      expect { client.recall(nil) }.to raise_error(ArgumentError, /msgid is missing/)
    end
  end

  it "answers 301002 when the agent id belongs to another app" do
    expect { client.send_text(to: "lilei", content: "x", agent_id: 1_000_099) }
      .to raise_error(WechatWork::WrongAgentError, /301002/)
  end
end
