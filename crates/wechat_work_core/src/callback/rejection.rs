//! Why a callback is refused. Every refusal names one of these reasons, so the endpoint can
//! log what to check and answer the right status without saying more to the caller.

/// The reason a callback (or its URL verification) is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rejection {
    /// `msg_signature` does not match: another token, another app's callback, or a forgery.
    Signature,
    /// Correctly signed, but the timestamp is outside the window: a replay, or a clock off.
    Timestamp,
    /// Decrypted, but for another receive id (another corp, or another suite).
    ReceiveId,
    /// The ciphertext does not decrypt with this EncodingAESKey (or is corrupt).
    Decrypt,
    /// Not a WeCom callback: not UTF-8, not XML, no `<Encrypt>`, DOCTYPE, entities...
    Malformed,
    /// A body over [`MAX_BODY_LEN`](super::MAX_BODY_LEN); callbacks are a few KB.
    TooLarge,
}

impl Rejection {
    pub const ALL: [Rejection; 6] = [
        Rejection::Signature,
        Rejection::Timestamp,
        Rejection::ReceiveId,
        Rejection::Decrypt,
        Rejection::Malformed,
        Rejection::TooLarge,
    ];

    /// The reason's name (the Symbol Ruby sees).
    pub fn name(self) -> &'static str {
        match self {
            Rejection::Signature => "signature",
            Rejection::Timestamp => "timestamp",
            Rejection::ReceiveId => "receive_id",
            Rejection::Decrypt => "decrypt",
            Rejection::Malformed => "malformed",
            Rejection::TooLarge => "too_large",
        }
    }

    /// What the endpoint answers: 403 when the request is not authentic (or not fresh), 400
    /// when it is not a callback for this app, 413 when it is too large to read.
    pub fn http_status(self) -> u16 {
        match self {
            Rejection::Signature | Rejection::Timestamp => 403,
            Rejection::ReceiveId | Rejection::Decrypt | Rejection::Malformed => 400,
            Rejection::TooLarge => 413,
        }
    }

    /// A few words for a log line.
    pub fn summary(self) -> &'static str {
        match self {
            Rejection::Signature => "signature mismatch",
            Rejection::Timestamp => "timestamp out of range",
            Rejection::ReceiveId => "wrong receive id",
            Rejection::Decrypt => "undecryptable body",
            Rejection::Malformed => "malformed body",
            Rejection::TooLarge => "body too large",
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.summary())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_statuses_are_the_endpoints() {
        let mut names: Vec<_> = Rejection::ALL.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Rejection::ALL.len());
        assert_eq!(Rejection::Signature.http_status(), 403);
        assert_eq!(Rejection::Timestamp.http_status(), 403);
        assert_eq!(Rejection::Decrypt.http_status(), 400);
        assert_eq!(Rejection::TooLarge.http_status(), 413);
    }
}
