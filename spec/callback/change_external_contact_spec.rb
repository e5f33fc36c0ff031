# frozen_string_literal: true

# change_external_contact: a candidate added a member (through a contact way's QR code), removed
# them, or a transfer failed. XML as in path/92130 / 96361.
RSpec.describe WechatWork::Callback::Message::ChangeExternalContact do
  let(:cb) { callback }

  def external_event(change_type, extra = "")
    event_xml("change_external_contact", from: "sys",
                                         extra: "<ChangeType><![CDATA[#{change_type}]]></ChangeType>" \
                                                "<UserID><![CDATA[hanmeimei]]></UserID>" \
                                                "<ExternalUserID><![CDATA[wmCandidateWangFang000000000AAAA]]></ExternalUserID>#{extra}")
  end

  def post(router, xml)
    params, body = signed_post(cb, xml)
    router.receive(params, body)
  end

  it "types the event with readers for every field" do
    added = cb.parse(external_event("add_external_contact",
                                    "<State><![CDATA[campus-2024]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>"))
    expect(added).to be_a(described_class).and be_event
    expect(added).to have_attributes(change_type: "add_external_contact", user_id: "hanmeimei",
                                     external_user_id: "wmCandidateWangFang000000000AAAA", state: "campus-2024",
                                     welcome_code: "WELCOMECODE", source: nil, fail_reason: nil)
    expect(added).to be_added
    expect(added).not_to be_removed

    removed = cb.parse(external_event("del_external_contact", "<Source><![CDATA[DELETE_BY_TRANSFER]]></Source>"))
    expect(removed).to have_attributes(source: "DELETE_BY_TRANSFER")
    expect(removed).to be_removed

    failed = cb.parse(external_event("transfer_fail", "<FailReason><![CDATA[customer_refused]]></FailReason>"))
    expect(failed).to have_attributes(fail_reason: "customer_refused", user_id: "hanmeimei")
    expect(cb.parse(external_event("add_half_external_contact"))).to be_added
  end

  it "routes on the change type through Callback::Router" do
    seen = []
    router = WechatWork::Callback::Router.new(cb) do
      on(:change_external_contact, change_type: "add_external_contact") do |msg|
        seen << [:added, msg.user_id, msg.external_user_id, msg.state]
      end
      on(:change_external_contact, change_type: /\Adel_/) { |msg| seen << [:removed, msg.change_type] }
      otherwise { |msg| seen << [:other, msg.event] }
    end
    expect(post(router, external_event("add_external_contact", "<State><![CDATA[campus-2024]]></State>")))
      .to eq([200, "text/plain", ""])
    post(router, external_event("del_follow_user"))
    post(router, external_event("edit_external_contact"))
    expect(seen).to eq([[:added, "hanmeimei", "wmCandidateWangFang000000000AAAA", "campus-2024"],
                        [:removed, "del_follow_user"], [:other, "change_external_contact"]])
  end
end
