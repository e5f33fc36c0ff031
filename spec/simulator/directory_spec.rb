# frozen_string_literal: true

require_relative "simulator_helper"

RSpec.describe "Simulator directory", simulator: true do
  describe "strict mode" do
    around do |example|
      WechatWork::Simulator.run(users: ["zhangsan", { userid: "LiSi", name: "李四", department: [2], position: "dev" }],
                                departments: [1, { id: 2, name: "R&D" }], tags: [{ tagid: 7, tagname: "ops" }]) do |sim|
        @sim = sim
        example.run
      end
    end
    let(:sim) { @sim }

    it "delivers to the valid recipients and reports the others lowercased" do
      message = text_message(sim, to: "zhangsan|Ghost|WANGWU").merge("toparty" => "2|9", "totag" => "7|8")
      reply = send_body(sim, message)
      expect(reply.errcode).to eq(0)
      expect(reply.json).to include("invaliduser" => "ghost|wangwu", "invalidparty" => "9", "invalidtag" => "8")
      expect(reply.json["msgid"]).to be_a(String)
      expect(bodies(sim)).to eq([message])
    end

    it "matches userids case-insensitively" do
      reply = send_body(sim, text_message(sim, to: "ZhangSan|lisi"))
      expect(reply.errcode).to eq(0)
      expect(reply.json).not_to have_key("invaliduser")
    end

    it "answers 81013 with the invalid fields when no recipient is valid" do
      reply = send_body(sim, text_message(sim, to: "Ghost").merge("toparty" => "9"))
      expect(reply.errcode).to eq(81013)
      expect(reply.errmsg).to start_with("user & party & tag all invalid, hint:")
      expect(reply.json).to include("invaliduser" => "ghost", "invalidparty" => "9")
      expect(sim.messages).to be_empty
    end

    it "answers user/get from the directory" do
      reply = user_get(sim, "lisi")
      expect(reply.json).to include("errcode" => 0, "userid" => "LiSi", "name" => "李四", "department" => [2],
                                    "main_department" => 2, "position" => "dev", "status" => 1)
    end

    it "answers 60111 for an unknown user" do
      reply = user_get(sim, "ghost")
      expect(reply.errcode).to eq(60111)
      expect(reply.errmsg).to match(SimulatorHelper::ERRMSG_SHAPE)
    end

    it "add_user makes a user exist" do
      expect(send_body(sim, text_message(sim, to: "wangwu")).errcode).to eq(81013)
      sim.add_user("wangwu", name: "王五", department: [2])
      expect(send_body(sim, text_message(sim, to: "wangwu")).errcode).to eq(0)
      expect(user_get(sim, "wangwu").json).to include("name" => "王五", "department" => [2])
    end
  end

  describe "lenient mode" do
    around { |example| WechatWork::Simulator.run { |sim| @sim = sim; example.run } }
    let(:sim) { @sim }

    it "synthesizes any well-formed user with the user/get fields" do
      reply = user_get(sim, "zhang.san")
      expect(reply.json).to include("errcode" => 0, "errmsg" => "ok", "userid" => "zhang.san", "name" => "Zhang San",
                                    "department" => [1], "main_department" => 1, "status" => 1)
      expect(reply.json.keys).to include("order", "position", "is_leader_in_dept", "direct_leader", "telephone", "alias",
                                         "open_userid", "extattr", "external_position", "external_profile")
      # WeCom's 2022 rule: an app created since then gets no mobile, email, avatar, gender, address.
      expect(reply.json.keys).not_to include("mobile", "email", "biz_mail", "avatar", "thumb_avatar", "gender", "address", "qr_code")
    end

    it "answers 60111 for a malformed userid and 41009 without one" do
      expect(user_get(sim, "bad user").errcode).to eq(60111)
      expect(user_get(sim, "").errcode).to eq(41009)
    end

    it "answers 81013 when every recipient is malformed" do
      reply = send_body(sim, text_message(sim, to: "bad user").merge("toparty" => "x"))
      expect(reply.errcode).to eq(81013)
      expect(reply.json).to include("invaliduser" => "bad user", "invalidparty" => "x")
    end
  end

  it "rejects a malformed directory" do
    expect { WechatWork::Simulator.start(users: ["bad user"]) }.to raise_error(::ArgumentError, /invalid userid/)
  end
end
