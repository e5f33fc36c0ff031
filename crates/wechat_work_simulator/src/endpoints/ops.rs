//! WeCom's IP ranges: the addresses callbacks come from and the API's own addresses.

use super::{Handler, Reply};
use crate::fields;

pub static HANDLERS: &[(&str, Handler)] = &[
    ("getcallbackip", |_| {
        Reply::Ok(fields! {"ip_list" => CALLBACK_IPS})
    }),
    ("get_api_domain_ip", |_| {
        Reply::Ok(fields! {"ip_list" => API_IPS})
    }),
];

/// Sample ranges in WeCom's shape (documentation addresses, RFC 5737).
pub const CALLBACK_IPS: &[&str] = &["192.0.2.10", "192.0.2.11", "198.51.100.20"];
pub const API_IPS: &[&str] = &["203.0.113.30", "203.0.113.31"];

#[derive(Debug, Default)]
pub struct State {}
