//! The simulated corp's contacts: members, departments and tags.
//!
//! Seeded with a small interview team so lists and sign-in pages have something to show.
//! Each of users, departments and tags is lenient by default (any well-formed id exists; a
//! member asked for by userid is synthesized) or strict when given as a list (only those exist).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use wechat_work_core::wecom::ids::{id_value, parse_id, valid_userid};
use wechat_work_core::{Error, Result};

/// user/get fields WeCom stopped returning to apps created after 2022-06-20 20:00 (and to
/// basic apps other than contact sync): docs/wecom/contacts.md#fields-withheld-since-2022.
pub const RESTRICTED_USER_FIELDS: &[&str] = &[
    "avatar",
    "thumb_avatar",
    "gender",
    "mobile",
    "email",
    "biz_mail",
    "qr_code",
    "address",
];

#[derive(Debug, Clone)]
pub struct User {
    pub userid: String,
    pub name: String,
    pub department: Vec<u64>,
    /// Any other user/get field (position, mobile, email...), answered as is.
    pub extra: Map<String, Value>,
}

impl User {
    pub fn mobile(&self) -> Option<&str> {
        self.extra.get("mobile").and_then(Value::as_str)
    }

    pub fn email(&self) -> Option<&str> {
        self.extra.get("email").and_then(Value::as_str)
    }
}

#[derive(Debug, Clone)]
pub struct Department {
    pub id: u64,
    pub name: String,
    pub parentid: u64,
    pub order: u64,
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub id: u64,
    pub name: String,
    pub users: Vec<String>,
    pub parties: Vec<u64>,
}

#[derive(Debug, Default)]
pub struct Directory {
    strict_users: bool,
    strict_departments: bool,
    strict_tags: bool,
    /// Lower-cased userid → member, in a stable order for lists.
    users: BTreeMap<String, User>,
    departments: BTreeMap<u64, Department>,
    tags: BTreeMap<u64, Tag>,
}

fn seeded_user(userid: &str, name: &str, department: u64, position: &str, mobile: &str) -> User {
    let mut extra = Map::new();
    extra.insert("position".into(), json!(position));
    extra.insert("mobile".into(), json!(mobile));
    extra.insert("email".into(), json!(format!("{userid}@example.com")));
    extra.insert("gender".into(), json!("1"));
    User {
        userid: userid.into(),
        name: name.into(),
        department: vec![department],
        extra,
    }
}

impl Directory {
    /// The seeded corp: departments 1 (root), 2 Engineering, 3 Recruiting; members lilei,
    /// hanmeimei, zhangsan; tag 1 Interviewers.
    pub fn seeded() -> Self {
        let mut dir = Directory::default();
        for (id, name, parentid) in [(1, "Corp", 0), (2, "Engineering", 1), (3, "Recruiting", 1)] {
            dir.departments.insert(
                id,
                Department {
                    id,
                    name: name.into(),
                    parentid,
                    order: id * 10,
                },
            );
        }
        for user in [
            seeded_user("lilei", "Li Lei", 2, "Engineer", "13800000001"),
            seeded_user("hanmeimei", "Han Meimei", 3, "Recruiter", "13800000002"),
            seeded_user(
                "zhangsan",
                "Zhang San",
                2,
                "Engineering Manager",
                "13800000003",
            ),
        ] {
            dir.users.insert(user.userid.to_ascii_lowercase(), user);
        }
        dir.tags.insert(
            1,
            Tag {
                id: 1,
                name: "Interviewers".into(),
                users: vec!["lilei".into(), "zhangsan".into()],
                parties: vec![],
            },
        );
        dir
    }

    /// From the simulator config: `users`, `departments`, `tags`, each `null` (the seeded,
    /// lenient default) or an Array of ids / objects (strict: only those exist).
    pub fn from_config(config: &Value) -> Result<Self> {
        let mut dir = Directory::seeded();
        match config.get("users") {
            None | Some(Value::Null) => {}
            Some(Value::Array(users)) => {
                dir.strict_users = true;
                dir.users.clear();
                for u in users {
                    dir.add_user_value(u)?;
                }
            }
            Some(_) => return Err(Error::argument("users must be an Array or nil")),
        }
        match config.get("departments") {
            None | Some(Value::Null) => {}
            Some(v) => {
                dir.strict_departments = true;
                dir.departments = departments_of(v)?;
            }
        }
        match config.get("tags") {
            None | Some(Value::Null) => {}
            Some(v) => {
                dir.strict_tags = true;
                dir.tags = tags_of(v)?;
            }
        }
        Ok(dir)
    }

    /// Adds (or replaces) a member: a userid String or an object with `userid`, optional
    /// `name`, `department` and any other user/get fields.
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
        self.users.contains_key(&userid.to_ascii_lowercase())
            || (!self.strict_users && valid_userid(userid))
    }

    /// A known member (seeded or added), not a synthesized one.
    pub fn known_user(&self, userid: &str) -> Option<&User> {
        self.users.get(&userid.to_ascii_lowercase())
    }

    /// Members that exist as records, in userid order.
    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.users.values()
    }

    /// A member: a record, or (lenient) one synthesized from the userid.
    pub fn user(&self, userid: &str) -> Option<User> {
        let key = userid.to_ascii_lowercase();
        match self.users.get(&key) {
            Some(u) => Some(u.clone()),
            None if !self.strict_users && valid_userid(userid) => Some(User {
                userid: key.clone(),
                name: display_name(&key),
                department: vec![1],
                extra: Map::new(),
            }),
            None => None,
        }
    }

    pub fn party_exists(&self, id: &str) -> bool {
        match parse_id(id) {
            None => false,
            Some(n) => self.departments.contains_key(&n) || !self.strict_departments,
        }
    }

    pub fn tag_exists(&self, id: &str) -> bool {
        match parse_id(id) {
            None => false,
            Some(n) => self.tags.contains_key(&n) || !self.strict_tags,
        }
    }

    pub fn department(&self, id: u64) -> Option<&Department> {
        self.departments.get(&id)
    }

    /// `id` and every department under it, in id order.
    pub fn subtree(&self, id: u64) -> Vec<&Department> {
        let mut out: Vec<&Department> = Vec::new();
        let mut frontier = vec![id];
        while let Some(parent) = frontier.pop() {
            if let Some(d) = self.departments.get(&parent) {
                out.push(d);
            }
            for d in self
                .departments
                .values()
                .filter(|d| d.parentid == parent && d.id != parent)
            {
                frontier.push(d.id);
            }
        }
        out.sort_by_key(|d| d.id);
        out.dedup_by_key(|d| d.id);
        out
    }

    /// Members whose departments include `id` (or a department under it, with `children`).
    pub fn members_of(&self, id: u64, children: bool) -> Vec<&User> {
        let ids: Vec<u64> = if children {
            self.subtree(id).iter().map(|d| d.id).collect()
        } else {
            vec![id]
        };
        self.users
            .values()
            .filter(|u| u.department.iter().any(|d| ids.contains(d)))
            .collect()
    }

    pub fn tags(&self) -> impl Iterator<Item = &Tag> {
        self.tags.values()
    }

    pub fn tag(&self, id: u64) -> Option<&Tag> {
        self.tags.get(&id)
    }

    pub fn departments(&self) -> impl Iterator<Item = &Department> {
        self.departments.values()
    }

    pub fn department_json(d: &Department) -> Value {
        json!({"id": d.id, "name": d.name, "name_en": "", "department_leader": [], "parentid": d.parentid, "order": d.order})
    }

    /// The user/get answer fields (without errcode/errmsg). `restricted`: the app was created
    /// after 2022-06-20, so WeCom withholds avatar, gender, mobile, email, address...
    pub fn user_json(user: &User, restricted: bool) -> Map<String, Value> {
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
        for (k, v) in &user.extra {
            out.insert(k.clone(), v.clone());
        }
        if restricted {
            for field in RESTRICTED_USER_FIELDS {
                out.remove(*field);
            }
        }
        out
    }

    /// The user/simplelist row.
    pub fn simple_json(user: &User) -> Value {
        json!({"userid": user.userid, "name": user.name, "department": user.department, "open_userid": ""})
    }
}

fn departments_of(value: &Value) -> Result<BTreeMap<u64, Department>> {
    let items = value
        .as_array()
        .ok_or_else(|| Error::argument("departments must be an Array or nil"))?;
    let mut out = BTreeMap::new();
    for item in items {
        let id = match item {
            Value::Object(map) => map.get("id").and_then(id_value),
            other => id_value(other),
        }
        .ok_or_else(|| {
            Error::argument(format!(
                "departments: {item} has no valid positive integer id"
            ))
        })?;
        let name = item.get("name").and_then(Value::as_str).map_or_else(
            || {
                if id == 1 {
                    "Corp".into()
                } else {
                    format!("Department {id}")
                }
            },
            str::to_string,
        );
        let parentid = item
            .get("parentid")
            .and_then(Value::as_u64)
            .unwrap_or(if id == 1 { 0 } else { 1 });
        out.insert(
            id,
            Department {
                id,
                name,
                parentid,
                order: id * 10,
            },
        );
    }
    Ok(out)
}

fn tags_of(value: &Value) -> Result<BTreeMap<u64, Tag>> {
    let items = value
        .as_array()
        .ok_or_else(|| Error::argument("tags must be an Array or nil"))?;
    let mut out = BTreeMap::new();
    for item in items {
        let id = match item {
            Value::Object(map) => map.get("tagid").and_then(id_value),
            other => id_value(other),
        }
        .ok_or_else(|| {
            Error::argument(format!("tags: {item} has no valid positive integer tagid"))
        })?;
        let name = item
            .get("tagname")
            .and_then(Value::as_str)
            .map_or_else(|| format!("Tag {id}"), str::to_string);
        let users = item
            .get("users")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|u| u.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        out.insert(
            id,
            Tag {
                id,
                name,
                users,
                parties: vec![],
            },
        );
    }
    Ok(out)
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
    fn the_default_is_seeded_and_lenient() {
        let dir = Directory::from_config(&json!({})).unwrap();
        assert!(dir.user_exists("anyone"));
        assert!(!dir.user_exists("bad user"));
        assert!(dir.party_exists("42"));
        assert!(!dir.party_exists("x"));
        assert!(dir.tag_exists("7"));
        let u = dir.user("Zhang.San").unwrap();
        assert_eq!(
            (u.userid.as_str(), u.name.as_str()),
            ("zhang.san", "Zhang San")
        );
        assert_eq!(
            dir.known_user("LILEI").map(|u| u.name.as_str()),
            Some("Li Lei")
        );
        assert_eq!(dir.members_of(1, true).len(), 3);
        assert_eq!(dir.members_of(2, false).len(), 2);
        assert_eq!(dir.subtree(1).len(), 3);
    }

    #[test]
    fn user_json_and_the_2022_rule() {
        let dir = Directory::seeded();
        let lilei = dir.user("lilei").unwrap();
        let full = Directory::user_json(&lilei, false);
        assert_eq!(full["mobile"], "13800000001");
        let restricted = Directory::user_json(&lilei, true);
        for field in RESTRICTED_USER_FIELDS {
            assert!(!restricted.contains_key(*field), "{field}");
        }
        assert_eq!(restricted["name"], "Li Lei");
        assert_eq!(restricted["position"], "Engineer");
    }

    #[test]
    fn strict_directory() {
        let dir = Directory::from_config(&json!({
            "users": ["zhangsan", {"userid": "LiSi", "name": "李四", "department": [2, 3], "position": "dev"}],
            "departments": [1, {"id": 2, "name": "R&D"}],
            "tags": [{"tagid": 5, "tagname": "Interviewers", "users": ["zhangsan"]}]
        }))
        .unwrap();
        assert!(dir.user_exists("ZHANGSAN"));
        assert!(dir.user_exists("lisi"));
        assert!(!dir.user_exists("wangwu"));
        assert!(!dir.user_exists("lilei"), "strict users replace the seeds");
        assert!(dir.party_exists("2"));
        assert!(!dir.party_exists("3"));
        assert!(dir.tag_exists("5"));
        assert!(!dir.tag_exists("6"));
        let u = Directory::user_json(&dir.user("lisi").unwrap(), false);
        assert_eq!(u["userid"], "LiSi");
        assert_eq!(u["department"], json!([2, 3]));
        assert_eq!(u["main_department"], 2);
        assert_eq!(u["position"], "dev");
        assert!(dir.user("wangwu").is_none());
        assert_eq!(dir.tag(5).map(|t| t.users.len()), Some(1));
    }

    #[test]
    fn bad_config_is_an_argument_error() {
        assert!(Directory::from_config(&json!({"users": "x"})).is_err());
        assert!(Directory::from_config(&json!({"users": ["bad user"]})).is_err());
        assert!(Directory::from_config(&json!({"departments": [0]})).is_err());
        assert!(Directory::from_config(&json!({"tags": [{"id": 1}]})).is_err());
    }
}
