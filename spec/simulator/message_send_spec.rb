# frozen_string_literal: true

require_relative "simulator_helper"

RSpec.describe "Simulator message/send", simulator: true do
  around { |example| WechatWork::Simulator.run { |sim| @sim = sim; example.run } }
  let(:sim) { @sim }
  let(:token) { token_for(sim) }

  def body(msgtype, payload, to: "zhangsan")
    { "touser" => to, "msgtype" => msgtype, "agentid" => sim.agent_id, msgtype => payload }
  end

  article = { "title" => "Mid-autumn gifts", "description" => "d", "url" => "https://example.com" }
  mp_article = { "title" => "Earth hour", "thumb_media_id" => "MEDIA", "content" => "<p>lights off</p>" }
  button_card = { "card_type" => "button_interaction", "task_id" => "task-1",
                  "main_title" => { "title" => "Approve?" }, "button_list" => [{ "text" => "OK", "key" => "ok" }] }

  # msgtype => [valid payload, [invalid payload, errcode, errmsg start]]
  CASES = {
    "text" => [{ "content" => "hello" }, [{ "content" => "" }, 44004, "empty content"]],
    "image" => [{ "media_id" => "MEDIA" }, [{}, 40007, "invalid media_id"]],
    "voice" => [{ "media_id" => "MEDIA" }, [{ "media_id" => "" }, 40007, "invalid media_id"]],
    "video" => [{ "media_id" => "MEDIA", "title" => "t" }, [{ "title" => "t" }, 40007, "invalid media_id"]],
    "file" => [{ "media_id" => "MEDIA" }, [{}, 40007, "invalid media_id"]],
    "textcard" => [{ "title" => "Interview", "description" => "Room 3", "url" => "https://example.com" },
                   [{ "title" => "Interview", "url" => "https://example.com" }, 41033, "missing description"]],
    "news" => [{ "articles" => [article] }, [{ "articles" => [article] * 9 }, 45008, "article size out of limit"]],
    "mpnews" => [{ "articles" => [mp_article] }, [{ "articles" => [] }, 45008, "article size out of limit"]],
    "markdown" => [{ "content" => "**bold**" }, [{}, 44004, "empty content"]],
    "miniprogram_notice" => [{ "appid" => "wx123", "title" => "Booked", "page" => "pages/index" },
                             [{ "title" => "Booked" }, 40058, "invalid Request Parameter"]],
    "template_card" => [{ "card_type" => "text_notice", "main_title" => { "title" => "Hi" } },
                        [{ "card_type" => "vote_interaction" }, 40058, "invalid Request Parameter"]]
  }.freeze

  CASES.each do |msgtype, (valid, (invalid, code, english))|
    it "delivers a #{msgtype} message and answers a msgid" do
      message = body(msgtype, valid)
      reply = send_body(sim, message, token: token)
      expect(reply.status).to eq(200)
      expect(reply.json).to include("errcode" => 0, "errmsg" => "ok")
      expect(reply.json["msgid"]).to be_a(String).and(satisfy { |id| id.length >= 20 })
      expect(reply.json).not_to have_key("response_code")
      expect(bodies(sim)).to eq([message])
    end

    it "rejects an invalid #{msgtype} message with #{code} and delivers nothing" do
      reply = send_body(sim, body(msgtype, invalid), token: token)
      expect(reply.status).to eq(200)
      expect(reply.errcode).to eq(code)
      expect(reply.errmsg).to start_with(english)
      expect(reply.errmsg).to match(SimulatorHelper::ERRMSG_SHAPE)
      expect(sim.messages).to be_empty
    end
  end

  it "answers 41016 for a textcard without title" do
    reply = send_body(sim, body("textcard", { "description" => "d", "url" => "https://x" }), token: token)
    expect(reply.errcode).to eq(41016)
  end

  it "answers a response_code for interactive template cards" do
    reply = send_body(sim, body("template_card", button_card), token: token)
    expect(reply.errcode).to eq(0)
    expect(reply.json["response_code"]).to be_a(String).and(satisfy { |c| c.length >= 32 })
  end

  it "accepts over-long text and delivers it cut at 2048 bytes, on a character boundary, as WeCom does" do
    reply = send_body(sim, text_message(sim, content: "面" * 700))
    expect(reply.errcode).to eq(0)
    delivered = sim.messages.last.dig("text", "content")
    expect(delivered.bytesize).to eq(2046)
    expect(delivered).to be_valid_encoding
  end

  it "answers unique msgids" do
    ids = Array.new(5) { send_body(sim, text_message(sim), token: token).json["msgid"] }
    expect(ids.uniq.size).to eq(5)
    expect(sim.messages.size).to eq(5)
  end

  it "answers 40058 for a body that is not JSON" do
    reply = send_body(sim, "touser=zhangsan&msgtype=text", token: token)
    expect(reply.errcode).to eq(40058)
    expect(reply.errmsg).to start_with("Warning: wrong json format.")
  end

  it "answers 40008 for an unknown msgtype" do
    reply = send_body(sim, body("sms", { "content" => "x" }), token: token)
    expect(reply.errcode).to eq(40008)
    expect(reply.errmsg).to start_with("invalid message type, hint:")
  end

  describe "agentid" do
    it "accepts a numeric string" do
      expect(send_body(sim, text_message(sim, "agentid" => sim.agent_id.to_s), token: token).errcode).to eq(0)
    end

    it "answers 41011 when missing" do
      message = text_message(sim).tap { |m| m.delete("agentid") }
      expect(send_body(sim, message, token: token).errcode).to eq(41011)
    end

    it "answers 40056 when not a number" do
      expect(send_body(sim, text_message(sim, "agentid" => "abc"), token: token).errcode).to eq(40056)
    end

    it "answers 301002 for another app's agentid" do
      reply = send_body(sim, text_message(sim, "agentid" => sim.agent_id + 1), token: token)
      expect(reply.errcode).to eq(301002)
      expect(reply.errmsg).to start_with("not allow operate another agent with this accesstoken.")
    end
  end

  describe "recipients" do
    it "splits on | and trims spaces" do
      message = text_message(sim, to: " zhangsan | lisi ").merge("toparty" => "1 | 2", "totag" => "3")
      reply = send_body(sim, message, token: token)
      expect(reply.errcode).to eq(0)
      expect(reply.json.keys).not_to include("invaliduser", "invalidparty", "invalidtag")
    end

    it "reports malformed userids (lowercased) in lenient mode and still delivers" do
      reply = send_body(sim, text_message(sim, to: "zhangsan|Bad User|张三"), token: token)
      expect(reply.errcode).to eq(0)
      expect(reply.json["invaliduser"]).to eq("bad user|张三")
      expect(sim.messages.size).to eq(1)
    end

    it "accepts @all" do
      expect(send_body(sim, text_message(sim, to: "@all"), token: token).errcode).to eq(0)
    end

    it "needs at least one recipient" do
      message = text_message(sim, to: "")
      reply = send_body(sim, message, token: token)
      expect(reply.errcode).to eq(81013)
      expect(sim.messages).to be_empty
    end

    it "rejects more than 1000 users, 100 parties or 100 tags" do
      users = Array.new(1001) { |i| "user#{i}" }.join("|")
      ids = (1..101).to_a.join("|")
      expect(send_body(sim, text_message(sim, to: users), token: token).errcode).to eq(40032)
      expect(send_body(sim, text_message(sim, "toparty" => ids), token: token).errcode).to eq(82002)
      expect(send_body(sim, text_message(sim, "totag" => ids), token: token).errcode).to eq(82003)
      expect(sim.messages).to be_empty
      expect(send_body(sim, text_message(sim, to: Array.new(1000) { |i| "u#{i}" }.join("|")), token: token).errcode).to eq(0)
    end
  end

  describe "duplicate check" do
    let(:message) { text_message(sim, "enable_duplicate_check" => 1, "duplicate_check_interval" => 600) }

    it "answers the original msgid for an identical body and does not deliver it again" do
      first = send_body(sim, message, token: token)
      second = send_body(sim, message, token: token)
      expect(second.errcode).to eq(0)
      expect(second.json["msgid"]).to eq(first.json["msgid"])
      expect(bodies(sim)).to eq([message])
    end

    it "delivers a body that differs in any field" do
      first = send_body(sim, message, token: token)
      other = send_body(sim, message.merge("safe" => 1), token: token)
      expect(other.json["msgid"]).not_to eq(first.json["msgid"])
      expect(sim.messages.size).to eq(2)
    end

    it "delivers again after the interval" do
      first = send_body(sim, message, token: token)
      sim.advance_time(601)
      again = send_body(sim, message)
      expect(again.json["msgid"]).not_to eq(first.json["msgid"])
      expect(sim.messages.size).to eq(2)
    end

    it "is off unless enabled" do
      plain = text_message(sim)
      2.times { send_body(sim, plain, token: token) }
      expect(sim.messages.size).to eq(2)
    end
  end
end
