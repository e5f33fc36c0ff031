//! `msg_signature`: the hex SHA-1 of the token, timestamp, nonce and ciphertext, sorted
//! lexicographically and concatenated without a separator. Compared in constant time.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use super::rejection::Rejection;
use crate::error::{Error, Result};

/// The signature WeCom computes (and expects back on a passive reply).
pub fn sign(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    let mut parts = [token, timestamp, nonce, encrypt];
    // Byte order of UTF-8 is code point order: the same order as Python's and (for ASCII) Node's sort.
    parts.sort_unstable();
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize())
}

/// Checks `signature` (hex, any case) against the expected one, in constant time.
pub fn verify(
    token: &str,
    timestamp: &str,
    nonce: &str,
    encrypt: &str,
    signature: &str,
) -> Result<()> {
    let expected = sign(token, timestamp, nonce, encrypt);
    let given = signature.trim().to_ascii_lowercase();
    let same_len = given.len() == expected.len();
    // ct_eq on slices of different lengths is false without looking at the contents.
    let equal: bool = expected.as_bytes().ct_eq(given.as_bytes()).into();
    if same_len && equal {
        Ok(())
    } else {
        Err(Error::callback(
            Rejection::Signature,
            "msg_signature does not match: the request is not from WeCom, or not for this app, or the callback token is wrong",
        ))
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wechatpy_url_verification_vector() {
        let echostr = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==";
        assert_eq!(
            sign("123456", "1411443780", "437374425", echostr),
            "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
        );
    }

    #[test]
    fn verify_accepts_upper_case_and_rejects_tampering() {
        let sig = sign("t", "1", "2", "abc");
        assert!(verify("t", "1", "2", "abc", &sig.to_uppercase()).is_ok());
        for (encrypt, given) in [("abd", sig.as_str()), ("abc", &sig[..39]), ("abc", "")] {
            let refused = verify("t", "1", "2", encrypt, given).unwrap_err();
            assert_eq!(refused.rejection(), Some(Rejection::Signature), "{given}");
        }
    }
}
