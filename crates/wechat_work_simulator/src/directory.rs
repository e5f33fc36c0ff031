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
    /// lenient default) or an Array of ids / objects (strict: only those exist). An entry that
    /// does not fit is refused with where it is: `users[1].department: ...`. In a strict
    /// directory the references hold: members are in listed departments, tags hold listed
    /// members and departments, a department's parent is listed.
    pub fn from_config(config: &Value) -> Result<Self> {
        let mut dir = Directory::seeded();
        if let Some(items) = section(config, "departments")? {
            dir.strict_departments = true;
            dir.departments.clear();
            let mut parents = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let d = department_of(item).map_err(|r| r.at("departments", i))?;
                if dir.departments.contains_key(&d.id) {
                    let reason = format!("{} is listed twice", d.id);
                    return Err(Refusal::field("id", reason).at("departments", i));
                }
                parents.push((i, d.parentid));
                dir.departments.insert(d.id, d);
            }
            // Checked once all are in: a parent may come after its children in the list.
            for (i, parentid) in parents {
                if parentid != 0 && !dir.departments.contains_key(&parentid) {
                    let reason = format!("{parentid} is not among the departments");
                    return Err(Refusal::field("parentid", reason).at("departments", i));
                }
            }
        }
        if let Some(items) = section(config, "users")? {
            dir.strict_users = true;
            dir.users.clear();
            for (i, item) in items.iter().enumerate() {
                let user = dir.user_of(item).map_err(|r| r.at("users", i))?;
                if let Some(first) = dir.users.get(&user.userid.to_ascii_lowercase()) {
                    let reason = if first.userid == user.userid {
                        format!("{:?} is listed twice", user.userid)
                    } else {
                        format!(
                            "{:?} is listed twice (as {:?}: userids ignore case)",
                            user.userid, first.userid
                        )
                    };
                    return Err(Refusal::field("userid", reason).at("users", i));
                }
                dir.users.insert(user.userid.to_ascii_lowercase(), user);
            }
        }
        if let Some(items) = section(config, "tags")? {
            dir.strict_tags = true;
            dir.tags.clear();
            for (i, item) in items.iter().enumerate() {
                let tag = dir.tag_of(item).map_err(|r| r.at("tags", i))?;
                if dir.tags.contains_key(&tag.id) {
                    return Err(
                        Refusal::field("tagid", format!("{} is listed twice", tag.id))
                            .at("tags", i),
                    );
                }
                dir.tags.insert(tag.id, tag);
            }
        }
        Ok(dir)
    }

    /// Adds (or replaces) a member at run time: a userid String or an object with `userid`,
    /// optional `name`, `department` and any other user/get fields. In a strict directory it
    /// is one of its members from then on; its departments must be listed ones.
    pub fn add_user_value(&mut self, value: &Value) -> Result<()> {
        let user = self.user_of(value).map_err(Refusal::into_error)?;
        self.users.insert(user.userid.to_ascii_lowercase(), user);
        Ok(())
    }

    fn user_of(&self, value: &Value) -> std::result::Result<User, Refusal> {
        let (userid, mut extra) = match value {
            Value::String(s) => (s.clone(), Map::new()),
            Value::Object(map) => match map.get("userid") {
                Some(Value::String(id)) => (id.clone(), map.clone()),
                None => return Err(Refusal::field("userid", "missing: each user needs one")),
                Some(other) => {
                    return Err(Refusal::field(
                        "userid",
                        format!("must be a String, got {other}"),
                    ))
                }
            },
            other => {
                return Err(Refusal::entry(format!(
                    "not a user: {other} (a userid, or an object with userid, name, department...)"
                )))
            }
        };
        if !valid_userid(&userid) {
            return Err(Refusal::field(
                "userid",
                format!("invalid userid {userid:?}: 1-64 bytes of [0-9a-zA-Z_-@.]"),
            ));
        }
        let name = match extra.remove("name") {
            None | Some(Value::Null) => display_name(&userid),
            Some(Value::String(s)) if s.is_empty() => display_name(&userid),
            Some(Value::String(s)) => s,
            Some(other) => {
                return Err(Refusal::field(
                    "name",
                    format!("must be a String, got {other}"),
                ))
            }
        };
        let department = match extra.remove("department") {
            None | Some(Value::Null) => vec![1],
            Some(Value::Array(ids)) => ids
                .iter()
                .map(department_id)
                .collect::<std::result::Result<_, _>>()?,
            Some(v) => vec![department_id(&v)?],
        };
        if self.strict_departments {
            if let Some(missing) = department
                .iter()
                .find(|d| !self.departments.contains_key(d))
            {
                return Err(Refusal::field(
                    "department",
                    format!("{missing} is not among the departments"),
                ));
            }
        }
        extra.remove("userid");
        Ok(User {
            userid,
            name,
            department,
            extra,
        })
    }

    fn tag_of(&self, item: &Value) -> std::result::Result<Tag, Refusal> {
        let map = match item {
            Value::Object(map) => {
                refuse_unknown_keys(map, TAG_KEYS, "a tag")?;
                Some(map)
            }
            _ => None,
        };
        let id = match map {
            Some(map) => match map.get("tagid") {
                None => {
                    return Err(Refusal::field(
                        "tagid",
                        "missing: each tag needs a positive integer tagid",
                    ))
                }
                Some(v) => id_value(v).ok_or_else(|| {
                    Refusal::field("tagid", format!("{v} is not a positive integer"))
                })?,
            },
            None => id_value(item).ok_or_else(|| {
                Refusal::entry(format!(
                    "{item} is not a tag id, nor an object with tagid, tagname, users, parties"
                ))
            })?,
        };
        let name = match map.and_then(|m| m.get("tagname")) {
            None | Some(Value::Null) => format!("Tag {id}"),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(Refusal::field(
                    "tagname",
                    format!("must be a String, got {other}"),
                ))
            }
        };
        let users = match map.and_then(|m| m.get("users")) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .map(|u| match u.as_str() {
                    Some(userid)
                        if !self.strict_users
                            || self.users.contains_key(&userid.to_ascii_lowercase()) =>
                    {
                        Ok(userid.to_string())
                    }
                    Some(userid) => Err(Refusal::field(
                        "users",
                        format!("{userid:?} is not among the users"),
                    )),
                    None => Err(Refusal::field("users", format!("{u} is not a userid"))),
                })
                .collect::<std::result::Result<_, _>>()?,
            Some(other) => {
                return Err(Refusal::field(
                    "users",
                    format!("must be an Array of userids, got {other}"),
                ))
            }
        };
        let parties = match map.and_then(|m| m.get("parties")) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .map(|p| {
                    let id = id_value(p).ok_or_else(|| {
                        Refusal::field("parties", format!("{p} is not a department id"))
                    })?;
                    if self.strict_departments && !self.departments.contains_key(&id) {
                        return Err(Refusal::field(
                            "parties",
                            format!("{id} is not among the departments"),
                        ));
                    }
                    Ok(id)
                })
                .collect::<std::result::Result<_, _>>()?,
            Some(other) => {
                return Err(Refusal::field(
                    "parties",
                    format!("must be an Array of department ids, got {other}"),
                ))
            }
        };
        Ok(Tag {
            id,
            name,
            users,
            parties,
        })
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

/// What a department or tag entry may hold (a member's entry takes any user/get field).
const DEPARTMENT_KEYS: &[&str] = &["id", "name", "parentid", "order"];
const TAG_KEYS: &[&str] = &["tagid", "tagname", "users", "parties"];

/// Why an entry of the directory is refused: the field (None: the entry as a whole) and why.
#[derive(Debug)]
struct Refusal {
    field: Option<String>,
    reason: String,
}

impl Refusal {
    fn entry(reason: impl Into<String>) -> Self {
        Refusal {
            field: None,
            reason: reason.into(),
        }
    }

    fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Refusal {
            field: Some(field.into()),
            reason: reason.into(),
        }
    }

    /// For an entry of the config: `users[1].department: 9 is not among the departments`.
    fn at(self, section: &str, index: usize) -> Error {
        match self.field {
            Some(field) => Error::argument(format!("{section}[{index}].{field}: {}", self.reason)),
            None => Error::argument(format!("{section}[{index}]: {}", self.reason)),
        }
    }

    /// For a member added at run time: `department: 9 is not among the departments`.
    fn into_error(self) -> Error {
        match self.field {
            Some(field) => Error::argument(format!("{field}: {}", self.reason)),
            None => Error::argument(self.reason),
        }
    }
}

/// `users`, `departments` or `tags` of the config: None (absent or null: lenient) or its entries.
fn section<'a>(config: &'a Value, name: &str) -> Result<Option<&'a Vec<Value>>> {
    match config.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(other) => Err(Error::argument(format!(
            "{name} must be an Array or nil, got {other}"
        ))),
    }
}

fn refuse_unknown_keys(
    map: &Map<String, Value>,
    known: &[&str],
    what: &str,
) -> std::result::Result<(), Refusal> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(Refusal::field(
            key.clone(),
            format!("unknown key; {what} takes {}", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn department_id(v: &Value) -> std::result::Result<u64, Refusal> {
    id_value(v).ok_or_else(|| Refusal::field("department", format!("{v} is not a department id")))
}

fn department_of(item: &Value) -> std::result::Result<Department, Refusal> {
    let map = match item {
        Value::Object(map) => {
            refuse_unknown_keys(map, DEPARTMENT_KEYS, "a department")?;
            Some(map)
        }
        _ => None,
    };
    let id = match map {
        Some(map) => match map.get("id") {
            None => {
                return Err(Refusal::field(
                    "id",
                    "missing: each department needs a positive integer id",
                ))
            }
            Some(v) => id_value(v)
                .ok_or_else(|| Refusal::field("id", format!("{v} is not a positive integer")))?,
        },
        None => id_value(item).ok_or_else(|| {
            Refusal::entry(format!(
                "{item} is not a department id, nor an object with id, name, parentid"
            ))
        })?,
    };
    let field = |key: &str| map.and_then(|m| m.get(key)).filter(|v| !v.is_null());
    let name = match field("name") {
        None if id == 1 => "Corp".into(),
        None => format!("Department {id}"),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(Refusal::field(
                "name",
                format!("must be a String, got {other}"),
            ))
        }
    };
    let parentid = match field("parentid") {
        None => u64::from(id != 1),
        Some(v) => v.as_u64().ok_or_else(|| {
            Refusal::field(
                "parentid",
                format!("{v} is not a department id (0 for the root)"),
            )
        })?,
    };
    let order = match field("order") {
        None => id * 10,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| Refusal::field("order", format!("{v} is not a non-negative integer")))?,
    };
    Ok(Department {
        id,
        name,
        parentid,
        order,
    })
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
            "departments": [1, {"id": 2, "name": "R&D"}, {"id": 3, "parentid": 2}],
            "tags": [{"tagid": 5, "tagname": "Interviewers", "users": ["zhangsan"]}]
        }))
        .unwrap();
        assert!(dir.user_exists("ZHANGSAN"));
        assert!(dir.user_exists("lisi"));
        assert!(!dir.user_exists("wangwu"));
        assert!(!dir.user_exists("lilei"), "strict users replace the seeds");
        assert!(dir.party_exists("3"));
        assert!(!dir.party_exists("4"));
        assert_eq!(dir.subtree(2).len(), 2);
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

    fn refusal(config: Value) -> String {
        match Directory::from_config(&config) {
            Err(Error::Argument(message)) => message,
            other => panic!("expected an argument error for {config}, got {other:?}"),
        }
    }

    #[test]
    fn a_bad_config_is_refused_with_where_it_is() {
        assert_eq!(
            refusal(json!({"users": "x"})),
            "users must be an Array or nil, got \"x\""
        );
        assert_eq!(
            refusal(json!({"users": ["lilei", "bad user"]})),
            "users[1].userid: invalid userid \"bad user\": 1-64 bytes of [0-9a-zA-Z_-@.]"
        );
        assert_eq!(
            refusal(json!({"users": [{"name": "Li Lei"}]})),
            "users[0].userid: missing: each user needs one"
        );
        assert_eq!(
            refusal(json!({"users": [{"userid": 10086}]})),
            "users[0].userid: must be a String, got 10086"
        );
        assert_eq!(
            refusal(json!({"users": [{"userid": "lilei", "name": 7}]})),
            "users[0].name: must be a String, got 7"
        );
        assert_eq!(
            refusal(json!({"users": ["lilei", "LiLei"]})),
            "users[1].userid: \"LiLei\" is listed twice (as \"lilei\": userids ignore case)"
        );
        assert_eq!(
            refusal(json!({"departments": [0]})),
            "departments[0]: 0 is not a department id, nor an object with id, name, parentid"
        );
        assert_eq!(
            refusal(json!({"departments": [{"id": 1}, {"id": 2, "parent_id": 1}]})),
            "departments[1].parent_id: unknown key; a department takes id, name, parentid, order"
        );
        assert_eq!(
            refusal(json!({"departments": [{"id": 1}, {"id": 1, "name": "Again"}]})),
            "departments[1].id: 1 is listed twice"
        );
        assert_eq!(
            refusal(json!({"departments": [{"id": 2, "parentid": 5}, {"id": 1}]})),
            "departments[0].parentid: 5 is not among the departments"
        );
        assert_eq!(
            refusal(json!({"tags": [{"id": 1}]})),
            "tags[0].id: unknown key; a tag takes tagid, tagname, users, parties"
        );
        assert_eq!(
            refusal(json!({"tags": [{"tagname": "ops"}]})),
            "tags[0].tagid: missing: each tag needs a positive integer tagid"
        );
    }

    #[test]
    fn a_strict_directory_keeps_its_references() {
        assert_eq!(
            refusal(
                json!({"departments": [1, 2], "users": [{"userid": "lilei", "department": [2, 3]}]})
            ),
            "users[0].department: 3 is not among the departments"
        );
        assert_eq!(
            refusal(json!({"departments": [{"id": 2, "parentid": 0}], "users": ["lilei"]})),
            "users[0].department: 1 is not among the departments"
        );
        assert_eq!(
            refusal(
                json!({"users": ["lilei"], "tags": [{"tagid": 1, "users": ["lilei", "ghost"]}]})
            ),
            "tags[0].users: \"ghost\" is not among the users"
        );
        assert_eq!(
            refusal(json!({"departments": [1], "tags": [{"tagid": 1, "parties": [1, 9]}]})),
            "tags[0].parties: 9 is not among the departments"
        );
        // Lenient sections are not checked against: any well-formed id exists there.
        let dir = Directory::from_config(&json!({"users": [{"userid": "lilei", "department": [9]}],
                                                 "tags": [{"tagid": 1, "users": ["LiLei"], "parties": [9]}]}))
        .unwrap();
        assert_eq!(dir.tag(1).map(|t| t.parties.clone()), Some(vec![9]));
    }

    #[test]
    fn a_member_added_at_run_time_joins_the_strict_directory() {
        let mut dir =
            Directory::from_config(&json!({"departments": [1, 2], "users": ["lilei"]})).unwrap();
        assert!(!dir.user_exists("wangwu"));
        dir.add_user_value(&json!({"userid": "wangwu", "department": [2]}))
            .unwrap();
        assert!(dir.user_exists("WangWu"));
        assert_eq!(dir.members_of(2, false).len(), 1);
        match dir.add_user_value(&json!({"userid": "zhaoliu", "department": [7]})) {
            Err(Error::Argument(message)) => {
                assert_eq!(message, "department: 7 is not among the departments")
            }
            other => panic!("expected an argument error, got {other:?}"),
        }
        assert!(!dir.user_exists("zhaoliu"));
    }
}
