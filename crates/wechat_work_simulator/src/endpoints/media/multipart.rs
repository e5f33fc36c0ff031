//! A small `multipart/form-data` reader for the upload endpoints (media/upload,
//! media/uploadimg, webhook/upload_media): the boundary from the Content-Type, then each part's
//! headers (Content-Disposition name/filename, Content-Type) and bytes, borrowed from the body.
//!
//! It reads whatever a client sends without panicking: every index is checked, malformed input
//! is an error, and the work is linear in the body size (a few bounded scans).

/// One part of the form. `data` borrows the request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// The `name` of `Content-Disposition: form-data; name="media"`.
    pub name: String,
    /// `filename` (or RFC 5987 `filename*`), when the part is a file.
    pub filename: Option<String>,
    /// The part's own Content-Type header.
    pub content_type: Option<String>,
    pub data: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The request is not `multipart/form-data` or has no boundary.
    NotMultipart,
    /// The body does not follow the multipart framing (no closing boundary, broken headers).
    Malformed,
}

/// Parts beyond this are refused: WeCom's uploads carry one.
const MAX_PARTS: usize = 32;
/// A part's header block larger than this is refused.
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// RFC 2046 limits boundaries to 70 characters.
const MAX_BOUNDARY: usize = 70;

/// The boundary of a `multipart/form-data; boundary=...` Content-Type (quoted or not).
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = split_params(content_type).into_iter();
    let kind = params.next()?.1;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .find(|(key, _)| key.eq_ignore_ascii_case("boundary"))
        .map(|(_, value)| value)
        .filter(|b| !b.is_empty() && b.len() <= MAX_BOUNDARY)
}

/// Every part of `body`, sent with `content_type`.
pub fn parse<'a>(content_type: &str, body: &'a [u8]) -> Result<Vec<Part<'a>>, Error> {
    let boundary = boundary(content_type).ok_or(Error::NotMultipart)?;
    let delimiter = [b"--", boundary.as_bytes()].concat();
    // "\r\n--boundary": what ends a part's data.
    let separator = [b"\r\n", delimiter.as_slice()].concat();

    // The first delimiter, at the start or after a preamble line.
    let mut pos = if body.starts_with(&delimiter) {
        delimiter.len()
    } else {
        find(body, &separator, 0).ok_or(Error::Malformed)? + separator.len()
    };
    let mut parts = Vec::new();
    loop {
        let rest = body.get(pos..).ok_or(Error::Malformed)?;
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then the line break that ends the delimiter line.
        let padding = rest
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        pos += padding;
        pos += line_break(body.get(pos..).unwrap_or_default()).ok_or(Error::Malformed)?;

        // Headers end at an empty line (none at all: the empty line comes at once).
        let (headers, data_start) = match body.get(pos..) {
            Some(rest) if rest.starts_with(b"\r\n") => (&rest[..0], pos + 2),
            Some(_) => {
                let end = find(body, b"\r\n\r\n", pos).ok_or(Error::Malformed)?;
                (body.get(pos..end).ok_or(Error::Malformed)?, end + 4)
            }
            None => return Err(Error::Malformed),
        };
        if headers.len() > MAX_HEADER_BYTES {
            return Err(Error::Malformed);
        }
        let data_end = find(body, &separator, data_start).ok_or(Error::Malformed)?;
        let data = body.get(data_start..data_end).ok_or(Error::Malformed)?;
        if parts.len() == MAX_PARTS {
            return Err(Error::Malformed);
        }
        parts.push(part(headers, data)?);
        pos = data_end + separator.len();
    }
}

/// The first part named `name` that carries a file.
pub fn file<'p, 'a>(parts: &'p [Part<'a>], name: &str) -> Option<&'p Part<'a>> {
    parts
        .iter()
        .find(|p| p.name == name && p.filename.is_some())
}

fn line_break(bytes: &[u8]) -> Option<usize> {
    if bytes.starts_with(b"\r\n") {
        Some(2)
    } else if bytes.starts_with(b"\n") {
        Some(1)
    } else {
        None
    }
}

fn part<'a>(headers: &[u8], data: &'a [u8]) -> Result<Part<'a>, Error> {
    let text = String::from_utf8_lossy(headers);
    let mut name = None;
    let mut filename = None;
    let mut filename_ext = None;
    let mut content_type = None;
    for line in text.split("\r\n").filter(|l| !l.trim().is_empty()) {
        let (key, value) = line.split_once(':').ok_or(Error::Malformed)?;
        let key = key.trim();
        if key.eq_ignore_ascii_case("content-disposition") {
            let mut params = split_params(value).into_iter();
            let kind = params.next().map(|(_, v)| v).unwrap_or_default();
            if !kind.trim().eq_ignore_ascii_case("form-data") {
                return Err(Error::Malformed);
            }
            for (k, v) in params {
                match k.to_ascii_lowercase().as_str() {
                    "name" => name = Some(v),
                    "filename" => filename = Some(v),
                    "filename*" => filename_ext = ext_value(&v),
                    _ => {}
                }
            }
        } else if key.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_string());
        }
    }
    Ok(Part {
        name: name.ok_or(Error::Malformed)?,
        filename: filename_ext.or(filename),
        content_type,
        data,
    })
}

/// `a; b=1; c="x;y"` → `[("", "a"), ("b", "1"), ("c", "x;y")]`: `;` inside quotes does not
/// split, quotes are removed, `\"` and `\\` unescaped. A bare token has an empty key.
fn split_params(header: &str) -> Vec<(String, String)> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in header.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                current.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ';' if !quoted => segments.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    segments.push(current);
    segments
        .into_iter()
        .map(|segment| match segment.split_once('=') {
            Some((key, value)) => (key.trim().to_string(), unquote(value.trim())),
            None => (String::new(), segment.trim().to_string()),
        })
        .collect()
}

fn unquote(value: &str) -> String {
    let Some(inner) = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|_| value.len() >= 2)
    else {
        return value.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut escaped = false;
    for c in inner.chars() {
        if escaped || c != '\\' {
            out.push(c);
            escaped = false;
        } else {
            escaped = true;
        }
    }
    out
}

/// RFC 5987 `UTF-8''%E7%AE%80%E5%8E%86.pdf` → "简历.pdf" (other charsets: None).
fn ext_value(value: &str) -> Option<String> {
    let mut pieces = value.splitn(3, '\'');
    let charset = pieces.next()?;
    let _language = pieces.next()?;
    let encoded = pieces.next()?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let bytes = percent_decode(encoded.as_bytes())?;
    String::from_utf8(bytes).ok()
}

fn percent_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if b == b'%' {
            let hex = input.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

/// The first index at or after `from` where `needle` starts.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut i = from;
    while let Some(window) = haystack.get(i..) {
        let offset = window.iter().position(|b| *b == first)?;
        let at = i + offset;
        if haystack.get(at + 1..at + needle.len())? == rest {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/form-data; boundary=-------------------------acebdf13572468";

    /// WeCom's own example (path/90253), byte for byte.
    fn official() -> Vec<u8> {
        b"---------------------------acebdf13572468\r\n\
Content-Disposition: form-data; name=\"media\";filename=\"wework.txt\"; filelength=6\r\n\
Content-Type: application/octet-stream\r\n\
\r\n\
mytext\r\n\
---------------------------acebdf13572468--\r\n"
            .to_vec()
    }

    #[test]
    fn reads_wecoms_example() {
        let body = official();
        let parts = parse(CT, &body).unwrap();
        assert_eq!(parts.len(), 1);
        let media = file(&parts, "media").unwrap();
        assert_eq!(media.filename.as_deref(), Some("wework.txt"));
        assert_eq!(
            media.content_type.as_deref(),
            Some("application/octet-stream")
        );
        assert_eq!(media.data, b"mytext");
    }

    #[test]
    fn boundaries_quoted_or_not_and_only_for_form_data() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"a b;c\"").as_deref(),
            Some("a b;c")
        );
        assert_eq!(
            boundary("Multipart/Form-Data;BOUNDARY=xyz").as_deref(),
            Some("xyz")
        );
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(boundary("multipart/form-data; boundary="), None);
        assert_eq!(
            boundary(&format!("multipart/form-data; boundary={}", "x".repeat(71))),
            None
        );
    }

    #[test]
    fn several_parts_binary_data_preamble_and_utf8_names() {
        let mut body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nfile\r\n--XyZ\r\nContent-Disposition: form-data; name=\"media\"; filename=\"\xe7\xae\x80\xe5\x8e\x86.pdf\"\r\n\r\n".to_vec();
        let data: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        body.extend_from_slice(&data);
        body.extend_from_slice(b"\r\n--XyZ--");
        let parts = parse("multipart/form-data; boundary=XyZ", &body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "type");
        assert_eq!(parts[0].data, b"file");
        let media = file(&parts, "media").unwrap();
        assert_eq!(media.filename.as_deref(), Some("简历.pdf"));
        assert_eq!(media.content_type, None);
        assert_eq!(media.data, data.as_slice());
    }

    #[test]
    fn rfc5987_filenames_and_escaped_quotes() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"media\"; filename=\"cv.pdf\"; filename*=UTF-8''%E7%AE%80%E5%8E%86.pdf\r\n\r\nhello\r\n--b\r\nContent-Disposition: form-data; name=\"other\"; filename=\"a \\\"q\\\";b.txt\"\r\n\r\nx\r\n--b--\r\n";
        let parts = parse("multipart/form-data; boundary=b", body).unwrap();
        assert_eq!(parts[0].filename.as_deref(), Some("简历.pdf"));
        assert_eq!(parts[1].filename.as_deref(), Some("a \"q\";b.txt"));
    }

    #[test]
    fn a_part_without_a_file_is_not_the_file() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"media\"\r\n\r\nhello\r\n--b--";
        let parts = parse("multipart/form-data; boundary=b", body).unwrap();
        assert!(file(&parts, "media").is_none());
    }

    #[test]
    fn malformed_bodies_are_errors() {
        let ct = "multipart/form-data; boundary=b";
        assert_eq!(parse("text/plain", b"x"), Err(Error::NotMultipart));
        assert_eq!(parse(ct, b""), Err(Error::Malformed));
        assert_eq!(
            parse(
                ct,
                b"--b\r\nContent-Disposition: form-data; name=\"m\"\r\n\r\nno end"
            ),
            Err(Error::Malformed)
        );
        assert_eq!(
            parse(ct, b"--b\r\nno colon here\r\n\r\nx\r\n--b--"),
            Err(Error::Malformed)
        );
        assert_eq!(
            parse(
                ct,
                b"--b\r\nContent-Disposition: attachment; name=\"m\"\r\n\r\nx\r\n--b--"
            ),
            Err(Error::Malformed)
        );
        assert_eq!(
            parse(ct, b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--"),
            Err(Error::Malformed),
            "a part needs a name"
        );
        let many =
            "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n".repeat(40) + "--b--";
        assert_eq!(parse(ct, many.as_bytes()), Err(Error::Malformed));
    }

    /// Every prefix of a valid body, and bodies of noise, are answered without a panic.
    #[test]
    fn never_panics() {
        let body = official();
        for end in 0..=body.len() {
            let _ = parse(CT, &body[..end]);
            let _ = parse(CT, &body[end..]);
        }
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let alphabet = b"-\r\n\"=;:abAB \\%";
        for _ in 0..2000 {
            let len = (seed % 200) as usize;
            let noise: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            let _ = parse("multipart/form-data; boundary=a", &noise);
            let _ = split_params(&String::from_utf8_lossy(&noise));
        }
        assert_eq!(ext_value("UTF-8''%E7%A"), None);
        assert_eq!(ext_value("latin1''abc"), None);
    }
}
