//! WeCom callbacks (接收消息与事件): URL verification, signature, timestamp window, AES
//! crypto, XML.
//!
//! [`CallbackCrypto`] is what an app's endpoint needs; [`deliver::Sender`] plays WeCom's side
//! (delivers signed, encrypted callbacks to a URL, with WeCom's timeout and retries) for tests.
//! Every refusal is an [`Error::Callback`] with its [`Rejection`].

pub mod crypto;
pub mod deliver;
pub mod rejection;
pub mod signature;
pub mod window;
pub mod xml;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crypto::AesKey;

pub use crypto::Decrypted;
pub use deliver::{Attempt, Delivery, Sender};
pub use rejection::Rejection;
pub use window::TimestampWindow;

/// The largest callback body an endpoint reads (callbacks are a few KB). The Ruby endpoints
/// refuse a longer body with 413 before reading past it; the XML parser refuses it too.
pub const MAX_BODY_LEN: usize = 1024 * 1024;

/// Longest timestamp / nonce accepted when building a reply.
const MAX_NONCE_LEN: usize = 128;

/// One app's callback settings: token, EncodingAESKey, the receive id (the corp id for
/// self-built apps, the suite id for third-party suites) and the timestamp window (default
/// [`TimestampWindow::DEFAULT`]). `Debug` shows neither secret.
#[derive(Clone)]
pub struct CallbackCrypto {
    token: String,
    key: AesKey,
    receive_id: String,
    verify_receive_id: bool,
    window: TimestampWindow,
}

impl std::fmt::Debug for CallbackCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackCrypto")
            .field("token", &"<redacted>")
            .field("key", &"<redacted>")
            .field("receive_id", &self.receive_id)
            .field("verify_receive_id", &self.verify_receive_id)
            .field("window", &self.window)
            .finish()
    }
}

/// WeCom's query strings carry base64; a server that turns `+` into a space breaks it.
/// Base64 never holds a space, so putting the `+` back is always right.
fn restore_plus(s: &str) -> String {
    s.trim().replace(' ', "+")
}

fn check_timestamp(timestamp: &str) -> Result<()> {
    if timestamp.is_empty()
        || timestamp.len() > 20
        || !timestamp.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Error::argument("timestamp must be decimal digits"));
    }
    Ok(())
}

fn check_nonce(nonce: &str) -> Result<()> {
    if nonce.is_empty() || nonce.len() > MAX_NONCE_LEN || nonce.chars().any(char::is_control) {
        return Err(Error::argument(
            "nonce must be 1 to 128 printable characters",
        ));
    }
    Ok(())
}

impl CallbackCrypto {
    pub fn new(
        token: &str,
        encoding_aes_key: &str,
        receive_id: &str,
        verify_receive_id: bool,
    ) -> Result<Self> {
        if token.is_empty() {
            return Err(Error::configuration("the callback token is missing"));
        }
        Ok(Self {
            token: token.to_string(),
            key: AesKey::from_encoding_aes_key(encoding_aes_key)?,
            receive_id: receive_id.to_string(),
            verify_receive_id,
            window: TimestampWindow::DEFAULT,
        })
    }

    /// The same settings with another timestamp window ([`TimestampWindow::off`] for tools
    /// that replay stored messages).
    pub fn with_timestamp_window(mut self, window: TimestampWindow) -> Self {
        self.window = window;
        self
    }

    pub fn receive_id(&self) -> &str {
        &self.receive_id
    }

    pub fn timestamp_window(&self) -> TimestampWindow {
        self.window
    }

    /// `msg_signature` for these parameters with this app's token.
    pub fn sign(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        signature::sign(&self.token, timestamp, nonce, encrypt)
    }

    fn check_receive_id(&self, decrypted: &Decrypted) -> Result<()> {
        if self.verify_receive_id && decrypted.receive_id != self.receive_id {
            return Err(Error::callback(
                Rejection::ReceiveId,
                "the message is for another receive id (corp id / suite id) than this app's",
            ));
        }
        Ok(())
    }

    /// The checks, in order: the signature (constant time, before anything else is looked
    /// at), the timestamp window when `now` is given (the signature covers the timestamp, so
    /// only a genuine one is judged), then decryption and the receive id. `encrypt` is base64.
    fn open(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
        now: Option<u64>,
    ) -> Result<Decrypted> {
        signature::verify(&self.token, timestamp, nonce, encrypt, msg_signature)?;
        if let Some(now) = now {
            self.window.check(timestamp, now)?;
        }
        let decrypted = crypto::decrypt(&self.key, encrypt)?;
        self.check_receive_id(&decrypted)?;
        Ok(decrypted)
    }

    /// The GET verification (it carries a timestamp too): returns the plaintext the endpoint
    /// must answer with, verbatim. `now`: Unix seconds ([`window::unix_now`] for the core's clock).
    pub fn verify_url(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        echostr: &str,
        now: u64,
    ) -> Result<String> {
        let echostr = restore_plus(echostr);
        if echostr.is_empty() {
            return Err(xml::protocol("echostr is missing"));
        }
        Ok(self
            .open(msg_signature, timestamp, nonce, &echostr, Some(now))?
            .message)
    }

    /// A POSTed callback body: returns the decrypted inner XML. `now` as for [`verify_url`](Self::verify_url).
    pub fn decrypt_message(
        &self,
        body: &str,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        now: u64,
    ) -> Result<String> {
        let envelope = xml::parse_envelope(body)?;
        Ok(self
            .open(
                msg_signature,
                timestamp,
                nonce,
                &envelope.encrypt,
                Some(now),
            )?
            .message)
    }

    /// Decrypts and parses: the inner XML and its fields. The inner XML must be a callback too.
    pub fn decrypt_and_parse(
        &self,
        body: &str,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        now: u64,
    ) -> Result<(String, Map<String, Value>)> {
        let inner = self.decrypt_message(body, msg_signature, timestamp, nonce, now)?;
        let fields = xml::parse(&inner)?;
        Ok((inner, fields))
    }

    /// Encrypts a plaintext for this app's receive id (base64), with a random prefix from the OS.
    pub fn encrypt(&self, plaintext: &str) -> Result<String> {
        crypto::encrypt(&self.key, plaintext.as_bytes(), self.receive_id.as_bytes())
    }

    /// The passive reply envelope `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`.
    pub fn encrypt_reply(&self, reply: &str, timestamp: &str, nonce: &str) -> Result<String> {
        self.encrypt_reply_with(reply, timestamp, nonce, &crypto::random_prefix()?)
    }

    /// [`encrypt_reply`](Self::encrypt_reply) with a given random prefix (known-answer tests).
    pub fn encrypt_reply_with(
        &self,
        reply: &str,
        timestamp: &str,
        nonce: &str,
        random: &[u8; 16],
    ) -> Result<String> {
        check_timestamp(timestamp)?;
        check_nonce(nonce)?;
        let encrypt = crypto::encrypt_with(
            &self.key,
            reply.as_bytes(),
            self.receive_id.as_bytes(),
            random,
        )?;
        let signature = self.sign(timestamp, nonce, &encrypt);
        let mut out = String::from("<xml><Encrypt>");
        xml::cdata(&mut out, &encrypt);
        out.push_str("</Encrypt><MsgSignature>");
        xml::cdata(&mut out, &signature);
        out.push_str("</MsgSignature><TimeStamp>");
        out.push_str(timestamp);
        out.push_str("</TimeStamp><Nonce>");
        xml::cdata(&mut out, nonce);
        out.push_str("</Nonce></xml>");
        Ok(out)
    }

    /// WeCom's side of a passive reply: checks the envelope's signature, decrypts, checks the
    /// receive id (not the timestamp: a reply is checked as it arrives, and tests replay
    /// known ones). Returns the reply's plaintext XML.
    pub fn decrypt_reply(&self, envelope: &str) -> Result<String> {
        let map = xml::parse(envelope)?;
        let get = |name: &str| {
            xml::field(&map, name)
                .map(str::trim)
                .ok_or_else(|| xml::protocol(format!("the reply has no <{name}> element")))
        };
        let encrypt = get("Encrypt")?;
        let decrypted = self.open(
            get("MsgSignature")?,
            get("TimeStamp")?,
            get("Nonce")?,
            encrypt,
            None,
        )?;
        Ok(decrypted.message)
    }
}

#[cfg(test)]
mod tests;
