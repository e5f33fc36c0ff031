//! WeCom's callback cipher: AES-256-CBC with the key from the EncodingAESKey, IV = the key's
//! first 16 bytes, PKCS#7 padding to 32-byte blocks, base64 on the wire.
//!
//! Plaintext layout: `random(16) | len(4, big-endian) | message | receive id`.

use aes::Aes256;
use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use rand::rngs::OsRng;
use rand::TryRngCore;

use super::rejection::Rejection;
use crate::error::{Error, Result};

type Encryptor = cbc::Encryptor<Aes256>;
type Decryptor = cbc::Decryptor<Aes256>;

/// WeCom pads to 32-byte blocks (not AES's 16): pad values are 1..=32.
pub const PAD_BLOCK: usize = 32;
const AES_BLOCK: usize = 16;
/// Callbacks are a few KB; anything past this is refused before decoding.
pub const MAX_CIPHERTEXT_LEN: usize = 4 * 1024 * 1024;

/// Accepts non-zero trailing bits (published EncodingAESKeys often have them) and any padding.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The 32-byte AES key. Its `Debug` never shows the bytes; they are zeroed on drop.
#[derive(Clone)]
pub struct AesKey([u8; 32]);

impl std::fmt::Debug for AesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesKey(<redacted>)")
    }
}

impl Drop for AesKey {
    fn drop(&mut self) {
        for b in self.0.iter_mut() {
            // SAFETY: a valid, aligned, exclusive reference; volatile so the wipe is not optimised out.
            unsafe { std::ptr::write_volatile(b, 0) };
        }
    }
}

impl AesKey {
    /// Decodes the 43-character EncodingAESKey from the admin console (`base64(key + "=")`).
    /// The error never repeats the key.
    pub fn from_encoding_aes_key(encoding_aes_key: &str) -> Result<Self> {
        let k = encoding_aes_key.trim();
        if k.len() != 43 {
            return Err(Error::configuration(format!(
                "EncodingAESKey must be 43 characters, got {}",
                k.chars().count()
            )));
        }
        if !k
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        {
            return Err(Error::configuration(
                "EncodingAESKey may only hold the characters a-z, A-Z, 0-9 (and base64's + /)",
            ));
        }
        let bytes = LENIENT
            .decode(format!("{k}="))
            .map_err(|_| Error::configuration("EncodingAESKey is not valid base64"))?;
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| Error::configuration("EncodingAESKey does not decode to 32 bytes"))?;
        Ok(Self(key))
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.0[..16]);
        iv
    }
}

/// 16 random bytes from the operating system.
pub fn random_prefix() -> Result<[u8; 16]> {
    let mut out = [0u8; 16];
    OsRng
        .try_fill_bytes(&mut out)
        .map_err(|e| Error::Internal(format!("the OS random generator failed: {e}")))?;
    Ok(out)
}

/// Encrypts `message` for `receive_id`, with the given random prefix. Returns base64.
pub fn encrypt_with(
    key: &AesKey,
    message: &[u8],
    receive_id: &[u8],
    random: &[u8; 16],
) -> Result<String> {
    let len = u32::try_from(message.len())
        .map_err(|_| Error::argument("callback message is too large to encrypt"))?;
    let unpadded = 20 + message.len() + receive_id.len();
    let pad = PAD_BLOCK - unpadded % PAD_BLOCK;
    let mut buf = Vec::with_capacity(unpadded + pad);
    buf.extend_from_slice(random);
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(message);
    buf.extend_from_slice(receive_id);
    buf.resize(unpadded + pad, pad as u8);
    let cipher = Encryptor::new_from_slices(&key.0, &key.iv())
        .map_err(|_| Error::Internal("AES key setup failed".into()))?;
    let out = cipher.encrypt_padded_vec_mut::<NoPadding>(&buf);
    Ok(STANDARD.encode(out))
}

/// Encrypts with a fresh random prefix from the OS.
pub fn encrypt(key: &AesKey, message: &[u8], receive_id: &[u8]) -> Result<String> {
    encrypt_with(key, message, receive_id, &random_prefix()?)
}

/// What a ciphertext holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    pub message: String,
    pub receive_id: String,
}

fn fail(msg: &str) -> Error {
    Error::callback(Rejection::Decrypt, msg)
}

/// Decrypts base64 `ciphertext`, checking the padding and the length field strictly.
/// Every failure is a [`Rejection::Decrypt`]; none of them panics, whatever the input.
pub fn decrypt(key: &AesKey, ciphertext: &str) -> Result<Decrypted> {
    let text = ciphertext.trim();
    if text.is_empty() {
        return Err(fail("the ciphertext is empty"));
    }
    if text.len() > MAX_CIPHERTEXT_LEN {
        return Err(fail("the ciphertext is too large"));
    }
    let data = LENIENT
        .decode(text)
        .map_err(|_| fail("the ciphertext is not valid base64"))?;
    if data.len() < PAD_BLOCK || data.len() % AES_BLOCK != 0 {
        return Err(fail(
            "the ciphertext is truncated (not a whole number of AES blocks)",
        ));
    }
    let cipher = Decryptor::new_from_slices(&key.0, &key.iv())
        .map_err(|_| Error::Internal("AES key setup failed".into()))?;
    let plain = cipher
        .decrypt_padded_vec_mut::<NoPadding>(&data)
        .map_err(|_| fail("the ciphertext could not be decrypted"))?;
    let pad = plain.last().copied().unwrap_or(0) as usize;
    if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
        return Err(fail(
            "bad padding: wrong EncodingAESKey, or corrupt ciphertext",
        ));
    }
    let (body, padding) = plain.split_at(plain.len() - pad);
    if padding.iter().any(|&b| b as usize != pad) {
        return Err(fail(
            "bad padding: wrong EncodingAESKey, or corrupt ciphertext",
        ));
    }
    if body.len() < 20 {
        return Err(fail("the plaintext is too short to hold a message"));
    }
    let mut len_bytes = [0u8; 4];
    len_bytes.copy_from_slice(&body[16..20]);
    let len = u32::from_be_bytes(len_bytes) as usize;
    let rest = &body[20..];
    if len > rest.len() {
        return Err(fail(
            "the length field runs past the plaintext: wrong EncodingAESKey, or corrupt ciphertext",
        ));
    }
    let (message, receive_id) = rest.split_at(len);
    let message = std::str::from_utf8(message)
        .map_err(|_| fail("the decrypted message is not UTF-8"))?
        .to_string();
    let receive_id = std::str::from_utf8(receive_id)
        .map_err(|_| fail("the decrypted receive id is not UTF-8"))?
        .to_string();
    Ok(Decrypted {
        message,
        receive_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WECHATPY_KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";

    fn refused(r: Result<Decrypted>) -> bool {
        r.err().and_then(|e| e.rejection()) == Some(Rejection::Decrypt)
    }

    #[test]
    fn decodes_non_canonical_published_keys() {
        for k in [
            WECHATPY_KEY,
            "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        ] {
            assert!(AesKey::from_encoding_aes_key(k).is_ok(), "{k}");
        }
    }

    #[test]
    fn rejects_malformed_keys_without_echoing_them() {
        for k in [
            "",
            "short",
            "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1a",
            "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR1",
            "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1a!",
            "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1a=",
        ] {
            match AesKey::from_encoding_aes_key(k) {
                Err(Error::Configuration(msg)) => {
                    assert!(k.len() < 8 || !msg.contains(k), "{msg}")
                }
                other => panic!("{k}: {other:?}"),
            }
        }
        assert_eq!(
            format!("{:?}", AesKey::from_encoding_aes_key(WECHATPY_KEY).unwrap()),
            "AesKey(<redacted>)"
        );
    }

    #[test]
    fn round_trip_and_aligned_message_gets_a_full_pad_block() {
        let key = AesKey::from_encoding_aes_key(WECHATPY_KEY).unwrap();
        // 16 + 4 + 8 + 4 = 32: aligned, so a whole block of 32 padding bytes follows.
        let b64 = encrypt_with(&key, b"12345678", b"corp", &[7u8; 16]).unwrap();
        let raw = STANDARD.decode(&b64).unwrap();
        assert_eq!(raw.len(), 64);
        let out = decrypt(&key, &b64).unwrap();
        assert_eq!(out.message, "12345678");
        assert_eq!(out.receive_id, "corp");
        for n in 0..70 {
            let msg = "x".repeat(n);
            let b64 = encrypt(&key, msg.as_bytes(), b"wx49f0ab532d5d035a").unwrap();
            let raw = STANDARD.decode(&b64).unwrap();
            assert_eq!(raw.len() % PAD_BLOCK, 0);
            assert_eq!(decrypt(&key, &b64).unwrap().message, msg);
        }
    }

    /// Builds a ciphertext from an arbitrary (already padded or not) plaintext.
    fn raw_encrypt(key: &AesKey, plain: &[u8]) -> String {
        let cipher = Encryptor::new_from_slices(&key.0, &key.iv()).unwrap();
        STANDARD.encode(cipher.encrypt_padded_vec_mut::<NoPadding>(plain))
    }

    #[test]
    fn strict_padding_and_length_checks() {
        let key = AesKey::from_encoding_aes_key(WECHATPY_KEY).unwrap();
        let mut plain = vec![0u8; 16];
        plain.extend_from_slice(&4u32.to_be_bytes());
        plain.extend_from_slice(b"abcdcorp");
        // 28 bytes: pad 4 to 32.
        let mut good = plain.clone();
        good.extend_from_slice(&[4, 4, 4, 4]);
        assert_eq!(
            decrypt(&key, &raw_encrypt(&key, &good)).unwrap().message,
            "abcd"
        );

        let mut zero_pad = plain.clone();
        zero_pad.extend_from_slice(&[0, 0, 0, 0]);
        let mut big_pad = plain.clone();
        big_pad.extend_from_slice(&[4, 4, 4, 33]);
        let mut mixed_pad = plain.clone();
        mixed_pad.extend_from_slice(&[3, 4, 4, 4]);
        let mut over_len = vec![0u8; 16];
        over_len.extend_from_slice(&0xffff_fff0u32.to_be_bytes());
        over_len.extend_from_slice(b"abcdcorp");
        over_len.extend_from_slice(&[4, 4, 4, 4]);
        let mut just_over = vec![0u8; 16];
        just_over.extend_from_slice(&9u32.to_be_bytes());
        just_over.extend_from_slice(b"abcdcorp");
        just_over.extend_from_slice(&[4, 4, 4, 4]);
        let all_pad = vec![32u8; 32];
        for (name, bad) in [
            ("zero", zero_pad),
            ("big", big_pad),
            ("mixed", mixed_pad),
            ("over", over_len),
            ("just over", just_over),
            ("all pad", all_pad),
        ] {
            assert!(refused(decrypt(&key, &raw_encrypt(&key, &bad))), "{name}");
        }
    }

    #[test]
    fn rejects_garbage_ciphertexts() {
        let key = AesKey::from_encoding_aes_key(WECHATPY_KEY).unwrap();
        let good = encrypt(&key, b"<xml/>", b"corp").unwrap();
        for bad in [
            "",
            "   ",
            "not base64 at all!",
            &good[..good.len() - 8],
            &good[..20],
            "AAAA",
            &STANDARD.encode([0u8; 48]),
        ] {
            assert!(refused(decrypt(&key, bad)), "{bad}");
        }
        let other =
            AesKey::from_encoding_aes_key("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C").unwrap();
        assert!(refused(decrypt(&other, &good)));
    }
}
