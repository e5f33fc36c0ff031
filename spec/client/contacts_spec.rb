# frozen_string_literal: true

RSpec.describe WechatWork::Client, "contacts" do
  describe "against the simulator" do
    around do |example|
      WechatWork::Simulator.run(restricted_fields: restricted) do |sim|
        @sim = sim
        example.run
      end
    end

    let(:restricted) { true }
    let(:sim) { @sim }
    let(:client) do
      WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret, agent_id: sim.agent_id, base_url: sim.base_url)
    end

    it "reads a member as a Resource with WeCom's keys and readers" do
      user = client.user("lilei")
      expect(user).to be_a(WechatWork::Resource)
      expect(user.name).to eq("Li Lei")
      expect(user["name"]).to eq(user[:name])
      expect(user.department).to eq([2])
      expect(user.position).to eq("Engineer")
      expect(user.extattr.attrs).to eq([])
      expect(user.to_h).to include("userid" => "lilei", "extattr" => { "attrs" => [] })
      expect { user.no_such_field }.to raise_error(NoMethodError)
    end

    it "gets no mobile, email or avatar as a new app (WeCom's 2022 rule)" do
      user = client.user("lilei")
      expect(user.key?("mobile")).to be(false)
      expect(user.key?("avatar")).to be(false)
      expect(user.key?("email")).to be(false)
    end

    context "as an app created before 2022-06-20" do
      let(:restricted) { false }

      it "still gets the mobile and email" do
        expect(client.user("lilei")).to include("mobile", "email")
        expect(client.user("lilei").mobile).to eq("13800000001")
      end
    end

    it "raises NotFoundError for an unknown member in a strict directory" do
      WechatWork::Simulator.run(users: %w[lilei]) do |strict|
        c = WechatWork::Client.new(corp_id: strict.corp_id, secret: strict.secret, agent_id: strict.agent_id,
                                   base_url: strict.base_url)
        expect { c.user("ghost") }.to raise_error(WechatWork::NotFoundError) { |e| expect(e.errcode).to eq(60111) }
      end
    end

    it "lists a department's members, simple or detailed, with or without sub-departments" do
      expect(client.users(department_id: 2).map(&:userid)).to contain_exactly("lilei", "zhangsan")
      expect(client.users(department_id: 1).map(&:userid)).to eq([])
      expect(client.users(department_id: 1, fetch_child: true).size).to eq(3)
      detailed = client.users(department_id: 3, detail: true)
      expect(detailed.first.position).to eq("Recruiter")
      expect(sim.requests.map { _1["path"] }.last).to eq("/cgi-bin/user/list")
    end

    it "follows next_cursor through user/list_id lazily" do
      pages_before = sim.request_count("user/list_id")
      rows = client.user_ids(limit: 2)
      expect(sim.request_count("user/list_id")).to eq(pages_before) # nothing fetched yet
      expect(rows.first(2).map(&:userid)).to eq(%w[hanmeimei lilei])
      expect(sim.request_count("user/list_id")).to eq(pages_before + 1)
      expect(rows.to_a.map(&:userid)).to eq(%w[hanmeimei lilei zhangsan])
      expect(rows.to_a.first.department).to eq(3)
    end

    it "finds userids by mobile and email, and converts to an openid" do
      expect(client.userid_by_mobile("13800000002")).to eq("hanmeimei")
      expect(client.userid_by_email("ZhangSan@example.com")).to eq("zhangsan")
      expect { client.userid_by_mobile("13999999999") }.to raise_error(WechatWork::NotFoundError, /46004/)
      expect(client.convert_to_openid("lilei")).to start_with("o")
      expect(client.convert_to_openid("lilei")).to eq(client.convert_to_openid("LiLei"))
      expect(client.userid_by_openid(client.convert_to_openid("lilei"))).to eq("lilei")
      expect(client.userid_by_openid(client.convert_to_openid("wangwu"))).to eq("wangwu")
      expect { client.userid_by_openid("o-no-such-member") }.to raise_error(WechatWork::ApiError, /40003/)
    end

    it "raises PermissionError (60011) for a department outside the app's visible range, with the fix" do
      WechatWork::Simulator.run(departments: [{ id: 1, name: "Corp" }, { id: 2, name: "Engineering", parentid: 1 }]) do |strict|
        c = WechatWork::Client.new(corp_id: strict.corp_id, secret: strict.secret, agent_id: strict.agent_id,
                                   base_url: strict.base_url)
        expect(c.users(department_id: 2).map(&:userid)).to include("lilei")
        expect { c.users(department_id: 99) }.to raise_error(WechatWork::PermissionError) { |e|
          expect(e.errcode).to eq(60_011)
          expect(e.message).to include("visible range")
        }
        expect { c.departments(99) }.to raise_error(WechatWork::PermissionError, /60011/)
      end
    end

    it "lists departments (the tree, or a subtree) and tags" do
      expect(client.departments.map(&:name)).to eq(%w[Corp Engineering Recruiting])
      expect(client.departments(2).map(&:id)).to eq([2])
      expect(client.departments(2).first.parentid).to eq(1)
      expect(client.tags.map(&:to_h)).to eq([{ "tagid" => 1, "tagname" => "Interviewers" }])
      members = client.tag_users(1)
      expect(members.tagname).to eq("Interviewers")
      expect(members.userlist.map(&:userid)).to eq(%w[lilei zhangsan])
      expect { client.tag_users(99) }.to raise_error(WechatWork::InvalidRequestError, /40068/)
    end

    it "refuses bad arguments before any request, naming them" do
      before = sim.request_count
      expect { client.user(nil) }.to raise_error(ArgumentError, "userid is missing")
      expect { client.user(42) }.to raise_error(ArgumentError, /userid must be a String, got 42/)
      expect { client.users(department_id: "x") }.to raise_error(ArgumentError, /department_id must be a positive Integer/)
      expect { client.users(department_id: 2, bogus: 1) }.to raise_error(ArgumentError, /unknown keyword: :bogus/)
      expect { client.userid_by_email("a@b", type: :work) }.to raise_error(ArgumentError, /type: must be :corp or :personal/)
      expect { client.user("a" * 65) }.to raise_error(ArgumentError, /userid is 65 bytes/)
      expect { client.userid_by_openid("") }.to raise_error(ArgumentError, /openid is empty/)
      expect(sim.request_count).to eq(before)
    end
  end

  describe "a cursor list against the independent fake server" do
    let(:server) { fake_wecom }
    let(:client) { client_for(server) }

    it "fetches page after page until next_cursor is empty" do
      pages = { "" => [%w[a 1], "c2"], "c2" => [%w[b 1], "c3"], "c3" => [%w[c 2], ""] }
      server.on("user/list_id") do |req|
        rows, following = pages.fetch(req.json["cursor"].to_s)
        { "errcode" => 0, "errmsg" => "ok", "next_cursor" => following,
          "dept_user" => [{ "userid" => rows[0], "department" => rows[1].to_i }] }
      end
      expect(client.user_ids.map(&:userid).to_a).to eq(%w[a b c])
      expect(server.requests.select { _1.path == "user/list_id" }.map { _1.json["cursor"] }).to eq([nil, "c2", "c3"])
    end
  end

  describe "operations" do
    it "reads WeCom's IP ranges" do
      WechatWork::Simulator.run do |sim|
        client = WechatWork::Client.new(corp_id: sim.corp_id, secret: sim.secret, agent_id: sim.agent_id, base_url: sim.base_url)
        expect(client.callback_ips).to all(match(/\A\d+\.\d+\.\d+\.\d+\z/))
        expect(client.api_domain_ips).not_to be_empty
      end
    end
  end
end
