//! The simulated corp's contacts. Each of users, departments and tags is either strict (a given
//! list: only those exist) or lenient (`None`: every well-formed id exists).

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};

/// WeCom's userid rule: 1 to 64 bytes of `[0-9a-zA-Z_-@.]`.
pub fn valid_userid(userid: &str) -> bool {
    !userid.is_empty()
        && userid.len() <= 64
        && userid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'@' | b'.'))
}

/// Department and tag ids are positive 32-bit integers.
pub fn parse_id(id: &str) -> Option<u64> {
    if id.is_empty() || id.len() > 10 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse::<u64>()
        .ok()
        .filter(|n| *n >= 1 && *n <= u64::from(u32::MAX))
}

#[derive(Debug, Clone)]
pub struct User {
    pub userid: String,
    pub name: String,
    pub department: Vec<u64>,
    /// Any other user/get field given by the caller, answered as is.
    pub extra: Map<String, Value>,
}

#[derive(Debug, Default)]
pub struct Directory {
    strict_users: bool,
    /// Lower-cased userid → user. Also holds users added in lenient mode.
    users: HashMap<String, User>,
    departments: Option<HashMap<u64, Value>>,
    tags: Option<HashMap<u64, Value>>,
}

fn ids_of(value: &Value, key: &str, what: &str) -> Result<HashMap<u64, Value>> {
    let items = value
        .as_array()
        .ok_or_else(|| Error::argument(format!("{what} must be an Array or nil")))?;
    let mut out = HashMap::new();
    for item in items {
        let id = match item {
            Value::Object(map) => map.get(key).and_then(id_value),
            other => id_value(other),
        }
        .ok_or_else(|| {
            Error::argument(format!(
                "{what}: {item} has no valid positive integer {key}"
            ))
        })?;
        out.insert(id, item.clone());
    }
    Ok(out)
}

fn id_value(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().filter(|n| *n >= 1 && *n <= u64::from(u32::MAX)),
        Value::String(s) => parse_id(s.trim()),
        _ => None,
    }
}

impl Directory {
    /// From the simulator config: `users`, `departments`, `tags`, each `null` (lenient) or an
    /// Array of ids / objects.
    pub fn from_config(config: &Value) -> Result<Self> {
        let mut dir = Directory::default();
        match config.get("users") {
            None | Some(Value::Null) => {}
            Some(Value::Array(users)) => {
                dir.strict_users = true;
                for u in users {
                    dir.add_user_value(u)?;
                }
            }
            Some(_) => return Err(Error::argument("users must be an Array or nil")),
        }
        match config.get("departments") {
            None | Some(Value::Null) => {}
            Some(v) => dir.departments = Some(ids_of(v, "id", "departments")?),
        }
        match config.get("tags") {
            None | Some(Value::Null) => {}
            Some(v) => dir.tags = Some(ids_of(v, "tagid", "tags")?),
        }
        Ok(dir)
    }

    /// Adds (or replaces) a user: a userid String or an object with `userid`, optional `name`,
    /// `department` and any other user/get fields.
    pub fn add_user_value(&mut self, value: &Value) -> Result<()> {
        let (userid, mut extra) = match value {
            Value::String(s) => (s.clone(), Map::new()),
            Value::Object(map) => {
                let id = map
                    .get("userid")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Error::argument("a user needs a String userid"))?;
                (id.to_string(), map.clone())
            }
            other => return Err(Error::argument(format!("not a user: {other}"))),
        };
        if !valid_userid(&userid) {
            return Err(Error::argument(format!(
                "invalid userid {userid:?}: 1-64 bytes of [0-9a-zA-Z_-@.]"
            )));
        }
        let name = match extra.remove("name") {
            Some(Value::String(s)) if !s.is_empty() => s,
            _ => display_name(&userid),
        };
        let department = match extra.remove("department") {
            None | Some(Value::Null) => vec![1],
            Some(Value::Array(ids)) => ids
                .iter()
                .map(|v| {
                    id_value(v).ok_or_else(|| Error::argument(format!("invalid department id {v}")))
                })
                .collect::<Result<Vec<_>>>()?,
            Some(v) => vec![id_value(&v)
                .ok_or_else(|| Error::argument(format!("invalid department id {v}")))?],
        };
        extra.remove("userid");
        self.users.insert(
            userid.to_ascii_lowercase(),
            User {
                userid,
                name,
                department,
                extra,
            },
        );
        Ok(())
    }

    pub fn user_exists(&self, userid: &str) -> bool {
        if self.strict_users {
            self.users.contains_key(&userid.to_ascii_lowercase())
        } else {
            valid_userid(userid)
        }
    }

    pub fn party_exists(&self, id: &str) -> bool {
        match (parse_id(id), &self.departments) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(n), Some(known)) => known.contains_key(&n),
        }
    }

    pub fn tag_exists(&self, id: &str) -> bool {
        match (parse_id(id), &self.tags) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(n), Some(known)) => known.contains_key(&n),
        }
    }

    /// The user/get answer fields (without errcode/errmsg), or None for an unknown user.
    pub fn user_json(&self, userid: &str) -> Option<Map<String, Value>> {
        let key = userid.to_ascii_lowercase();
        let user = match self.users.get(&key) {
            Some(u) => u.clone(),
            None if !self.strict_users && valid_userid(userid) => User {
                userid: key.clone(),
                name: display_name(&key),
                department: vec![1],
                extra: Map::new(),
            },
            None => return None,
        };
        let mut out = Map::new();
        let order: Vec<u64> = user.department.iter().map(|_| 0).collect();
        let leader: Vec<u64> = user.department.iter().map(|_| 0).collect();
        out.insert("userid".into(), json!(user.userid));
        out.insert("name".into(), json!(user.name));
        out.insert("department".into(), json!(user.department));
        out.insert("order".into(), json!(order));
        out.insert("position".into(), json!(""));
        out.insert("mobile".into(), json!(""));
        out.insert("gender".into(), json!("0"));
        out.insert("email".into(), json!(""));
        out.insert("biz_mail".into(), json!(""));
        out.insert("is_leader_in_dept".into(), json!(leader));
        out.insert("direct_leader".into(), json!([]));
        out.insert("avatar".into(), json!(""));
        out.insert("thumb_avatar".into(), json!(""));
        out.insert("telephone".into(), json!(""));
        out.insert("alias".into(), json!(""));
        out.insert("address".into(), json!(""));
        out.insert("open_userid".into(), json!(""));
        out.insert(
            "main_department".into(),
            json!(user.department.first().copied().unwrap_or(1)),
        );
        out.insert("extattr".into(), json!({"attrs": []}));
        out.insert("status".into(), json!(1));
        out.insert("qr_code".into(), json!(""));
        out.insert("external_position".into(), json!(""));
        out.insert("external_profile".into(), json!({"external_attr": []}));
        for (k, v) in user.extra {
            out.insert(k, v);
        }
        Some(out)
    }
}

/// A readable name for a synthesized user: `zhang.san` → `Zhang San`.
pub fn display_name(userid: &str) -> String {
    userid
        .split(['.', '_', '-', '@'])
        .filter(|s| !s.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userid_rules() {
        assert!(valid_userid("zhangsan"));
        assert!(valid_userid("Zhang.San-01@corp_x"));
        assert!(valid_userid(&"a".repeat(64)));
        assert!(!valid_userid(&"a".repeat(65)));
        assert!(!valid_userid(""));
        assert!(!valid_userid("zhang san"));
        assert!(!valid_userid("张三"));
    }

    #[test]
    fn ids() {
        assert_eq!(parse_id("1"), Some(1));
        assert_eq!(parse_id("0"), None);
        assert_eq!(parse_id("-2"), None);
        assert_eq!(parse_id("abc"), None);
        assert_eq!(parse_id("99999999999"), None);
    }

    #[test]
    fn lenient_directory_synthesizes_users() {
        let dir = Directory::from_config(&json!({})).unwrap();
        assert!(dir.user_exists("anyone"));
        assert!(!dir.user_exists("bad user"));
        assert!(dir.party_exists("42"));
        assert!(!dir.party_exists("x"));
        assert!(dir.tag_exists("7"));
        let u = dir.user_json("Zhang.San").unwrap();
        assert_eq!(u["userid"], "zhang.san");
        assert_eq!(u["name"], "Zhang San");
        assert_eq!(u["department"], json!([1]));
        assert_eq!(u["status"], 1);
        assert!(u.contains_key("external_profile"));
        assert!(dir.user_json("bad user").is_none());
    }

    #[test]
    fn strict_directory() {
        let dir = Directory::from_config(&json!({
            "users": ["zhangsan", {"userid": "LiSi", "name": "李四", "department": [2, 3], "position": "dev"}],
            "departments": [1, {"id": 2, "name": "R&D"}],
            "tags": [{"tagid": 5}]
        }))
        .unwrap();
        assert!(dir.user_exists("ZHANGSAN"));
        assert!(dir.user_exists("lisi"));
        assert!(!dir.user_exists("wangwu"));
        assert!(dir.party_exists("2"));
        assert!(!dir.party_exists("3"));
        assert!(dir.tag_exists("5"));
        assert!(!dir.tag_exists("6"));
        let u = dir.user_json("lisi").unwrap();
        assert_eq!(u["userid"], "LiSi");
        assert_eq!(u["name"], "李四");
        assert_eq!(u["department"], json!([2, 3]));
        assert_eq!(u["order"], json!([0, 0]));
        assert_eq!(u["main_department"], 2);
        assert_eq!(u["position"], "dev");
        assert!(dir.user_json("wangwu").is_none());
    }

    #[test]
    fn bad_config_is_an_argument_error() {
        assert!(Directory::from_config(&json!({"users": "x"})).is_err());
        assert!(Directory::from_config(&json!({"users": ["bad user"]})).is_err());
        assert!(Directory::from_config(&json!({"departments": [0]})).is_err());
        assert!(Directory::from_config(&json!({"tags": [{"id": 1}]})).is_err());
    }
}
