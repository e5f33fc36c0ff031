//! Media: temporary media (path/90253 upload, path/90254 download) and permanent images for
//! mpnews (path/90256). Sizes and formats are checked before any byte is sent.

use super::{Endpoint, Params, UploadInfo};
use crate::error::Result;
use crate::wecom::limits::{self, MediaRule};

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint::post("media/upload", "path/90253")
        .query(&["type"])
        .safe()
        .validate(validate_upload_params)
        .upload(check_upload),
    Endpoint::get("media/get", "path/90254")
        .binary()
        .validate(validate_get),
    Endpoint::post("media/uploadimg", "path/90256")
        .safe()
        .validate(no_params)
        .upload(check_uploadimg),
];

fn no_params(p: &Params) -> Result<()> {
    p.only(&[], p.endpoint)
}

fn validate_upload_params(p: &Params) -> Result<()> {
    p.only(&["type"], p.endpoint)?;
    let kind = p.str("type")?;
    if limits::media_rule(kind).is_none() {
        return Err(p.fail(format!(
            "type must be image, voice, video or file, got {kind:?}"
        )));
    }
    Ok(())
}

fn validate_get(p: &Params) -> Result<()> {
    p.only(&["media_id"], "media/get")?;
    p.str("media_id").map(drop)
}

/// The size and format checks of one media rule, with messages naming the limit.
pub fn check_file(p: &Params, rule: &MediaRule, file: &UploadInfo) -> Result<()> {
    if file.size <= limits::MEDIA_MIN_BYTES {
        return Err(p.fail(format!(
            "{} is {} bytes; WeCom needs files larger than {} bytes",
            file.filename,
            file.size,
            limits::MEDIA_MIN_BYTES
        )));
    }
    if file.size > rule.max_bytes {
        return Err(p.fail(format!(
            "{} is {} bytes; WeCom takes {} media up to {} bytes ({})",
            file.filename,
            file.size,
            rule.kind,
            rule.max_bytes,
            human(rule.max_bytes)
        )));
    }
    if !rule.extensions.is_empty() {
        let ext = extension(&file.filename);
        if !rule.extensions.contains(&ext.as_str()) {
            return Err(p.fail(format!(
                "{} is not {}: WeCom takes {} media as {} files only",
                file.filename,
                format_names(rule.extensions),
                rule.kind,
                rule.extensions
                    .iter()
                    .map(|e| format!(".{e}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )));
        }
    }
    Ok(())
}

/// ["jpg", "jpeg", "png"] → "a JPG or PNG image"; ["amr"] → "an AMR file".
fn format_names(extensions: &[&str]) -> String {
    let mut names: Vec<String> = Vec::new();
    for e in extensions {
        let name = if *e == "jpeg" {
            "JPG".to_string()
        } else {
            e.to_uppercase()
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let article = if names
        .first()
        .is_some_and(|n| n.starts_with(['A', 'E', 'I', 'M', 'O']))
    {
        "an"
    } else {
        "a"
    };
    format!("{article} {} file", names.join(" or "))
}

/// The part's Content-Type WeCom's media overview suggests, by file extension.
pub fn content_type_for(filename: &str) -> &'static str {
    match extension(filename).as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "bmp" => "image/bmp",
        "gif" => "image/gif",
        "amr" => "voice/amr",
        "mp4" => "video/mp4",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

pub fn extension(filename: &str) -> String {
    std::path::Path::new(filename)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// 20971520 → "20 MB"; 1536 → "1.5 KB".
pub fn human(bytes: u64) -> String {
    let (value, unit) = if bytes >= 1024 * 1024 {
        (bytes as f64 / (1024.0 * 1024.0), "MB")
    } else if bytes >= 1024 {
        (bytes as f64 / 1024.0, "KB")
    } else {
        return format!("{bytes} bytes");
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.trim_end_matches(".0"))
}

fn check_upload(p: &Params, file: &UploadInfo) -> Result<()> {
    let kind = p.str("type")?;
    let rule = limits::media_rule(kind).ok_or_else(|| {
        p.fail(format!(
            "type must be image, voice, video or file, got {kind:?}"
        ))
    })?;
    check_file(p, rule, file)
}

fn check_uploadimg(p: &Params, file: &UploadInfo) -> Result<()> {
    check_file(p, &limits::UPLOADIMG_RULE, file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn upload(kind: &str, filename: &str, size: u64) -> Result<()> {
        let params = json!({"type": kind});
        let p = Params::new("media/upload", &params);
        check_upload(
            &p,
            &UploadInfo {
                filename: filename.into(),
                size,
            },
        )
    }

    #[test]
    fn sizes_and_formats_before_uploading() {
        upload("file", "cv.pdf", 20 * 1024 * 1024).unwrap();
        upload("image", "photo.JPG", 1000).unwrap();
        let err = |r: Result<()>| r.unwrap_err().to_string();
        assert_eq!(
            err(upload("file", "cv.pdf", 20 * 1024 * 1024 + 1)),
            "media/upload: cv.pdf is 20971521 bytes; WeCom takes file media up to 20971520 bytes (20 MB)"
        );
        assert_eq!(
            err(upload("image", "photo.gif", 1000)),
            "media/upload: photo.gif is not a JPG or PNG file: WeCom takes image media as .jpg .jpeg .png files only"
        );
        assert!(err(upload("voice", "a.mp3", 1000))
            .contains("a.mp3 is not an AMR file: WeCom takes voice media as .amr files only"));
        assert!(err(upload("video", "a.mov", 1000)).contains("a.mov is not an MP4 file"));
        assert!(err(upload("file", "tiny.txt", 5)).contains("larger than 5 bytes"));
        assert_eq!(human(11 * 1024 * 1024 / 2), "5.5 MB");
    }
}
