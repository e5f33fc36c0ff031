//! Media: temporary media (media/upload, media/get: 3 days, shared by the corp's apps) and
//! permanent images (media/uploadimg, served at `/_simulator/media/<id>`).
//!
//! Uploads are checked the way WeCom documents (docs/wecom/media.md#sizes-and-formats): the
//! file in the multipart part named `media`, more than 5 bytes, each type's size cap and
//! format (by the file name's extension and by the content's signature: a PNG must start like
//! a PNG). The robot's own upload (webhook/upload_media) reads its file with [`read_upload`]
//! too.
//!
//! Not simulated: `Range` downloads (206; the router does not pass request headers to
//! handlers), media/upload_by_url, uploadimg's quota (1000 a day).

pub mod multipart;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wechat_work_core::api::media::{content_type_for, extension};
use wechat_work_core::wecom::limits::{self, MediaRule};

use super::{Ctx, Handler, Reply};
use crate::fields;
use crate::reply_try;
use crate::wire::{self, ApiFailure};

pub static HANDLERS: &[(&str, Handler)] = &[
    ("media/upload", upload),
    ("media/get", get),
    ("media/uploadimg", uploadimg),
];

/// Stored bytes beyond this evict the oldest media first (the simulator keeps files in memory).
const MAX_STORED_BYTES: usize = 512 * 1024 * 1024;

/// A temporary media file.
#[derive(Debug, Clone)]
pub struct Media {
    /// image, voice, video or file.
    pub kind: &'static str,
    pub filename: String,
    pub content_type: String,
    pub bytes: Arc<Vec<u8>>,
    pub created: Instant,
    /// Unix seconds of the upload, on the simulated clock.
    pub created_at: i64,
}

/// A permanent image (uploadimg).
#[derive(Debug, Clone)]
pub struct Image {
    pub content_type: String,
    pub bytes: Arc<Vec<u8>>,
}

#[derive(Debug)]
pub struct State {
    media: HashMap<String, Media>,
    images: HashMap<String, Image>,
    stored_bytes: usize,
    capacity: usize,
    /// `http://127.0.0.1:PORT`: where uploadimg's URLs point (set when the server starts).
    public_base: String,
}

impl Default for State {
    fn default() -> Self {
        Self {
            media: HashMap::new(),
            images: HashMap::new(),
            stored_bytes: 0,
            capacity: MAX_STORED_BYTES,
            public_base: "http://127.0.0.1".into(),
        }
    }
}

impl State {
    /// Temporary media are files, not per-send memory: `/_simulator/clear` keeps them.
    pub fn clear(&mut self) {}

    pub fn set_public_base(&mut self, base_url: &str) {
        self.public_base = base_url.trim_end_matches('/').to_string();
    }

    /// The media `media_id`, unless unknown or older than 3 days (then forgotten).
    pub fn lookup(&mut self, media_id: &str, now: Instant) -> Option<&Media> {
        let expired = self
            .media
            .get(media_id)
            .is_some_and(|m| is_expired(m.created, now));
        if expired {
            self.remove(media_id);
        }
        self.media.get(media_id)
    }

    /// A permanent image by id (what `/_simulator/media/<id>` serves).
    pub fn image(&self, id: &str) -> Option<Image> {
        self.images.get(id).cloned()
    }

    fn store(&mut self, media: Media, now: Instant) -> String {
        self.make_room(media.bytes.len(), now);
        let id = wire::random_token(44);
        self.stored_bytes += media.bytes.len();
        self.media.insert(id.clone(), media);
        id
    }

    fn store_image(&mut self, image: Image, now: Instant) -> String {
        self.make_room(image.bytes.len(), now);
        let id = wire::random_token(32);
        self.stored_bytes += image.bytes.len();
        self.images.insert(id.clone(), image);
        id
    }

    fn remove(&mut self, media_id: &str) {
        if let Some(m) = self.media.remove(media_id) {
            self.stored_bytes = self.stored_bytes.saturating_sub(m.bytes.len());
        }
    }

    /// Forgets expired media, then the oldest, until `incoming` more bytes fit.
    fn make_room(&mut self, incoming: usize, now: Instant) {
        let expired: Vec<String> = self
            .media
            .iter()
            .filter(|(_, m)| is_expired(m.created, now))
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            self.remove(&id);
        }
        while self.stored_bytes + incoming > self.capacity {
            let oldest = self
                .media
                .iter()
                .min_by_key(|(_, m)| m.created)
                .map(|(id, _)| id.clone());
            match oldest {
                Some(id) => self.remove(&id),
                None => break,
            }
        }
    }
}

fn is_expired(created: Instant, now: Instant) -> bool {
    now.saturating_duration_since(created) >= Duration::from_secs(limits::MEDIA_TTL_SECS)
}

/// A file read from the `media` part of an upload and checked against a media rule.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The file of an upload request, checked the way WeCom checks it for `rule`: present in the
/// part `media` (44001), not empty (44001), more than 5 bytes (40006), within the type's size
/// (40009 images, 40011 videos, 40006 others), of an accepted format (40004; 301017 for a voice
/// that is not AMR).
pub fn read_upload(ctx: &Ctx, rule: &MediaRule) -> Result<Upload, ApiFailure> {
    let missing = || {
        ApiFailure::detail(
            44001,
            "send the file as multipart/form-data in the part named \"media\", with a filename",
        )
    };
    let parts = multipart::parse(ctx.content_type, ctx.body).map_err(|_| missing())?;
    let part = multipart::file(&parts, "media").ok_or_else(missing)?;
    let size = part.data.len() as u64;
    if size == 0 {
        return Err(ApiFailure::new(44001));
    }
    if size <= limits::MEDIA_MIN_BYTES {
        return Err(ApiFailure::detail(
            40006,
            &format!(
                "files must be larger than {} bytes",
                limits::MEDIA_MIN_BYTES
            ),
        ));
    }
    if size > rule.max_bytes {
        return Err(ApiFailure::detail(
            rule.too_large_errcode,
            &format!(
                "{} media take at most {} bytes, got {size}",
                rule.kind, rule.max_bytes
            ),
        ));
    }
    let filename = part.filename.clone().unwrap_or_default();
    let ext = extension(&filename);
    let extension_ok = rule.extensions.is_empty() || rule.extensions.contains(&ext.as_str());
    if !extension_ok || !looks_like(rule.kind, part.data) {
        let code = if rule.kind == "voice" { 301017 } else { 40004 };
        return Err(ApiFailure::detail(
            code,
            &format!(
                "{} media must be {}",
                rule.kind,
                rule.extensions.join("/").to_uppercase()
            ),
        ));
    }
    let content_type = part
        .content_type
        .clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| content_type_for(&filename).to_string());
    Ok(Upload {
        filename,
        content_type,
        bytes: part.data.to_vec(),
    })
}

/// Does the content start like the type's format? (JPG/PNG images, AMR voice, MP4 video.)
pub fn looks_like(kind: &str, bytes: &[u8]) -> bool {
    match kind {
        "image" => is_jpg_or_png(bytes),
        "voice" => bytes.starts_with(b"#!AMR"),
        "video" => bytes.get(4..8) == Some(b"ftyp".as_slice()),
        _ => true,
    }
}

pub fn is_jpg_or_png(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes.starts_with(b"\x89PNG\r\n\x1a\n")
}

/// `{"type", "media_id", "created_at"}`, created_at a String as in WeCom's example.
pub fn upload_answer(kind: &str, media_id: &str, created_at: i64) -> Reply {
    Reply::Ok(fields! {
        "type" => kind,
        "media_id" => media_id,
        "created_at" => created_at.to_string(),
    })
}

fn upload(ctx: &Ctx) -> Reply {
    let kind = ctx.param("type").unwrap_or_default();
    let Some(rule) = limits::media_rule(kind) else {
        return Reply::Fail(ApiFailure::detail(
            40005,
            "type must be image, voice, video or file",
        ));
    };
    let file = reply_try!(read_upload(ctx, rule));
    let now = ctx.now();
    let created_at = ctx.world.clock.unix();
    let media_id = ctx.world.domains.media.lock().store(
        Media {
            kind: rule.kind,
            filename: file.filename,
            content_type: file.content_type,
            bytes: Arc::new(file.bytes),
            created: now,
            created_at,
        },
        now,
    );
    upload_answer(rule.kind, &media_id, created_at)
}

fn get(ctx: &Ctx) -> Reply {
    let Some(media_id) = ctx.param("media_id").filter(|m| !m.is_empty()) else {
        return Reply::Fail(ApiFailure::new(41006));
    };
    let found = ctx
        .world
        .domains
        .media
        .lock()
        .lookup(media_id, ctx.now())
        .cloned();
    let Some(media) = found else {
        return Reply::Fail(ApiFailure::new(40007));
    };
    Reply::Raw {
        status: 200,
        content_type: media.content_type.clone(),
        headers: vec![
            (
                "Content-Disposition".into(),
                content_disposition(&media.filename),
            ),
            ("Cache-Control".into(), "no-cache, must-revalidate".into()),
        ],
        body: media.bytes.as_ref().clone(),
    }
}

fn uploadimg(ctx: &Ctx) -> Reply {
    let file = reply_try!(read_upload(ctx, &limits::UPLOADIMG_RULE));
    let mut state = ctx.world.domains.media.lock();
    let id = state.store_image(
        Image {
            content_type: file.content_type,
            bytes: Arc::new(file.bytes),
        },
        ctx.now(),
    );
    let url = format!("{}/_simulator/media/{id}", state.public_base);
    Reply::Ok(fields! {"url" => url})
}

/// `attachment; filename="cv.pdf"`. Header values are ASCII: a name with other characters
/// gets an ASCII stand-in plus RFC 5987 `filename*=UTF-8''...` with the real name.
pub fn content_disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let ascii = if ascii.trim().is_empty() {
        "file".to_string()
    } else {
        ascii
    };
    if ascii == filename {
        return format!("attachment; filename=\"{ascii}\"");
    }
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_stays_ascii() {
        assert_eq!(
            content_disposition("cv v2.pdf"),
            "attachment; filename=\"cv v2.pdf\""
        );
        assert_eq!(
            content_disposition("简历.pdf"),
            "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E7%AE%80%E5%8E%86.pdf"
        );
        assert!(content_disposition("a\"b\r\n").is_ascii());
    }

    #[test]
    fn formats_by_signature() {
        assert!(looks_like("image", b"\x89PNG\r\n\x1a\n...."));
        assert!(looks_like("image", &[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(!looks_like("image", b"GIF89a"));
        assert!(looks_like("voice", b"#!AMR\n"));
        assert!(looks_like("video", b"\0\0\0\x18ftypmp42"));
        assert!(!looks_like("video", b"ftyp"));
        assert!(looks_like("file", b""));
    }

    #[test]
    fn oldest_media_make_room_and_expired_ones_go() {
        let mut state = State {
            capacity: 100,
            ..State::default()
        };
        let now = Instant::now();
        let media = |len: usize, created: Instant| Media {
            kind: "file",
            filename: "a.bin".into(),
            content_type: "application/octet-stream".into(),
            bytes: Arc::new(vec![0; len]),
            created,
            created_at: 0,
        };
        let half = 50;
        let first = state.store(media(half, now), now);
        let later = now + Duration::from_secs(1);
        let second = state.store(media(half, later), later);
        let third = state.store(media(10, later), later);
        assert!(state.lookup(&first, later).is_none(), "the oldest went");
        assert!(state.lookup(&second, later).is_some());
        let after = later + Duration::from_secs(limits::MEDIA_TTL_SECS);
        assert!(state.lookup(&third, after).is_none(), "3 days later");
        assert_eq!(state.stored_bytes, half);
    }
}
