//! Credentials and identity: `gettoken` (path/91039), the JS-SDK tickets (path/90506), and
//! the OAuth code exchange (path/91023, path/95833).

use super::{Credential, Endpoint, Params};
use crate::error::Result;

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint::get("gettoken", "path/91039").credential(Credential::None),
    Endpoint::get("get_jsapi_ticket", "path/90506"),
    Endpoint::get("ticket/get", "path/90506").fixed_query(&[("type", "agent_config")]),
    Endpoint::get("auth/getuserinfo", "path/91023").validate(validate_getuserinfo),
    Endpoint::post("auth/getuserdetail", "path/95833")
        .safe()
        .validate(validate_getuserdetail),
];

fn validate_getuserinfo(p: &Params) -> Result<()> {
    p.only(&["code"], "auth/getuserinfo")?;
    let code = p.str("code")?;
    if code.len() > 512 {
        return Err(p.fail("code is longer than 512 bytes: it is not a WeCom OAuth code"));
    }
    Ok(())
}

fn validate_getuserdetail(p: &Params) -> Result<()> {
    p.only(&["user_ticket"], "auth/getuserdetail")?;
    p.str("user_ticket").map(drop)
}
