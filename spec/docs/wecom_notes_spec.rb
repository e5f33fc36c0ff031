# frozen_string_literal: true

require "pathname"

# docs/wecom/ holds the WeCom facts the code relies on, each with its source. Code comments cite
# them as docs/wecom/<file>.md#<anchor>; this keeps every citation pointing at a heading that
# exists, keeps the repository from citing notes outside it, and keeps the [SIM] and [UNV] tags
# defined once, in docs/wecom/README.md.
RSpec.describe "The WeCom notes (docs/wecom)" do
  root = Pathname(File.expand_path("../..", __dir__))
  notes_dir = root.join("docs/wecom")
  scanned = %w[lib crates ext exe bin spec docs].freeze
  scanned_files = %w[README.md README.zh-CN.md].freeze
  tags = %w[[SIM] [UNV]].freeze
  # Notes kept outside the repository (spelt so that this file does not mention them itself).
  outside = (%w[api beyond].map { Regexp.new(Regexp.escape("wecom-#{_1}.md")) } +
             [%r{shared/referenc[e]}, %r{\.\./shared}, %r{(?<![\w.-])/work/(?:shared|notes)\b}]).freeze
  citation = %r{docs/wecom/([\w.-]+?\.md)(?:#([\p{Word}-]+))?}

  # GitHub's anchor of each heading outside code blocks: lower-cased, punctuation dropped,
  # spaces to "-" (before GitHub numbers repeats: "text-limits", "text-limits-1").
  bare_anchors_of = lambda do |text|
    fenced = false
    text.each_line.with_object([]) do |line, out|
      fenced = !fenced if line.start_with?("```")
      next if fenced || !(heading = line[/\A\#{1,6}\s+(.+?)\s*#*\s*\z/, 1])

      out << heading.downcase.gsub(/[^\p{Word}\- ]/, "").tr(" ", "-")
    end
  end
  anchors_of = lambda do |text|
    seen = Hash.new(0)
    bare_anchors_of.call(text).map { |base| (seen[base].zero? ? base : "#{base}-#{seen[base]}").tap { seen[base] += 1 } }
  end

  # Every text file that may cite the notes, as [relative path, text].
  sources = lambda do
    paths = scanned.flat_map { Dir.glob(root.join(_1, "**", "*").to_s) } + scanned_files.map { root.join(_1).to_s }
    paths.select { File.file?(_1) }.filter_map do |path|
      text = File.binread(path)
      next if text.include?("\0")

      text = text.force_encoding(Encoding::UTF_8)
      [Pathname(path).relative_path_from(root).to_s, text.valid_encoding? ? text : text.scrub]
    end
  end

  let(:files) { sources.call }
  let(:notes) { notes_dir.glob("*.md").to_h { [_1.basename.to_s, _1.read] } }
  let(:anchors) { notes.transform_values { anchors_of.call(_1) } }

  # [where, file, anchor or nil] for every docs/wecom/<file>.md[#anchor] cited in the scanned
  # files, and every relative link between the notes themselves.
  let(:citations) do
    cited = files.flat_map do |path, text|
      text.each_line.with_index(1).flat_map do |line, number|
        line.scan(citation).map { |file, anchor| ["#{path}:#{number}", file, anchor] }
      end
    end
    linked = notes.flat_map do |name, text|
      text.scan(/\]\(([^)\s]+)\)/).flatten.reject { _1.match?(%r{\A\w+://}) }.filter_map do |target|
        file, anchor = target.split("#", 2)
        file = name if file.empty?
        next unless file.end_with?(".md") && !file.include?("/")

        ["docs/wecom/#{name} (link #{target})", file, anchor]
      end
    end
    cited + linked
  end

  it "finds the notes and their citations (a guard against checking nothing)" do
    expect(notes.keys).to include("README.md", "tokens-and-errors.md", "messages.md", "callbacks.md")
    expect(citations.map { _1[0] }.grep(%r{\Acrates/})).not_to be_empty
    expect(citations.map { _1[0] }.grep(%r{\Alib/})).not_to be_empty
    expect(citations.count { _1[2] }).to be > 50
  end

  it "computes anchors the way GitHub does" do
    expect(anchors_of.call("## The change_external_contact callback\n## Text limits\n## Text limits\n"))
      .to eq(%w[the-change_external_contact-callback text-limits text-limits-1])
    expect(anchors_of.call("```\n# not a heading\n```\n### `message/send`: 1–8, ok?\n"))
      .to eq(%w[messagesend-18-ok])
  end

  it "has each citation point at an existing note and heading" do
    broken = citations.filter_map do |where, file, anchor|
      if !anchors.key?(file)
        "#{where}: docs/wecom/#{file} does not exist"
      elsif anchor && !anchors[file].include?(anchor)
        "#{where}: docs/wecom/#{file} has no heading with the anchor ##{anchor}"
      end
    end
    expect(broken).to be_empty, "broken citations:\n#{broken.join("\n")}"
  end

  it "has no heading twice in one note (a citation must name one place)" do
    repeated = notes.flat_map { |file, text| bare_anchors_of.call(text).tally.select { _2 > 1 }.keys.map { "#{file}##{_1}" } }
    expect(repeated).to be_empty
  end

  it "defines every reference-style link the notes use" do
    undefined = notes.flat_map do |file, text|
      defined = text.scan(/^\[([^\]]+)\]:\s/).flatten
      text.scan(/\]\[([^\]]+)\]/).flatten.uniq.reject { defined.include?(_1) }.map { "#{file}: [#{_1}]" }
    end
    expect(undefined).to be_empty
  end

  it "cites nothing outside the repository" do
    offending = files.flat_map do |path, text|
      text.each_line.with_index(1).filter_map do |line, number|
        "#{path}:#{number}: #{line.strip}" if outside.any? { line.match?(_1) }
      end
    end
    markdown = files.select { |path, _| path.end_with?(".md") }
    escaping = markdown.flat_map do |path, text|
      text.scan(/\]\(([^)\s#]+)[^)]*\)/).flatten.reject { _1.match?(%r{\A(\w+:|/)}) }.filter_map do |target|
        resolved = root.join(path).dirname.join(target).cleanpath
        "#{path}: (#{target}) leaves the repository" unless resolved.to_s.start_with?("#{root}/")
      end
    end
    expect(offending + escaping).to be_empty, (offending + escaping).join("\n")
  end

  it "defines [SIM] and [UNV] once, in docs/wecom/README.md" do
    readme = notes.fetch("README.md")
    tags.each do |tag|
      name = tag[1..-2]
      expect(anchors.fetch("README.md")).to include(name.downcase)
      expect(readme.scan(/^`#{Regexp.escape(tag)}`: \S/).size).to eq(1), "#{tag} is not defined in docs/wecom/README.md"
    end
    others = notes.except("README.md").select { |_, text| tags.any? { text.match?(/^`#{Regexp.escape(_1)}`: /) } }
    expect(others.keys).to be_empty
  end

  it "uses [SIM] and [UNV] only in the notes and the code" do
    code = %r{\A(?:docs/wecom|crates|lib|ext|exe|bin)/}
    elsewhere = files.filter_map do |path, text|
      path if tags.any? { text.include?(_1) } && !path.match?(code) && path != "spec/docs/wecom_notes_spec.rb"
    end
    expect(elsewhere).to be_empty, "tags outside docs/wecom and the code: #{elsewhere.join(", ")}"
    users = files.count { |path, text| path.match?(%r{\A(?:crates|lib)/}) && tags.any? { text.include?(_1) } }
    expect(users).to be > 0
  end
end
