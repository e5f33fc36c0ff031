# frozen_string_literal: true

H = CallbackHelpers unless defined?(H)

RSpec.describe WechatWork::Callback::Message do
  let(:cb) { callback }

  def parse(xml) = cb.parse(xml)

  it "types the common messages" do
    image = parse("<xml><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://p/1.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId><MsgId>1</MsgId></xml>")
    expect(image).to be_a(described_class::Image).and have_attributes(pic_url: "http://p/1.jpg", media_id: "m1")
    voice = parse("<xml><MsgType>voice</MsgType><MediaId>m</MediaId><Format>amr</Format></xml>")
    expect(voice).to have_attributes(class: described_class::Voice, format: "amr")
    video = parse("<xml><MsgType>video</MsgType><MediaId>m</MediaId><ThumbMediaId>t</ThumbMediaId></xml>")
    expect(video.thumb_media_id).to eq("t")
    loc = parse("<xml><MsgType>location</MsgType><Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[广州市]]></Label></xml>")
    expect(loc).to have_attributes(location_x: 23.134521, location_y: 113.358803, scale: 20, label: "广州市")
    link = parse("<xml><MsgType>link</MsgType><Title>t</Title><Description>d</Description><Url>u</Url><PicUrl>p</PicUrl></xml>")
    expect(link).to have_attributes(title: "t", description: "d", url: "u", pic_url: "p")
  end

  it "types the common events (event names compared case-insensitively)" do
    expect(parse(event_xml("subscribe"))).to be_a(described_class::Subscribe).and be_event
    expect(parse(event_xml("unsubscribe"))).to be_a(described_class::Unsubscribe)
    expect(parse(event_xml("enter_agent", extra: "<EventKey><![CDATA[]]></EventKey>")))
      .to be_a(described_class::EnterAgent).and have_attributes(event_key: "")
    expect(parse(event_xml("CLICK", extra: "<EventKey>K</EventKey>"))).to be_a(described_class::Click)
      .and have_attributes(event_name: "click", event_key: "K")
    expect(parse(event_xml("view", extra: "<EventKey>www.qq.com</EventKey>")).url).to eq("www.qq.com")
    expect(parse(event_xml("LOCATION", extra: "<Latitude>23.1</Latitude><Longitude>113.3</Longitude><Precision>119</Precision>")))
      .to have_attributes(class: described_class::LocationEvent, latitude: 23.1, precision: 119.0)

    contact = parse(event_xml("change_contact", from: "sys", extra: "<ChangeType>update_user</ChangeType><UserID><![CDATA[zhangsan]]></UserID><NewUserID><![CDATA[zhangsan001]]></NewUserID><Name><![CDATA[张三]]></Name><Department><![CDATA[1,2,3]]></Department><IsLeaderInDept><![CDATA[1,0,0]]></IsLeaderInDept><Gender>1</Gender>"))
    expect(contact).to be_a(described_class::ChangeContact)
    expect(contact).to have_attributes(change_type: "update_user", user_id: "zhangsan", new_user_id: "zhangsan001",
                                       name: "张三", department: [1, 2, 3], is_leader_in_dept: [1, 0, 0], gender: 1)
    expect(contact).to be_user

    job = parse(event_xml("batch_job_result", extra: "<BatchJob><JobId><![CDATA[j1]]></JobId><JobType><![CDATA[sync_user]]></JobType><ErrCode>0</ErrCode><ErrMsg><![CDATA[ok]]></ErrMsg></BatchJob>"))
    expect(job).to have_attributes(class: described_class::BatchJobResult, job_id: "j1", job_type: "sync_user", err_code: 0)
    expect(job).to be_success

    card = parse(event_xml("template_card_event", extra: "<EventKey><![CDATA[key111]]></EventKey><TaskId><![CDATA[taskid111]]></TaskId><CardType><![CDATA[vote_interaction]]></CardType><ResponseCode><![CDATA[RC]]></ResponseCode><SelectedItems><SelectedItem><QuestionKey><![CDATA[q1]]></QuestionKey><OptionIds><OptionId><![CDATA[o1]]></OptionId><OptionId><![CDATA[o2]]></OptionId></OptionIds></SelectedItem></SelectedItems>"))
    expect(card).to have_attributes(class: described_class::TemplateCardEvent, task_id: "taskid111", card_type: "vote_interaction",
                                    response_code: "RC", event_key: "key111")
    expect(card.selected_items).to eq([{ "question_key" => "q1", "option_ids" => %w[o1 o2] }])

    approval = parse(event_xml("sys_approval_change", from: "sys", extra: "<ApprovalInfo><SpNo>202506110001</SpNo><SpName><![CDATA[示例模板]]></SpName><SpStatus>1</SpStatus><TemplateId>T</TemplateId><ApplyTime>1571728713</ApplyTime><Applyer><UserId><![CDATA[WuJunJie]]></UserId></Applyer><StatuChangeEvent>1</StatuChangeEvent></ApprovalInfo>"))
    expect(approval).to have_attributes(class: described_class::SysApprovalChange, sp_no: "202506110001", sp_status: 1,
                                        applicant: "WuJunJie", apply_time: Time.at(1571728713), status_change_event: 1)
    expect(approval.dig("ApprovalInfo", "SpName")).to eq("示例模板")
  end

  it "reads any field by its snake_case name and is frozen" do
    msg = parse(event_xml("change_contact", extra: "<ExtraField>x</ExtraField>"))
    expect(msg.extra_field).to eq("x")
    expect(msg).to respond_to(:extra_field)
    expect { msg.no_such_field }.to raise_error(NoMethodError)
    expect(msg).to be_frozen
    expect(msg.to_h).to be_frozen
  end

  describe "#dedupe_key" do
    it "is the MsgId for messages and keeps different events of the same second apart" do
      expect(parse(text_xml("a", msg_id: "1")).dedupe_key).to eq(parse(text_xml("b", msg_id: "1")).dedupe_key)
      expect(parse(text_xml("a", msg_id: "1")).dedupe_key).not_to eq(parse(text_xml("a", msg_id: "2")).dedupe_key)
      a = parse(event_xml("template_card_event", extra: "<EventKey>yes</EventKey><TaskId>t1</TaskId>"))
      b = parse(event_xml("template_card_event", extra: "<EventKey>no</EventKey><TaskId>t1</TaskId>"))
      c = parse(event_xml("template_card_event", extra: "<EventKey>yes</EventKey><TaskId>t2</TaskId>"))
      d = parse(event_xml("enter_agent"))
      expect([a, b, c, d].map(&:dedupe_key).uniq.size).to eq(4)
      again = parse(event_xml("template_card_event", extra: "<EventKey>yes</EventKey><TaskId>t1</TaskId>"))
      expect(again.dedupe_key).to eq(a.dedupe_key)
    end
  end

  describe WechatWork::Callback::Reply do
    it "builds text, image, news and template card replies" do
      msg = parse(text_xml("hi"))
      xml = msg.reply_text("hello").to_xml(from_user: H::CORP, create_time: 7)
      expect(xml).to eq("<xml><ToUserName><![CDATA[zhangsan]]></ToUserName><FromUserName><![CDATA[#{H::CORP}]]></FromUserName>" \
                        "<CreateTime>7</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content></xml>")
      expect(parse(described_class.image("m1").to_xml).dig("Image", "MediaId")).to eq("m1")
      news = parse(described_class.news([{ title: "T", description: "D", url: "U", pic_url: "P" }, { title: "T2" }]).to_xml)
      expect(news["ArticleCount"]).to eq("2")
      expect(news.dig("Articles", "item").map { _1["Title"] }).to eq(%w[T T2])
      expect { described_class.news([]) }.to raise_error(ArgumentError)
      expect(parse(described_class.update_button("Done").to_xml).dig("Button", "ReplaceName")).to eq("Done")
      card = parse(described_class.update_template_card(card_type: "button_interaction", main_title: { title: "X" }).to_xml)
      expect(card.msg_type).to eq("update_template_card")
      expect(card.dig("TemplateCard", "MainTitle", "Title")).to eq("X")
    end
  end
end
