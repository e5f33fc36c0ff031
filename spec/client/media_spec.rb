# frozen_string_literal: true

require "tmpdir"
require "stringio"
require "net/http"

RSpec.describe WechatWork::Client, "media" do
  include_context "on the simulator"
  around do |example|
    Dir.mktmpdir do |dir|
      @dir = dir
      example.run
    end
  end

  def file(name, bytes)
    File.join(@dir, name).tap { |path| File.binwrite(path, bytes) }
  end

  def sized(name, size, head = "")
    File.join(@dir, name).tap do |path|
      File.open(path, "wb") do |f|
        f.write(head)
        f.truncate(size)
      end
    end
  end

  def media_requests = sim.requests.reject { |r| r["path"].end_with?("gettoken") }

  describe "#upload_media" do
    it "uploads a file and answers its media_id, which a message can carry" do
      media_id = client.upload_media(:file, file("cv.pdf", "%PDF-1.4 curriculum vitae"))
      expect(media_id).to be_a(String).and(match(/\A[\w-]{40,}\z/))
      expect(sim.requests.map { _1["path"] }).to eq(%w[/cgi-bin/gettoken /cgi-bin/media/upload])
      client.send_file(to: "lilei", media_id: media_id, enable_duplicate_check: false)
      expect(sim.messages.last["file"]).to eq("media_id" => media_id)
    end

    it "takes a Pathname, a File, or an IO with filename:, and a String type" do
      path = file("photo.png", MediaSamples::PNG)
      ids = [
        client.upload_media(:image, Pathname(path)),
        File.open(path, "rb") { |f| client.upload_media("image", f) },
        client.upload_media(:image, StringIO.new(MediaSamples::PNG), filename: "photo.png")
      ]
      expect(ids.uniq.size).to eq(3)
      ids.each do |id|
        io = StringIO.new(+"", "wb")
        client.download_media(id, to: io)
        expect(io.string.b).to eq(MediaSamples::PNG)
      end
    end

    it "refuses oversized files before any request, naming the file, its size and the limit" do
      big = sized("big.png", 10 * 1024 * 1024 + 1, MediaSamples::PNG)
      expect { client.upload_media(:image, big) }.to raise_error(
        ArgumentError,
        "upload_media(:image): big.png is 10485761 bytes; WeCom takes image media up to 10485760 bytes (10 MB)"
      )
      expect { client.upload_media(:voice, sized("long.amr", 2 * 1024 * 1024 + 1, "#!AMR\n")) }
        .to raise_error(ArgumentError, /long\.amr is 2097153 bytes; WeCom takes voice media up to 2097152 bytes \(2 MB\)/)
      expect { client.upload_media(:file, sized("huge.zip", 20 * 1024 * 1024 + 1)) }
        .to raise_error(ArgumentError, /huge\.zip is 20971521 bytes; .* up to 20971520 bytes \(20 MB\)/)
      expect { client.upload_media(:file, file("tiny.txt", "12345")) }
        .to raise_error(ArgumentError, /tiny\.txt is 5 bytes; WeCom needs files larger than 5 bytes/)
      expect(sim.requests).to be_empty
    end

    it "refuses wrong formats before any request" do
      expect { client.upload_media(:image, file("anim.gif", "GIF89a......")) }
        .to raise_error(ArgumentError, "upload_media(:image): anim.gif is not a JPG or PNG file: " \
                                       "WeCom takes image media as .jpg .jpeg .png files only")
      expect { client.upload_media(:voice, file("memo.mp3", "ID3......")) }
        .to raise_error(ArgumentError, /upload_media\(:voice\): memo\.mp3 is not an AMR file/)
      expect { client.upload_media(:video, file("clip.mov", "......")) }
        .to raise_error(ArgumentError, /clip\.mov is not an MP4 file/)
      expect { client.upload_media(:image, StringIO.new(MediaSamples::PNG), filename: "photo.bmp") }
        .to raise_error(ArgumentError, /photo\.bmp is not a JPG/)
      expect(sim.requests).to be_empty
    end

    it "names the bad argument" do
      path = file("a.txt", "hello world")
      expect { client.upload_media(:sticker, path) }
        .to raise_error(ArgumentError, "type must be one of :image, :voice, :video, :file, got :sticker")
      expect { client.upload_media(nil, path) }.to raise_error(ArgumentError, /type must be one of .* got nil/)
      expect { client.upload_media(:file, File.join(@dir, "missing.txt")) }
        .to raise_error(ArgumentError, /missing\.txt is not a readable file/)
      expect { client.upload_media(:file, 42) }
        .to raise_error(ArgumentError, /give a file path or an IO \(responds to read\), got Integer/)
      expect { client.upload_media(:file, StringIO.new("hello world")) }
        .to raise_error(ArgumentError, /filename: is needed to upload from a StringIO/)
      expect { client.upload_media(:file, path, filename: "") }.to raise_error(ArgumentError, "filename is empty")
      expect { client.upload_media(:file, path, name: "x") }.to raise_error(ArgumentError, /unknown keyword: :name/)
      expect(sim.requests).to be_empty
    end

    it "raises MediaError for what WeCom refuses after the upload (content that is not what it claims)" do
      expect { client.upload_media(:image, file("fake.png", "this is not a picture")) }
        .to raise_error(WechatWork::MediaError) { |e| expect(e.errcode).to eq(40004) }
    end
  end

  describe "#download_media" do
    let(:bytes) { Random.bytes(300_000) }
    let(:media_id) { client.upload_media(:file, file("report.bin", bytes)) }

    it "streams to a path and answers size, content type and file name" do
      target = File.join(@dir, "copy.bin")
      info = client.download_media(media_id, to: target)
      expect(File.binread(target)).to eq(bytes)
      expect(info.size).to eq(bytes.bytesize)
      expect(info.filename).to eq("report.bin")
      expect(info.content_type).to eq("application/octet-stream")
      expect(info).to be_a(WechatWork::Download)
      expect(info[:size]).to eq(bytes.bytesize)
    end

    it "streams to an IO, and to a Pathname" do
      io = StringIO.new(+"", "wb")
      client.download_media(media_id, to: io)
      expect(io.string.b).to eq(bytes)
      target = Pathname(@dir) / "copy2.bin"
      client.download_media(media_id, to: target)
      expect(target.binread).to eq(bytes)
    end

    it "raises MediaError (40007) for an unknown media_id, and leaves the target alone" do
      target = File.join(@dir, "never.bin")
      expect { client.download_media("no-such-media", to: target) }.to raise_error(WechatWork::MediaError) { |e|
        expect(e.errcode).to eq(40007)
        expect(e.path).to eq("media/get")
        expect(e.message).to include("upload the file again")
      }
      expect(File.exist?(target)).to be(false)
    end

    it "raises MediaError once the media is older than 3 days" do
      id = media_id
      sim.advance_time(3 * 24 * 3600)
      expect { client.download_media(id, to: StringIO.new) }.to raise_error(WechatWork::MediaError, /40007/)
    end

    it "names the bad argument" do
      expect { client.download_media(nil, to: StringIO.new) }.to raise_error(ArgumentError, "media_id is missing")
      expect { client.download_media("", to: StringIO.new) }.to raise_error(ArgumentError, "media_id is empty")
      expect { client.download_media("x", to: 42) }
        .to raise_error(ArgumentError, "to: must be a path or an IO (responds to write), got Integer")
      expect { client.download_media("x") }
        .to raise_error(ArgumentError, "download_media: to: is missing: where to write the file: a path, a Pathname or an IO")
      expect(sim.requests).to be_empty
    end
  end

  describe "#upload_image" do
    it "answers a permanent URL serving the picture" do
      url = client.upload_image(file("logo.png", MediaSamples::PNG))
      expect(url).to start_with("#{sim.base_url}/_simulator/media/")
      expect(Net::HTTP.get(URI(url)).b).to eq(MediaSamples::PNG)
    end

    it "refuses pictures over 2 MB or not JPG/PNG before any request" do
      expect { client.upload_image(sized("big.jpg", 2 * 1024 * 1024 + 1, "\xFF\xD8\xFF")) }
        .to raise_error(ArgumentError, "upload_image: big.jpg is 2097153 bytes; WeCom takes image media up to 2097152 bytes (2 MB)")
      expect { client.upload_image(file("logo.svg", "<svg/>......")) }.to raise_error(ArgumentError, /logo\.svg is not a JPG/)
      expect(sim.requests).to be_empty
    end
  end
end

RSpec.describe WechatWork::Client, "media against the independent fake server" do
  let(:server) { fake_wecom }
  let(:client) { client_for(server) }

  it "uploads as multipart in the part \"media\" and downloads the bytes back" do
    Dir.mktmpdir do |dir|
      path = File.join(dir, "简历.pdf")
      bytes = Random.bytes(100_000)
      File.binwrite(path, bytes)
      media_id = client.upload_media(:file, path)
      upload = server.requests.find { |r| r.path == "media/upload" }
      expect(upload.params).to include("type" => "file")
      expect(server.uploads.fetch(media_id)).to include(name: "media", filename: "简历.pdf", data: bytes)

      target = File.join(dir, "copy.pdf")
      info = client.download_media(media_id, to: target)
      expect(File.binread(target)).to eq(bytes)
      expect(info.size).to eq(bytes.bytesize)
      expect(info.filename).to eq("简历.pdf")
      expect { client.download_media("unknown", to: target) }.to raise_error(WechatWork::MediaError, /40007/)
    end
  end
end
