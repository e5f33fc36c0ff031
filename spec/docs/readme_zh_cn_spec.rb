# frozen_string_literal: true

# README.zh-CN.md is kept in step with README.md: the same sections in the same order, and the
# same code, block for block (the code is what readers copy; only the prose is translated).
RSpec.describe "README.zh-CN.md" do
  ROOT_DIR = File.expand_path("../..", __dir__)

  def read(name) = File.read(File.join(ROOT_DIR, name))
  def code_blocks(text) = text.scan(/^```[^\n]*\n.*?^```/m)
  def headings(text) = text.lines.grep(/\A#{"#"}{2,3} /).map { _1[/\A#+/] }

  let(:english) { read("README.md") }
  let(:chinese) { read("README.zh-CN.md") }

  it "and README.md link to each other" do
    expect(english).to include("(README.zh-CN.md)")
    expect(chinese).to include("(README.md)")
  end

  it "has the same code blocks, in the same order" do
    expect(code_blocks(english)).not_to be_empty
    code_blocks(english).zip(code_blocks(chinese)).each_with_index do |(en, zh), i|
      expect(zh).to eq(en), "code block #{i + 1} differs (README.md first):\n#{en}\n---\n#{zh}"
    end
    expect(code_blocks(chinese).size).to eq(code_blocks(english).size)
  end

  it "has the same sections, in the same order" do
    expect(headings(chinese)).to eq(headings(english))
  end

  it "is in Chinese" do
    han = chinese.scan(/\p{Han}/).size
    expect(han).to be > 5000
  end
end
