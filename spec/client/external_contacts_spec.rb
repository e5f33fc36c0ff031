# frozen_string_literal: true

RSpec.describe WechatWork::Client, "external contacts" do
  # The simulator's seeded outside people (crates/wechat_work_simulator/src/endpoints/external_contact.rs).
  let(:wang_fang) { "wmCandidateWangFang000000000AAAA" }
  let(:zhao_lei) { "wmCandidateZhaoLei0000000000AAAA" }
  let(:liu_yang) { "wmCandidateLiuYang0000000000AAAA" }
  let(:chen_jing) { "woHeadhunterChenJing00000000AAAA" }

  context "against the simulator" do
    include_context "on the simulator"

    it "lists a member's external contacts as external_userid Strings" do
      expect(client.external_contacts("lilei")).to contain_exactly(wang_fang, zhao_lei, chen_jing)
      expect(client.external_contacts("newhire")).to eq([])
    end

    it "reads one contact with every member who follows them" do
      contact = client.external_contact(wang_fang)
      expect(contact.external_contact).to have_attributes(name: "Wang Fang", type: 1)
      expect(contact.follow_user.map(&:userid)).to eq(%w[hanmeimei lilei])
      expect(contact.follow_user.last).to have_attributes(state: "campus-2024", remark: "Wang Fang (backend)")
      expect(contact.follow_user.last.tags.map(&:tag_id)).to eq(["etStageOnsite"])
      expect(contact.key?(:next_cursor)).to be(false)
      expect(client.external_contact(chen_jing).external_contact.corp_name).to eq("Talent Bridge")
    end

    it "raises NotFoundError for an unknown contact (84061) and InvalidRequestError for a malformed id (40096)" do
      expect { client.external_contact("wmNoSuchCandidate") }
        .to raise_error(WechatWork::NotFoundError) { |e| expect(e.errcode).to eq(84061) }
      expect { client.external_contact("lilei") }
        .to raise_error(WechatWork::InvalidRequestError) { |e| expect(e.errcode).to eq(40096) }
    end

    it "walks batch/get_by_user lazily, following next_cursor" do
      rows = client.each_external_contact(%w[lilei hanmeimei zhangsan], limit: 2)
      expect(rows).to be_a(Enumerator::Lazy)
      expect(sim.request_count("externalcontact/batch/get_by_user")).to eq(0)
      expect(rows.first(3).size).to eq(3)
      expect(sim.request_count("externalcontact/batch/get_by_user")).to eq(2)
      all = rows.to_a
      # 7 follows, 2 a page: 4 requests for the full walk
      expect(sim.request_count("externalcontact/batch/get_by_user")).to eq(2 + 4)
      expect(all.size).to eq(7)
      expect(all.map { |r| [r.follow_info.userid, r.external_contact.name] })
        .to include(%w[zhangsan Chen\ Jing], %w[hanmeimei Liu\ Yang])
      expect(all.find { |r| r.follow_info["state"] == "campus-2024" }.follow_info.tag_id).to eq(["etStageOnsite"])
    end

    it "sends userids in slices of 100" do
      userids = %w[lilei] + Array.new(149) { |i| "member#{i}" }
      expect(client.each_external_contact(userids).count).to eq(3)
      expect(sim.request_count("externalcontact/batch/get_by_user")).to eq(2)
    end

    it "makes contact ways: a QR code only for scene: :qr_code" do
      qr = client.add_contact_way(type: :single, scene: :qr_code, users: "hanmeimei", state: "campus-2024",
                                  remark: "Job fair poster", skip_verify: true)
      expect(qr.config_id).to be_a(String).and(satisfy { |s| !s.empty? })
      expect(qr.qr_code).to start_with("https://")
      mini = client.add_contact_way(type: :multi, scene: :mini_program, users: %w[hanmeimei lilei], parties: [3])
      expect(mini.key?(:qr_code)).to be(false)
    end

    it "creates a mass message that stays pending: nothing is sent until the member confirms" do
      template = client.add_msg_template(text: "Your interview is on Friday", external_userids: [wang_fang, zhao_lei, "wmGone"],
                                         sender: "lilei",
                                         attachments: [{ msgtype: "link", link: { title: "Guide", url: "https://example.com" } }])
      expect(template.msgid).to start_with("msg")
      expect(template.fail_list).to eq(["wmGone"])
      expect(sim.messages).to be_empty

      rows = client.msg_template_result(template, userid: "lilei", limit: 1)
      expect(rows).to be_a(Enumerator::Lazy)
      all = rows.to_a
      expect(all.map(&:external_userid)).to contain_exactly(wang_fang, zhao_lei)
      expect(all.map(&:status)).to eq([0, 0])
      expect(all.map { |r| r.key?(:send_time) }).to eq([false, false])
      expect(sim.request_count("externalcontact/get_groupmsg_send_result")).to eq(2)
      expect(sim.messages).to be_empty
    end

    it "sends to all of a sender's customers when no external_userids are given" do
      template = client.add_msg_template(text: "hello", sender: "hanmeimei")
      expect(client.msg_template_result(template.msgid, userid: "hanmeimei").map(&:external_userid).to_a)
        .to contain_exactly(wang_fang, zhao_lei, liu_yang)
    end

    it "raises InvalidRequestError (41048) when no customer can get the message" do
      expect { client.add_msg_template(text: "hi", external_userids: [liu_yang], sender: "zhangsan") }
        .to raise_error(WechatWork::InvalidRequestError) { |e| expect(e.errcode).to eq(41048) }
    end

    it "raises NotFoundError (41047) for an unknown msgid" do
      expect { client.msg_template_result("msgNoSuchThing", userid: "lilei").first }
        .to raise_error(WechatWork::NotFoundError) { |e| expect(e.errcode).to eq(41047) }
    end

    it "names the bad argument before any request" do
      expect { client.external_contacts(nil) }.to raise_error(ArgumentError, "userid is missing")
      expect { client.external_contact("") }.to raise_error(ArgumentError, "external_userid is empty")
      expect { client.each_external_contact([]) }.to raise_error(ArgumentError, "userids is empty")
      expect { client.each_external_contact(["lilei", 7]) }
        .to raise_error(ArgumentError, /userids \(a userid\) must be a String, got 7/)
      expect { client.each_external_contact("lilei", limit: 0) }
        .to raise_error(ArgumentError, "limit must be a positive Integer, got 0")
      expect { client.each_external_contact("lilei", limit: 101).first }
        .to raise_error(ArgumentError, /limit must be 1 to 100, got 101/)
      expect { client.add_contact_way(type: :many, users: "lilei") }
        .to raise_error(ArgumentError, "type must be one of :single, :multi, got :many")
      expect { client.add_contact_way(scene: :poster, users: "lilei") }
        .to raise_error(ArgumentError, /scene must be one of :mini_program, :qr_code/)
      expect { client.add_contact_way(users: %w[lilei zhangsan]) }
        .to raise_error(ArgumentError, /type 1 \(one member\) takes exactly one user, got 2/)
      expect { client.add_contact_way(users: "lilei", state: "x" * 31) }
        .to raise_error(ArgumentError, /state is 31 characters; WeCom allows at most 30/)
      expect { client.add_contact_way(users: "lilei", skip_verify: "no") }
        .to raise_error(ArgumentError, /skip_verify must be true or false/)
      expect { client.add_msg_template(text: "hi") }
        .to raise_error(ArgumentError, /give external_userid \(the customers\) or sender/)
      expect { client.add_msg_template(sender: "lilei") }.to raise_error(ArgumentError, /give text: or attachments:/)
      expect { client.add_msg_template(text: "hi", sender: "lilei", chat_type: :broadcast) }
        .to raise_error(ArgumentError, /chat_type must be :single or :group/)
      expect { client.add_msg_template(text: "hi", sender: "lilei", attachments: "link") }
        .to raise_error(ArgumentError, /attachments must be an Array/)
      expect { client.add_msg_template(text: "hi", sender: "lilei", schedule: Time.now) }
        .to raise_error(ArgumentError, /unknown keyword: :schedule/)
      expect { client.msg_template_result("msg1", userid: "") }.to raise_error(ArgumentError, "userid is empty")
      expect(sim.request_count - sim.request_count("gettoken")).to eq(0)
    end
  end

  # follow_user beyond 500 rows: the independent plain-Ruby fake answers two pages.
  context "a contact followed by more than 500 members" do
    let(:server) { fake_wecom }
    let(:client) { client_for(server) }

    it "follows next_cursor and merges every follow_user page" do
      candidate = wang_fang
      server.on("externalcontact/get") do |req|
        rows = if req.params["cursor"].to_s.empty?
                 Array.new(500) { |i| { "userid" => "recruiter#{i}" } }
               else
                 [{ "userid" => "recruiter500" }]
               end
        { "errcode" => 0, "errmsg" => "ok", "external_contact" => { "external_userid" => candidate, "name" => "Wang Fang" },
          "follow_user" => rows, "next_cursor" => req.params["cursor"].to_s.empty? ? "PAGE2" : "" }
      end
      contact = client.external_contact(wang_fang)
      expect(contact.follow_user.size).to eq(501)
      expect(contact.follow_user.last.userid).to eq("recruiter500")
      expect(server.requests.select { |r| r.path == "externalcontact/get" }.map { |r| r.params["cursor"] })
        .to eq([nil, "PAGE2"])
    end
  end
end
