//! Operations: WeCom's IP ranges for firewall allow-lists (path/98988 callback IPs,
//! path/97073 API domain IPs). Any app's token works.

use super::Endpoint;

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint::get("getcallbackip", "path/98988"),
    Endpoint::get("get_api_domain_ip", "path/97073"),
];
