//! JS-SDK signatures (path/96909): the same algorithm for `wx.config` (the corp's ticket) and
//! `wx.agentConfig` (the app's ticket).

use sha1::{Digest, Sha1};

/// The page URL as signed: everything before `#` ("不包括#及其后面部分"), not URL-encoded.
pub fn signed_url(url: &str) -> &str {
    url.split_once('#').map_or(url, |(before, _)| before)
}

/// `hex(sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…"))`, lower-case, with the URL's
/// fragment dropped. The order is fixed and nothing is encoded.
pub fn signature(ticket: &str, noncestr: &str, timestamp: &str, url: &str) -> String {
    let text = format!(
        "jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={}",
        signed_url(url)
    );
    Sha1::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICKET: &str =
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";

    #[test]
    fn official_vectors() {
        assert_eq!(
            signature(
                TICKET,
                "Wm3WZYTPz0wzccnW",
                "1414587457",
                "http://mp.weixin.qq.com?params=value"
            ),
            "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
        );
        assert_eq!(
            signature(
                TICKET,
                "Wm3WZYTPz0wzccnW",
                "1414587457",
                "http://mp.weixin.qq.com"
            ),
            "f4d90daf4b3bca3078ab155816175ba34c443a7b"
        );
    }

    #[test]
    fn the_fragment_is_not_signed() {
        assert_eq!(
            signature(TICKET, "n", "1", "https://x.test/page?a=1#/room/42"),
            signature(TICKET, "n", "1", "https://x.test/page?a=1")
        );
    }
}
