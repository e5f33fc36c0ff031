# frozen_string_literal: true

# Small files in the formats WeCom checks (by extension and by content), for the media and
# robot specs.
module MediaSamples
  PNG = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR a small picture".b.freeze
  JPG = "\xFF\xD8\xFF\xE0\0\x10JFIF a small photo".b.freeze
  AMR = "#!AMR\n a short voice memo".b.freeze
end
