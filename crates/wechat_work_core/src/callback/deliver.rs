//! WeCom's side of callbacks, for tests and demos: delivers a signed, encrypted callback to an
//! app's URL the way WeCom does (URL verification GET; POST with a timeout, retried with the
//! same message on a timeout or a non-200 answer) and checks the app's encrypted reply.
//!
//! The caller gives the timestamp each request is signed with: the current time of the clock
//! the app checks its [`TimestampWindow`](super::TimestampWindow) against (the Ruby side passes
//! `Time.now`; [`unix_now`](super::window::unix_now) is the core's). Never a simulated clock
//! that tests advance: the app would refuse its callbacks as replays.

use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Map, Value};

use super::{xml, CallbackCrypto};
use crate::cancel::{block_on, Canceller};
// The URL carries the signature and echostr: describe errors without it.
use crate::error::{Error, Result};
use crate::transport::http::describe;

/// WeCom's own numbers: 5 s per attempt, 3 retries.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_RETRIES: u32 = 3;
const MAX_RETRIES: u32 = 10;
const MAX_REPLY_LEN: usize = 1024 * 1024;

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    /// Why there was no usable answer: "timeout", or a connection error.
    pub error: Option<String>,
    pub elapsed: Duration,
}

/// The outcome of [`Sender::deliver`].
#[derive(Debug, Clone)]
pub struct Delivery {
    pub attempts: Vec<Attempt>,
    /// The status of the last attempt that got an answer.
    pub status: Option<u16>,
    /// The raw body of the accepted (200) answer.
    pub body: String,
    /// The decrypted passive reply, when the app answered one.
    pub reply: Option<String>,
    /// Why the reply was refused (bad signature, wrong key...), as WeCom would.
    pub reply_error: Option<String>,
    /// The plaintext XML that was delivered.
    pub message: String,
}

impl Delivery {
    /// Accepted with a 200 and, if there was a reply, a valid one.
    pub fn ok(&self) -> bool {
        self.status == Some(200)
            && self.attempts.last().and_then(|a| a.status) == Some(200)
            && self.reply_error.is_none()
    }
}

/// Delivers callbacks to one URL for one app.
#[derive(Debug)]
pub struct Sender {
    url: url::Url,
    crypto: CallbackCrypto,
    timeout: Duration,
    retries: u32,
}

fn digits(n: usize) -> String {
    let mut rng = rand::rng();
    let mut s = String::with_capacity(n);
    s.push(char::from(b'1' + rng.random_range(0..9u8)));
    for _ in 1..n {
        s.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
    s
}

enum Outcome {
    Answer(u16, String),
    Timeout,
    Failed(String),
}

impl Sender {
    pub fn new(url: &str, crypto: CallbackCrypto, timeout: Duration, retries: u32) -> Result<Self> {
        let url = url::Url::parse(url)
            .map_err(|_| Error::configuration("the callback URL is not a valid URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::configuration(
                "the callback URL must be http or https",
            ));
        }
        if timeout.is_zero() {
            return Err(Error::configuration("the timeout must be positive"));
        }
        if retries > MAX_RETRIES {
            return Err(Error::configuration(format!(
                "retries must be at most {MAX_RETRIES}"
            )));
        }
        Ok(Self {
            url,
            crypto,
            timeout,
            retries,
        })
    }

    pub fn crypto(&self) -> &CallbackCrypto {
        &self.crypto
    }

    fn client(&self) -> Result<reqwest::Client> {
        let mut builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0);
        let loopback = match self.url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        if loopback {
            builder = builder.no_proxy();
        }
        builder
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {}", describe(&e))))
    }

    fn with_query(&self, pairs: &[(&str, &str)]) -> url::Url {
        let mut url = self.url.clone();
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in pairs {
                q.append_pair(k, v);
            }
        }
        url
    }

    fn timeout_ms(&self) -> u64 {
        u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX)
    }

    async fn send(request: reqwest::RequestBuilder) -> Outcome {
        match request.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                match resp.bytes().await {
                    Ok(bytes) if bytes.len() > MAX_REPLY_LEN => {
                        Outcome::Failed("the answer is too large".into())
                    }
                    Ok(bytes) => {
                        Outcome::Answer(status, String::from_utf8_lossy(&bytes).into_owned())
                    }
                    Err(e) if e.is_timeout() => Outcome::Timeout,
                    Err(e) => Outcome::Failed(describe(&e)),
                }
            }
            Err(e) if e.is_timeout() => Outcome::Timeout,
            Err(e) => Outcome::Failed(describe(&e)),
        }
    }

    /// The URL verification GET, signed with `timestamp` (Unix seconds): sends an encrypted
    /// echostr and checks that the endpoint answers with exactly its plaintext. Returns that
    /// plaintext.
    pub fn verify_url(&self, timestamp: u64, cancel: &Canceller) -> Result<String> {
        const PATH: &str = "callback verify_url";
        let plain = digits(19);
        let timestamp = timestamp.to_string();
        let nonce = digits(9);
        let echostr = self.crypto.encrypt(&plain)?;
        let signature = self.crypto.sign(&timestamp, &nonce, &echostr);
        let url = self.with_query(&[
            ("msg_signature", &signature),
            ("timestamp", &timestamp),
            ("nonce", &nonce),
            ("echostr", &echostr),
        ]);
        let client = self.client()?;
        let outcome = block_on(cancel, async { Ok(Self::send(client.get(url)).await) })?;
        match outcome {
            Outcome::Timeout => Err(Error::Timeout {
                path: PATH.into(),
                timeout_ms: self.timeout_ms(),
            }),
            Outcome::Failed(message) => Err(Error::Network {
                path: PATH.into(),
                message,
                connect: false,
            }),
            Outcome::Answer(200, body) if body == plain => Ok(plain),
            Outcome::Answer(200, body) => Err(Error::Protocol {
                path: PATH.into(),
                message: format!(
                    "the endpoint answered {} bytes that are not the decrypted echostr (WeCom: echostr校验失败)",
                    body.len()
                ),
                status: 200,
            }),
            Outcome::Answer(status, _) => Err(Error::Protocol {
                path: PATH.into(),
                message: format!("the endpoint answered HTTP {status} to the URL verification"),
                status,
            }),
        }
    }

    /// Delivers one plaintext callback XML (a message or an event) the way WeCom does, signed
    /// with `timestamp` (Unix seconds; the retries resend the same request). Transport failures
    /// are recorded in the result, not raised: a test asserts on them.
    pub fn deliver(
        &self,
        message_xml: &str,
        timestamp: u64,
        cancel: &Canceller,
    ) -> Result<Delivery> {
        let fields = xml::parse(message_xml).map_err(|e| {
            Error::argument(format!("the message to deliver is not callback XML: {e}"))
        })?;
        let agent_id = xml::field(&fields, "AgentID").unwrap_or("").to_string();
        let encrypt = self.crypto.encrypt(message_xml)?;
        let timestamp = timestamp.to_string();
        let nonce = digits(9);
        let signature = self.crypto.sign(&timestamp, &nonce, &encrypt);
        let mut envelope = Map::new();
        envelope.insert(
            "ToUserName".into(),
            Value::String(self.crypto.receive_id().to_string()),
        );
        envelope.insert("AgentID".into(), Value::String(agent_id));
        envelope.insert("Encrypt".into(), Value::String(encrypt));
        let body = xml::build_ordered(&envelope, &["ToUserName", "AgentID", "Encrypt"])?;
        let url = self.with_query(&[
            ("msg_signature", &signature),
            ("timestamp", &timestamp),
            ("nonce", &nonce),
        ]);
        let client = self.client()?;

        let mut delivery = Delivery {
            attempts: Vec::new(),
            status: None,
            body: String::new(),
            reply: None,
            reply_error: None,
            message: message_xml.to_string(),
        };
        for _ in 0..=self.retries {
            let started = Instant::now();
            let request = client
                .post(url.clone())
                .header("content-type", "text/xml; charset=utf-8")
                .body(body.clone());
            let outcome = block_on(cancel, async { Ok(Self::send(request).await) })?;
            let elapsed = started.elapsed();
            match outcome {
                Outcome::Answer(status, answer) => {
                    delivery.attempts.push(Attempt {
                        status: Some(status),
                        error: None,
                        elapsed,
                    });
                    delivery.status = Some(status);
                    if status == 200 {
                        delivery.body = answer;
                        break;
                    }
                }
                Outcome::Timeout => delivery.attempts.push(Attempt {
                    status: None,
                    error: Some("timeout".into()),
                    elapsed,
                }),
                Outcome::Failed(message) => delivery.attempts.push(Attempt {
                    status: None,
                    error: Some(message),
                    elapsed,
                }),
            }
        }
        if delivery.status == Some(200) && !delivery.body.trim().is_empty() {
            match self.crypto.decrypt_reply(&delivery.body) {
                Ok(reply) => delivery.reply = Some(reply),
                Err(e) => delivery.reply_error = Some(e.to_string()),
            }
        }
        Ok(delivery)
    }
}
