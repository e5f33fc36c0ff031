//! Contacts (通讯录): members (path/90196, 90200, 90201, 96067, 95402), departments
//! (path/90208), tags (path/90213, 90214), openid conversion both ways (path/90202).

use super::{Endpoint, Params};
use crate::error::Result;
use crate::wecom::{ids, limits};

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint::get("user/get", "path/90196").validate(validate_user_get),
    Endpoint::get("user/simplelist", "path/90200").validate(validate_department_users),
    Endpoint::get("user/list", "path/90201").validate(validate_department_users),
    Endpoint::post("user/list_id", "path/96067")
        .safe()
        .validate(validate_list_id),
    Endpoint::post("user/getuserid", "path/95402")
        .safe()
        .validate(validate_by_mobile),
    Endpoint::post("user/get_userid_by_email", "path/95895")
        .safe()
        .validate(validate_by_email),
    Endpoint::post("user/convert_to_openid", "path/90202")
        .safe()
        .validate(validate_convert),
    Endpoint::post("user/convert_to_userid", "path/90202")
        .safe()
        .validate(validate_convert_back),
    Endpoint::get("department/list", "path/90208").validate(validate_department_list),
    Endpoint::get("tag/list", "path/90216"),
    Endpoint::get("tag/get", "path/90213").validate(validate_tag_get),
];

fn userid(p: &Params) -> Result<()> {
    let id = p.str("userid")?;
    if id.len() > 64 {
        return Err(p.fail(format!(
            "userid is {} bytes; WeCom userids are at most 64",
            id.len()
        )));
    }
    Ok(())
}

fn validate_user_get(p: &Params) -> Result<()> {
    p.only(&["userid"], "user/get")?;
    userid(p)
}

fn positive_id(p: &Params, key: &str) -> Result<u64> {
    let id = p.int(key)?;
    u64::try_from(id)
        .ok()
        .filter(|id| ids::parse_id(&id.to_string()).is_some())
        .ok_or_else(|| p.fail(format!("{key} must be a positive Integer, got {id}")))
}

fn validate_department_users(p: &Params) -> Result<()> {
    p.only(&["department_id", "fetch_child"], p.endpoint)?;
    positive_id(p, "department_id")?;
    if let Err(problem) = crate::wecom::flags::check(p.get("fetch_child")) {
        return Err(p.fail(format!("fetch_child {problem}")));
    }
    Ok(())
}

fn validate_list_id(p: &Params) -> Result<()> {
    p.only(&["cursor", "limit"], "user/list_id")?;
    p.opt_str("cursor")?;
    if let Some(limit) = p.opt_int("limit")? {
        let max = limits::LIST_ID_MAX_LIMIT as i64;
        if !(1..=max).contains(&limit) {
            return Err(p.fail(format!("limit must be 1 to {max}, got {limit}")));
        }
    }
    Ok(())
}

fn validate_by_mobile(p: &Params) -> Result<()> {
    p.only(&["mobile"], "user/getuserid")?;
    let mobile = p.str("mobile")?;
    if !(5..=32).contains(&mobile.len()) {
        return Err(p.fail(format!(
            "mobile is {} bytes; WeCom takes 5 to 32",
            mobile.len()
        )));
    }
    Ok(())
}

fn validate_by_email(p: &Params) -> Result<()> {
    p.only(&["email", "email_type"], "user/get_userid_by_email")?;
    let email = p.str("email")?;
    if !email.contains('@') {
        return Err(p.fail(format!("email {email:?} is not an email address")));
    }
    if let Some(t) = p.opt_int("email_type")? {
        if !(1..=2).contains(&t) {
            return Err(p.fail(format!(
                "email_type must be 1 (corp mail) or 2 (personal mail), got {t}"
            )));
        }
    }
    Ok(())
}

fn validate_convert(p: &Params) -> Result<()> {
    p.only(&["userid"], "user/convert_to_openid")?;
    userid(p)
}

fn validate_convert_back(p: &Params) -> Result<()> {
    p.only(&["openid"], "user/convert_to_userid")?;
    p.str("openid").map(drop)
}

fn validate_department_list(p: &Params) -> Result<()> {
    p.only(&["id"], "department/list")?;
    if p.has("id") {
        positive_id(p, "id")?;
    }
    Ok(())
}

fn validate_tag_get(p: &Params) -> Result<()> {
    p.only(&["tagid"], "tag/get")?;
    positive_id(p, "tagid").map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openid_conversion_takes_exactly_its_id() {
        let check = |v: serde_json::Value| {
            validate_convert_back(&Params::new("user/convert_to_userid", &v))
                .map_err(|e| e.to_string())
        };
        check(json!({"openid": "oDjGHs-1yCnGrRovBj2yHij5JAAA"})).unwrap();
        assert!(check(json!({})).unwrap_err().contains("openid is missing"));
        assert!(check(json!({"openid": 7}))
            .unwrap_err()
            .contains("openid must be a String"));
        assert!(check(json!({"openid": "o1", "userid": "lilei"}))
            .unwrap_err()
            .contains("userid"));
    }
}
