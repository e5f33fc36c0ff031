# frozen_string_literal: true

# The README's Rails, Sidekiq and RSpec sections quote the example app. Each quoted block starts
# with a comment naming the file ("# app/services/schedule_interview.rb (the example app's,
# excerpt)"); this checks that every line of the block is in that file, in the same order, so
# the README cannot drift from code that CI runs.
RSpec.describe "The README's excerpts of the example app" do
  ROOT = File.expand_path("../..", __dir__)
  APP = File.join(ROOT, "examples/interview_app")
  # A comment naming a file starts a part of a block; the example app's parts say so.
  ANY_FILE = %r{\A#\s+[\w/.]+\.(?:rb|yml|ru|erb)\b}
  FILE_HEADER = %r{\A#\s+([\w/.]+\.(?:rb|yml|erb))\s+\(the example app's}

  # [[path, [lines]]] from the README's ```ruby and ```yaml blocks.
  def self.excerpts
    readme = File.read(File.join(ROOT, "README.md"))
    readme.scan(/^```(?:ruby|yaml)\n(.*?)^```/m).flat_map do |(block)|
      block.lines.map(&:rstrip).slice_before { ANY_FILE.match?(_1) }.filter_map do |lines|
        path = lines.first[FILE_HEADER, 1] or next
        [path, lines.drop(1)]
      end
    end
  end

  # The README may add a comment at the end of a line ("   # why"); the code must match.
  def self.code(line)
    line.sub(/\s{2,}#\s.*\z/, "").strip
  end

  it "finds the excerpts (a guard against this spec silently checking nothing)" do
    paths = self.class.excerpts.map(&:first)
    expect(paths).to include("config/wechat_work.yml", "config/routes.rb", "app/callbacks/wechat_work_callbacks.rb",
                             "app/jobs/card_answered_job.rb", "app/services/schedule_interview.rb",
                             "app/models/user.rb", "config/sidekiq.yml", "spec/rails_helper.rb",
                             "spec/services/schedule_interview_spec.rb", "spec/requests/callbacks_spec.rb")
  end

  excerpts.each do |path, lines|
    it "#{path} is quoted as the example app has it" do
      file = File.join(APP, path)
      expect(File.exist?(file)).to be(true), "README quotes #{path}, which the example app does not have"
      remaining = File.readlines(file, chomp: true).map { self.class.code(_1) }
      lines.map { self.class.code(_1) }.reject(&:empty?).each do |wanted|
        index = remaining.index(wanted)
        expect(index).not_to be_nil, "README line not found in #{path} (in order):\n  #{wanted}"
        remaining = remaining.drop(index + 1)
      end
    end
  end
end
