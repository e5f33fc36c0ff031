# frozen_string_literal: true

require "open3"
require "wechat_work"

# bin/demo's script, run as bin/demo runs it, so the README's first command keeps working and
# keeps telling one story: interview A booked, its card sent and frozen on Accept; interview B
# booked, then cancelled (its card recalled by msgid, its meeting and calendar entry cancelled);
# A untouched; errors handled.
RSpec.describe "examples/interview_invitation.rb (bin/demo)" do
  root = File.expand_path("../..", __dir__)
  script = "#{root}/examples/interview_invitation.rb"
  terms = ["corp", "agent", "userid", "template card", "msgid", "callback", "response_code"]

  def run_demo(env, script, root)
    out, status = Open3.capture2e(env, RbConfig.ruby, "-I#{root}/lib", script)
    expect(status).to be_success, out
    out
  end

  # The step (numbered block, or the header before step 1) each line belongs to.
  def blocks(lines)
    number = 0
    lines.map { |line| number += 1 if line.match?(/\A\d+\. /); number }
  end

  def id_after(out, label)
    out[/^   #{Regexp.escape(label)} ([^\s;]+)/, 1] || raise("no #{label.inspect} in:\n#{out}")
  end

  context "against the embedded simulator" do
    let(:out) { run_demo({ "WECHAT_WORK_CORP_ID" => nil, "WECHAT_WORK_SECRET" => nil }, script, root) }

    it "recalls interview B's card by its msgid and cancels B's meeting, leaving A booked" do
      expect(out).not_to include("skipped:")
      card_a = id_after(out, "card A delivered: msgid")
      card_b = id_after(out, "card B delivered: msgid")
      meeting_a = id_after(out, "meeting A:")
      meeting_b = id_after(out, "meeting B:")
      expect([card_a, meeting_a]).not_to include(card_b, meeting_b)

      # What the simulator delivered, one line a message, read from its record.
      delivered = out.split("What the simulator delivered").last.lines.select { |l| l.include?(" msgid ") }
      expect(delivered.size).to eq(2), out
      line_a = delivered.find { |l| l.include?("msgid #{card_a}:") }
      line_b = delivered.find { |l| l.include?("msgid #{card_b}:") }
      expect(line_b).to start_with("  template_card interview-B-").and include("Li Ming").and end_with("(recalled)\n")
      expect(line_a).to start_with("  template_card interview-A-").and include("Han Meimei")
      expect(line_a).not_to include("recalled")
      task_a = line_a[/interview-A-\d+/]
      expect(out).to include("card #{task_a} updated: buttons replaced by \"Accepted\"")

      expect(out).to include("card B recalled (msgid #{card_b})", "meeting B cancelled", "calendar entry B deleted")
      expect(out).to include("meeting A #{meeting_a}: not started")
      expect(out).to match(/calendar entry A \S+: in place/)
    end

    it "explains each WeCom word once, in the step where it first appears" do
      lines = out.lines
      step = blocks(lines)
      terms.each do |term|
        definitions = lines.each_index.select { |i| lines[i].start_with?("   #{term} = ") }
        expect(definitions.size).to eq(1), "#{term.inspect} explained #{definitions.size} times:\n#{out}"
        first_use = lines.index { |l| l.match?(/(?<![\w-])#{Regexp.escape(term)}(?![\w-])/i) }
        expect(step[first_use]).to eq(step[definitions.first]),
                                   "#{term.inspect} is used in #{lines[first_use].inspect} before it is explained"
      end
    end

    it "says the meeting link is the simulator's, handles errors, and says what to read next" do
      link_line = out.lines.find { |l| l.include?("join link: https://meeting.tencent.com/") }
      expect(link_line).to include("(simulated: ")
      expect(out).to include("WechatWork::NoValidRecipientError", "invalid users: [\"ghost\"]",
                             "ArgumentError: no recipient")
      expect(out).to include("Next: the README's \"Quick start in Rails\"", "`bin/demo --app`")
    end
  end

  # What real WeCom does, played by a simulator the script takes for WeCom: nothing may say
  # "simulated", and a permission the app lacks (meetings here) is reported and skipped.
  context "against WeCom (WECHAT_WORK_* set), without the meeting permission" do
    around do |example|
      WechatWork::Simulator.run(corp_id: "ww5a0c1e2b3d4f6a7b", users: [{ userid: "lilei", name: "Li Lei" }]) do |sim|
        @sim = sim
        example.run
      end
    end

    it "goes on without meetings and still recalls interview B's card" do
      @sim.inject(:errcode, errcode: 48_002, path: "meeting/create", times: nil)
      out = run_demo(@sim.env.merge("DEMO_INTERVIEWER" => "lilei"), script, root)
      expect(out).to include("Against WeCom at #{@sim.base_url}")
      expect(out).not_to match(/simulat/i)
      expect(out.scan("skipped: WechatWork::PermissionError").size).to eq(2), out

      cards = @sim.messages.select { |m| m["msgtype"] == "template_card" }
      expect(cards.map { |m| m.dig("template_card", "task_id")[/interview-[AB]/] }).to eq(%w[interview-A interview-B])
      expect(cards.map { |m| m["recalled"] == true }).to eq([false, true])
      links = cards.flat_map { |m| m.dig("template_card", "horizontal_content_list").filter_map { |f| f["url"] } }
      expect(links).to be_empty # no meeting, so no join link: nothing made up in its place
      expect(@sim.messages.find { |m| m["channel"] == "card_update" }&.dig("button", "replace_name")).to eq("Accepted")
    end
  end
end
