# frozen_string_literal: true

require_relative "simulator_helper"
require "tmpdir"

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

  # The file the Rails generator writes (config/wechat_work_simulator.yml), as it writes it.
  describe "a directory file (Simulator.start(directory:))" do
    file = File.expand_path("fixtures/wechat_work_simulator.yml", __dir__)

    around { |example| WechatWork::Simulator.run(directory: file) { |sim| @sim = sim; example.run } }
    let(:sim) { @sim }
    let(:client) { WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret, agent_id: sim.agent_id, base_url: sim.base_url) }

    it "serves the file's members, departments and tags" do
      expect(sim.directory_file).to have_attributes(path: file, summary: "2 members, 2 departments, 1 tag")
      expect(user_get(sim, "lilei").json).to include("errcode" => 0, "name" => "Li Lei", "department" => [2],
                                                     "position" => "Backend interviewer")
      expect(client.departments.map { [_1.id, _1.name, _1.parentid] }).to eq([[1, "Acme Corp", 0], [2, "Engineering", 1]])
      expect(client.tags.map { [_1.tagid, _1.tagname] }).to eq([[1, "interviewers"]])
      expect(user_get(sim, "zhangsan").errcode).to eq(60111)
    end

    it "drops unknown userids, departments and tags into invaliduser, invalidparty, invalidtag, as WeCom does" do
      message = text_message(sim, to: "lilei|nobody").merge("toparty" => "2|9", "totag" => "1|7")
      reply = send_body(sim, message)
      expect(reply.json).to include("errcode" => 0, "invaliduser" => "nobody", "invalidparty" => "9", "invalidtag" => "7")
      expect(bodies(sim)).to eq([message])
      expect(client.send_text(to: %w[hanmeimei nobody], content: "x").invalid_users).to eq(%w[nobody])
    end

    it "refuses a send to no one it knows with 81013, as WeCom does" do
      reply = send_body(sim, text_message(sim, to: "nobody").merge("toparty" => "3"))
      expect(reply.errcode).to eq(81013)
      expect(reply.json).to include("invaliduser" => "nobody", "invalidparty" => "3")
      expect { client.send_text(to: "nobody", content: "x") }.to raise_error(WechatWork::NoValidRecipientError) { |e|
        expect(e.invalid_users).to eq(%w[nobody])
      }
      expect(sim.messages).to be_empty
    end

    it "takes members added at run time into the directory, in its departments" do
      expect(send_body(sim, text_message(sim, to: "wangwu")).errcode).to eq(81013)
      sim.add_user("wangwu", name: "Wang Wu", department: [2], position: "Interviewer")
      expect(send_body(sim, text_message(sim, to: "wangwu|nobody")).json).to include("errcode" => 0, "invaliduser" => "nobody")
      expect(user_get(sim, "wangwu").json).to include("name" => "Wang Wu", "department" => [2], "position" => "Interviewer")
      expect(client.users(department_id: 2).map(&:userid)).to eq(%w[hanmeimei lilei wangwu])
      expect { sim.add_user("zhaoliu", department: [9]) }
        .to raise_error(::ArgumentError, "department: 9 is not among the departments")
    end
  end

  describe "a malformed directory file" do
    around { |example| Dir.mktmpdir { |dir| @dir = dir; example.run } }

    def refusal(yaml)
      path = File.join(@dir, "wechat_work_simulator.yml")
      File.write(path, yaml)
      WechatWork::Simulator.start(directory: path).stop
      raise "the simulator started"
    rescue WechatWork::Simulator::DirectoryError => e
      expect(e).to be_a(WechatWork::ConfigurationError)
      expect(e.path).to eq(path)
      [e.message.delete_prefix("#{path}: "), e.key]
    end

    it "is refused with one line naming the file and the key" do
      {
        "users:\n  - { userid: lilei, department: [3] }\n" =>
          ["users[0].department: 3 is not among the departments", "users[0].department"],
        "users:\n  - { userid: lilei }\n  - { userid: \"bad user\" }\n" =>
          ["users[1].userid: invalid userid \"bad user\": 1-64 bytes of [0-9a-zA-Z_-@.]", "users[1].userid"],
        "users:\n  - { name: Li Lei }\n" => ["users[0].userid: missing: each user needs one", "users[0].userid"],
        "departments:\n  - { id: 1 }\n  - { id: 2, parent_id: 1 }\n" =>
          ["departments[1].parent_id: unknown key; a department takes id, name, parentid, order", "departments[1].parent_id"],
        "tags:\n  - { tagid: 1, users: [ghost] }\n" => ["tags[0].users: \"ghost\" is not among the users", "tags[0].users"],
        "user:\n  - lilei\n" => ["user: unknown key; a directory file has departments, users, tags", "user"],
        "users: lilei\n" => ["users: must be a list (\"- ...\" lines), got String", "users"],
        "users:\n  - { userid: lilei\n" => ["is not YAML: did not find expected ',' or '}' at line 2 column 5", nil],
        "" => ["is empty; a directory file has departments, users, tags", nil],
        "- lilei\n" => ["must be a mapping of departments, users, tags, got a list", nil]
      }.each do |yaml, (message, key)|
        expect(refusal(yaml)).to eq([message, key]), yaml
      end
    end

    it "is refused when missing, and when given with users:" do
      missing = File.join(@dir, "nope.yml")
      expect { WechatWork::Simulator.start(directory: missing) }
        .to raise_error(WechatWork::Simulator::DirectoryError, "#{missing}: cannot be read (No such file or directory)")
      expect { WechatWork::Simulator.start(directory: missing, users: %w[lilei]) }
        .to raise_error(::ArgumentError, "directory: #{missing} is the whole directory; give it or users:, not both")
    end

    it "reads userids YAML takes for numbers as userids, and gives the root department when there is no departments:" do
      path = File.join(@dir, "digits.yml")
      File.write(path, "users:\n  - 10086\n  - { userid: 10087, name: Operator }\ntags:\n  - { tagid: 3, users: [10086] }\n")
      WechatWork::Simulator.run(directory: path) do |sim|
        expect(sim.directory_file.summary).to eq("2 members, 1 department, 1 tag")
        expect(user_get(sim, "10087").json).to include("errcode" => 0, "name" => "Operator", "department" => [1])
        expect(send_body(sim, text_message(sim, to: "10086").merge("toparty" => "1")).json).not_to have_key("invalidparty")
        tag = sim_request(sim, :get, "tag/get", params: { access_token: token_for(sim), tagid: 3 }).json
        expect(tag["userlist"].map { _1["userid"] }).to eq(%w[10086])
      end
    end
  end

  it "rejects a malformed directory" do
    expect { WechatWork::Simulator.start(users: ["bad user"]) }.to raise_error(::ArgumentError, /invalid userid/)
  end
end
