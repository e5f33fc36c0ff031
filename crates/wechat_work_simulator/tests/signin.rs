//! Sign-in on the simulator end to end, over a real socket: the authorize and web-login
//! pages, their redirects, the code exchange (auth/getuserinfo), user tickets
//! (auth/getuserdetail), auto_login, several apps, and the JS-SDK check.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{get, post, start_with, Conn};
use serde_json::{json, Value};
use wechat_work_core::jssdk;
use wechat_work_simulator::{AppConfig, Simulator, SimulatorConfig, Who};

const CALLBACK: &str = "https://app.example.com/interviews?id=42";

/// (status, headers with lower-case names, body) of one GET on a fresh connection.
fn fetch(sim: &Simulator, target: &str) -> (u16, Vec<(String, String)>, String) {
    let stream = TcpStream::connect(sim.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let req = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    reader.get_mut().write_all(req.as_bytes()).unwrap();
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status: u16 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').unwrap();
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let mut body = String::new();
    reader.read_to_string(&mut body).unwrap();
    (status, headers, body)
}

fn location(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .find(|(k, _)| k == "location")
        .map(|(_, v)| v.clone())
        .expect("a Location header")
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn authorize_target(sim: &Simulator, scope: &str, state: &str, agentid: Option<i64>) -> String {
    let agent = agentid.map_or(String::new(), |a| format!("&agentid={a}"));
    format!(
        "/connect/oauth2/authorize?appid={}&redirect_uri={}&response_type=code&scope={scope}&state={state}{agent}",
        sim.world().corp_id,
        enc(CALLBACK)
    )
}

fn qr_target(sim: &Simulator, state: &str, agentid: i64) -> String {
    format!(
        "/wwlogin/sso/login?login_type=CorpApp&appid={}&agentid={agentid}&redirect_uri={}&state={state}",
        sim.world().corp_id,
        enc(CALLBACK)
    )
}

/// The href of the link `marker` (an attribute) on the page, HTML entities undone.
fn link(page: &str, marker: &str) -> String {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {page}"));
    let rest = &page[at..];
    let start = rest.find("href=\"").unwrap() + 6;
    let end = start + rest[start..].find('"').unwrap();
    rest[start..end].replace("&amp;", "&")
}

/// (code, state) from a redirect to CALLBACK.
fn code_and_state(location: &str) -> (String, String) {
    let query = location
        .strip_prefix("https://app.example.com/interviews?")
        .unwrap_or_else(|| panic!("{location}"));
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(
        get("id").as_deref(),
        Some("42"),
        "the redirect_uri's own query is kept"
    );
    (get("code").unwrap(), get("state").unwrap())
}

fn two_apps() -> Simulator {
    let mut config = SimulatorConfig::default();
    config.apps.push(AppConfig {
        name: "approvals".into(),
        secret: "approvals-s3cret".into(),
        agent_id: 1000003,
        token_ttl: Duration::from_secs(7200),
        restricted_fields: true,
    });
    start_with(config)
}

fn token_of(conn: &mut Conn, sim: &Simulator, secret: &str) -> String {
    let body = conn.json(
        "GET",
        &format!(
            "/cgi-bin/gettoken?corpid={}&corpsecret={secret}",
            sim.world().corp_id
        ),
        "",
    );
    body["access_token"].as_str().unwrap().to_string()
}

fn exchange(conn: &mut Conn, token: &str, code: &str) -> Value {
    get(conn, token, "auth/getuserinfo", &format!("code={code}"))
}

#[test]
fn the_authorize_page_lists_members_and_a_visitor_and_redirects_with_a_one_time_code() {
    let sim = start_with(SimulatorConfig::default());
    let (status, _, page) = fetch(
        &sim,
        &authorize_target(&sim, "snsapi_base", "st4te", Some(1000002)),
    );
    assert_eq!(status, 200, "{page}");
    for userid in ["lilei", "hanmeimei", "zhangsan"] {
        assert!(
            page.contains(&format!("data-userid=\"{userid}\"")),
            "{page}"
        );
    }
    assert!(page.contains("class=\"visitor\""));
    let (status, headers, _) = fetch(&sim, &link(&page, "data-userid=\"lilei\""));
    assert_eq!(status, 302);
    let (code, state) = code_and_state(&location(&headers));
    assert_eq!(state, "st4te");
    assert!(!code.is_empty() && code.len() <= 512);

    let mut conn = Conn::open(&sim);
    let token = token_of(&mut conn, &sim, "s3cret");
    let answer = exchange(&mut conn, &token, &code);
    assert_eq!(answer["errcode"], 0, "{answer}");
    assert_eq!(answer["userid"], "lilei");
    assert!(
        answer.get("user_ticket").is_none(),
        "snsapi_base has no user ticket"
    );
    let again = exchange(&mut conn, &token, &code);
    assert_eq!(again["errcode"], 40029, "a code works once");
    assert_eq!(exchange(&mut conn, &token, "forged")["errcode"], 40029);
    assert_eq!(
        conn.json(
            "GET",
            &format!("/cgi-bin/auth/getuserinfo?access_token={token}"),
            ""
        )["errcode"],
        41008
    );
    assert_eq!(
        sim.world().request_count(Some("/connect/oauth2/authorize")),
        2
    );
}

#[test]
fn privateinfo_gives_a_user_ticket_whose_detail_has_what_user_get_withholds() {
    let sim = start_with(SimulatorConfig::default());
    let (_, _, page) = fetch(
        &sim,
        &authorize_target(&sim, "snsapi_privateinfo", "s", Some(1000002)),
    );
    assert!(page.contains("snsapi_privateinfo"));
    let (_, headers, _) = fetch(&sim, &link(&page, "data-userid=\"hanmeimei\""));
    let (code, _) = code_and_state(&location(&headers));
    let mut conn = Conn::open(&sim);
    let token = token_of(&mut conn, &sim, "s3cret");
    let answer = exchange(&mut conn, &token, &code);
    assert_eq!(answer["userid"], "hanmeimei");
    let ticket = answer["user_ticket"].as_str().unwrap().to_string();
    assert!(ticket.len() <= 512);

    // The default app is "created after 2022-06-20": user/get hides the mobile...
    let user = get(&mut conn, &token, "user/get", "userid=hanmeimei");
    assert!(user.get("mobile").is_none(), "{user}");
    // ...which the member consented to share through snsapi_privateinfo.
    let detail = post(
        &mut conn,
        &token,
        "auth/getuserdetail",
        &json!({"user_ticket": ticket}),
    );
    assert_eq!(detail["errcode"], 0, "{detail}");
    assert_eq!(detail["userid"], "hanmeimei");
    assert_eq!(detail["mobile"], "13800000002");
    assert_eq!(detail["email"], "hanmeimei@example.com");
    assert!(detail["avatar"].as_str().unwrap().starts_with("https://"));
    for key in ["gender", "qr_code", "biz_mail", "address"] {
        assert!(detail.get(key).is_some(), "{key} in {detail}");
    }
    // The ticket works until it is 1800 s old, any number of times.
    sim.world().clock.advance(Duration::from_secs(1799));
    let token = token_of(&mut conn, &sim, "s3cret");
    assert_eq!(
        post(
            &mut conn,
            &token,
            "auth/getuserdetail",
            &json!({"user_ticket": ticket})
        )["errcode"],
        0
    );
    sim.world().clock.advance(Duration::from_secs(2));
    let token = token_of(&mut conn, &sim, "s3cret");
    assert_eq!(
        post(
            &mut conn,
            &token,
            "auth/getuserdetail",
            &json!({"user_ticket": ticket})
        )["errcode"],
        84014
    );
    assert_eq!(
        post(
            &mut conn,
            &token,
            "auth/getuserdetail",
            &json!({"user_ticket": "nope"})
        )["errcode"],
        84015
    );
    assert_eq!(
        conn.json(
            "POST",
            &format!("/cgi-bin/auth/getuserdetail?access_token={token}"),
            "{"
        )["errcode"],
        40058
    );
}

#[test]
fn privateinfo_without_agentid_is_treated_as_base_as_wecom_does() {
    let sim = start_with(SimulatorConfig::default());
    let (_, _, page) = fetch(
        &sim,
        &authorize_target(&sim, "snsapi_privateinfo", "s", None),
    );
    let (_, headers, _) = fetch(&sim, &link(&page, "data-userid=\"lilei\""));
    let (code, _) = code_and_state(&location(&headers));
    let mut conn = Conn::open(&sim);
    let token = token_of(&mut conn, &sim, "s3cret");
    let answer = exchange(&mut conn, &token, &code);
    assert_eq!(answer["userid"], "lilei");
    assert!(answer.get("user_ticket").is_none());
}

#[test]
fn codes_expire_after_five_minutes_on_the_simulated_clock() {
    let sim = start_with(SimulatorConfig::default());
    sim.world().domains.auth.lock().auto_login = Some(Who::Member("lilei".into()));
    let mut conn = Conn::open(&sim);
    let issue = || {
        let (status, headers, _) = fetch(
            &sim,
            &authorize_target(&sim, "snsapi_base", "s", Some(1000002)),
        );
        assert_eq!(status, 302);
        code_and_state(&location(&headers)).0
    };
    let young = issue();
    sim.world().clock.advance(Duration::from_secs(299));
    let token = token_of(&mut conn, &sim, "s3cret");
    assert_eq!(exchange(&mut conn, &token, &young)["userid"], "lilei");
    let old = issue();
    sim.world().clock.advance(Duration::from_secs(301));
    let token = token_of(&mut conn, &sim, "s3cret");
    assert_eq!(exchange(&mut conn, &token, &old)["errcode"], 40029);
}

#[test]
fn codes_and_user_tickets_are_bound_to_their_app() {
    let sim = two_apps();
    sim.world().domains.auth.lock().auto_login = Some(Who::Member("zhangsan".into()));
    let mut conn = Conn::open(&sim);
    let default_token = token_of(&mut conn, &sim, "s3cret");
    let approvals_token = token_of(&mut conn, &sim, "approvals-s3cret");
    assert_ne!(default_token, approvals_token);

    let (_, headers, _) = fetch(
        &sim,
        &authorize_target(&sim, "snsapi_privateinfo", "s", Some(1000003)),
    );
    let (code, _) = code_and_state(&location(&headers));
    let wrong = exchange(&mut conn, &default_token, &code);
    assert_eq!(wrong["errcode"], 50001, "{wrong}");
    // The failed attempt does not use the code up.
    let right = exchange(&mut conn, &approvals_token, &code);
    assert_eq!(right["userid"], "zhangsan", "{right}");
    let ticket = right["user_ticket"].as_str().unwrap().to_string();
    let detail = post(
        &mut conn,
        &default_token,
        "auth/getuserdetail",
        &json!({"user_ticket": ticket}),
    );
    assert_eq!(detail["errcode"], 84015, "another app's user ticket");
    let detail = post(
        &mut conn,
        &approvals_token,
        "auth/getuserdetail",
        &json!({"user_ticket": ticket}),
    );
    assert_eq!(detail["userid"], "zhangsan");

    // Without agentid (snsapi_base), any app of the corp may exchange the code.
    let (_, headers, _) = fetch(&sim, &authorize_target(&sim, "snsapi_base", "s", None));
    let (code, _) = code_and_state(&location(&headers));
    assert_eq!(
        exchange(&mut conn, &default_token, &code)["userid"],
        "zhangsan"
    );
}

#[test]
fn two_apps_get_their_own_tokens_and_agent_tickets_and_the_corp_its_one_ticket() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let a = token_of(&mut conn, &sim, "s3cret");
    let b = token_of(&mut conn, &sim, "approvals-s3cret");
    assert_ne!(a, b);
    assert_eq!(
        token_of(&mut conn, &sim, "s3cret"),
        a,
        "the same token while it lives"
    );
    let agent_a = get(&mut conn, &a, "ticket/get", "type=agent_config");
    let agent_b = get(&mut conn, &b, "ticket/get", "type=agent_config");
    assert_eq!(agent_a["expires_in"], 7200);
    assert_ne!(agent_a["ticket"], agent_b["ticket"]);
    let corp_a = get(&mut conn, &a, "get_jsapi_ticket", "");
    let corp_b = get(&mut conn, &b, "get_jsapi_ticket", "");
    assert_eq!(
        corp_a["ticket"], corp_b["ticket"],
        "one corp ticket per corp"
    );
    assert_ne!(corp_a["ticket"], agent_a["ticket"]);
    // A token used with the other app's agent id.
    let send = post(
        &mut conn,
        &a,
        "message/send",
        &json!({"touser": "lilei", "msgtype": "text", "agentid": 1000003, "text": {"content": "x"}}),
    );
    assert_eq!(send["errcode"], 301002);
}

#[test]
fn the_web_login_page_signs_in_without_a_user_ticket() {
    let sim = start_with(SimulatorConfig::default());
    let (status, _, page) = fetch(&sim, &qr_target(&sim, "qr1", 1000002));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("WeCom web login"));
    let (status, headers, _) = fetch(&sim, &link(&page, "data-userid=\"zhangsan\""));
    assert_eq!(status, 302);
    let (code, state) = code_and_state(&location(&headers));
    assert_eq!(state, "qr1");
    let mut conn = Conn::open(&sim);
    let token = token_of(&mut conn, &sim, "s3cret");
    let answer = exchange(&mut conn, &token, &code);
    assert_eq!(answer["userid"], "zhangsan");
    assert!(answer.get("user_ticket").is_none());

    // The legacy QR login URL works the same.
    let legacy = format!(
        "/wwopen/sso/qrConnect?appid={}&agentid=1000002&redirect_uri={}&state=x",
        sim.world().corp_id,
        enc(CALLBACK)
    );
    assert_eq!(fetch(&sim, &legacy).0, 200);
    // Web login needs agentid and login_type=CorpApp.
    let no_agent = qr_target(&sim, "s", 1000002).replace("&agentid=1000002", "");
    let (status, _, body) = fetch(&sim, &no_agent);
    assert_eq!(status, 400);
    assert!(body.contains("agentid is required"), "{body}");
    let service = qr_target(&sim, "s", 1000002).replace("CorpApp", "ServiceApp");
    assert_eq!(fetch(&sim, &service).0, 400);
}

#[test]
fn someone_who_is_not_a_member_gets_an_openid() {
    let sim = start_with(SimulatorConfig::default());
    let mut conn = Conn::open(&sim);
    let token = token_of(&mut conn, &sim, "s3cret");
    let mut openids = Vec::new();
    for _ in 0..2 {
        let (_, _, page) = fetch(
            &sim,
            &authorize_target(&sim, "snsapi_privateinfo", "s", Some(1000002)),
        );
        let (_, headers, _) = fetch(&sim, &link(&page, "class=\"visitor\""));
        let (code, _) = code_and_state(&location(&headers));
        let answer = exchange(&mut conn, &token, &code);
        assert_eq!(answer["errcode"], 0);
        assert!(answer.get("userid").is_none(), "{answer}");
        assert!(answer.get("user_ticket").is_none());
        openids.push(answer["openid"].as_str().unwrap().to_string());
    }
    assert_eq!(openids[0], openids[1], "one openid per visitor and corp");
}

#[test]
fn auto_login_redirects_at_once_from_the_config_the_control_api_and_for_visitors() {
    let config = SimulatorConfig {
        auto_login: Some(Who::Member("hanmeimei".into())),
        ..Default::default()
    };
    let sim = start_with(config);
    let mut conn = Conn::open(&sim);
    let token = token_of(&mut conn, &sim, "s3cret");
    let sign_in = |target: &str| {
        let (status, headers, body) = fetch(&sim, target);
        assert_eq!(status, 302, "{body}");
        code_and_state(&location(&headers)).0
    };
    let code = sign_in(&authorize_target(&sim, "snsapi_base", "a", Some(1000002)));
    assert_eq!(exchange(&mut conn, &token, &code)["userid"], "hanmeimei");
    let code = sign_in(&qr_target(&sim, "b", 1000002));
    assert_eq!(exchange(&mut conn, &token, &code)["userid"], "hanmeimei");

    let set = conn.json("POST", "/_simulator/auto_login", r#"{"userid": "lilei"}"#);
    assert_eq!(set["auto_login"], json!({"userid": "lilei"}));
    let code = sign_in(&authorize_target(&sim, "snsapi_base", "c", Some(1000002)));
    assert_eq!(exchange(&mut conn, &token, &code)["userid"], "lilei");

    conn.json("POST", "/_simulator/auto_login", r#"{"visitor": true}"#);
    let code = sign_in(&authorize_target(&sim, "snsapi_base", "d", Some(1000002)));
    assert!(exchange(&mut conn, &token, &code)["openid"].is_string());

    let cleared = conn.json("DELETE", "/_simulator/auto_login", "");
    assert_eq!(cleared["auto_login"], Value::Null);
    assert_eq!(
        fetch(
            &sim,
            &authorize_target(&sim, "snsapi_base", "e", Some(1000002))
        )
        .0,
        200
    );
    let (status, _) = conn
        .request("POST", "/_simulator/auto_login", "[1]")
        .unwrap();
    assert_eq!(status, 400);
}

#[test]
fn auto_login_of_someone_outside_a_strict_directory_is_an_error_page() {
    let config =
        SimulatorConfig::from_json(&json!({"users": ["lilei"], "auto_login": "stranger"})).unwrap();
    let sim = start_with(config);
    let (status, _, body) = fetch(
        &sim,
        &authorize_target(&sim, "snsapi_base", "s", Some(1000002)),
    );
    assert_eq!(status, 400);
    assert!(body.contains("is not a member"), "{body}");
    sim.world().domains.auth.lock().auto_login = None;
    let (_, _, page) = fetch(
        &sim,
        &authorize_target(&sim, "snsapi_base", "s", Some(1000002)),
    );
    assert!(page.contains("data-userid=\"lilei\""));
    assert!(!page.contains("data-userid=\"hanmeimei\""));
    assert!(SimulatorConfig::from_json(&json!({"auto_login": 5})).is_err());
}

#[test]
fn malformed_sign_in_requests_get_an_error_page_that_says_why() {
    let sim = start_with(SimulatorConfig::default());
    let good = authorize_target(&sim, "snsapi_base", "s", Some(1000002));
    let corp = sim.world().corp_id.clone();
    let cases = [
        (good.replace(&corp, "wwother"), "is not this corp&#39;s id"),
        (good.replace("state=s", "state=a-b"), "letters and digits"),
        (
            good.replace("state=s", &format!("state={}", "a".repeat(129))),
            "at most 128",
        ),
        (
            good.replace("&redirect_uri=", "&x="),
            "redirect_uri must be an absolute",
        ),
        (
            good.replace("agentid=1000002", "agentid=7"),
            "invalid agentid",
        ),
        (
            good.replace("response_type=code", "response_type=token"),
            "response_type must be code",
        ),
        (
            good.replace("snsapi_base", "snsapi_userinfo"),
            "scope must be",
        ),
    ];
    for (target, expected) in cases {
        let (status, _, body) = fetch(&sim, &target);
        assert_eq!(status, 400, "{target}");
        assert!(body.contains(expected), "{expected} in {body}");
    }
    // The longest state WeCom takes is fine.
    let longest = good.replace("state=s", &format!("state={}", "a".repeat(128)));
    assert_eq!(fetch(&sim, &longest).0, 200);
}

#[test]
fn the_js_sdk_check_tells_a_good_signature_from_a_revoked_ticket_and_a_wrong_url() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let token = token_of(&mut conn, &sim, "s3cret");
    let corp_ticket = get(&mut conn, &token, "get_jsapi_ticket", "")["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    let agent_ticket = get(&mut conn, &token, "ticket/get", "type=agent_config")["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    let url = "https://app.example.com/interviews/42?tab=notes";
    let corp = sim.world().corp_id.clone();
    let verify = |conn: &mut Conn, body: Value| {
        conn.json("POST", "/_simulator/jssdk/verify", &body.to_string())
    };
    let config = |ticket: &str, page: &str| {
        json!({"beta": true, "appId": corp, "timestamp": 1700000000, "nonceStr": "n0nce",
               "signature": jssdk::signature(ticket, "n0nce", "1700000000", page), "url": page})
    };
    let agent_config = |ticket: &str, agentid: Value| {
        json!({"corpid": corp, "agentid": agentid, "timestamp": "1700000000", "nonceStr": "n0nce",
               "signature": jssdk::signature(ticket, "n0nce", "1700000000", url), "url": url})
    };
    assert_eq!(
        verify(&mut conn, config(&corp_ticket, url))["errMsg"],
        "config:ok"
    );
    let mut moved = config(&corp_ticket, url);
    moved["url"] = json!("https://app.example.com/other");
    let wrong_url = verify(&mut conn, moved);
    assert_eq!(wrong_url["ok"], false);
    assert_eq!(
        wrong_url["errcode"],
        Value::Null,
        "a wrong URL is not a ticket error"
    );
    assert_eq!(
        verify(&mut conn, agent_config(&agent_ticket, json!("1000002")))["errMsg"],
        "agentConfig:ok"
    );
    let other_app = verify(&mut conn, agent_config(&agent_ticket, json!(1000003)));
    assert_eq!(
        other_app["ok"], false,
        "another app's agentConfig: {other_app}"
    );
    assert_eq!(
        verify(&mut conn, agent_config(&agent_ticket, json!(7)))["errcode"],
        40056
    );
    assert_eq!(
        verify(&mut conn, config(&agent_ticket, url))["ok"],
        false,
        "the agent ticket does not sign wx.config"
    );
    let fragment = verify(
        &mut conn,
        config(&corp_ticket, "https://app.example.com/x#/a"),
    );
    assert!(fragment["reason"].as_str().unwrap().contains("#fragment"));

    sim.world().revoke_tickets();
    let revoked = verify(&mut conn, config(&corp_ticket, url));
    assert_eq!(revoked["errcode"], 40093, "{revoked}");
    assert_eq!(
        verify(&mut conn, agent_config(&agent_ticket, json!(1000002)))["errcode"],
        40093
    );
    let fresh = get(&mut conn, &token, "get_jsapi_ticket", "")["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(fresh, corp_ticket);
    assert_eq!(verify(&mut conn, config(&fresh, url))["ok"], true);
}

#[test]
fn ticket_fetches_past_wecoms_hourly_quota_answer_45009() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let a = token_of(&mut conn, &sim, "s3cret");
    let b = token_of(&mut conn, &sim, "approvals-s3cret");
    for _ in 0..100 {
        assert_eq!(get(&mut conn, &a, "get_jsapi_ticket", "")["errcode"], 0);
    }
    assert_eq!(get(&mut conn, &a, "get_jsapi_ticket", "")["errcode"], 45009);
    // Per app, and per kind of ticket.
    assert_eq!(get(&mut conn, &b, "get_jsapi_ticket", "")["errcode"], 0);
    assert_eq!(
        get(&mut conn, &a, "ticket/get", "type=agent_config")["errcode"],
        0
    );
    sim.world().clock.advance(Duration::from_secs(3600));
    assert_eq!(get(&mut conn, &a, "get_jsapi_ticket", "")["errcode"], 0);
}
