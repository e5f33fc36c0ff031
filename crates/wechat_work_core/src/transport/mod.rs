//! The transport: one pipeline for every call (credential, deadline, retries, classification,
//! trace), the credential cache, and the fork-safe plumbing under them.

pub mod answer;
pub mod backoff;
pub mod config;
pub mod credential;
pub mod fork;
pub mod http;
pub mod pipeline;
pub mod request;
pub mod trace;

pub use config::{ClientConfig, Secret};
pub use credential::{Kind as CredentialKind, SharedStore};
pub use pipeline::Client;
pub use request::{Request, Upload};
pub use trace::TraceEvent;
