//! The simulator end to end: a real server on a loopback socket.

mod common;

use std::io::BufReader;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{start, token, Conn};
use serde_json::{json, Value};
use wechat_work_core::Error;
use wechat_work_simulator::{Fault, Simulator, SimulatorConfig};

#[test]
fn serves_gettoken_and_message_send_over_keep_alive() {
    let sim = start();
    assert!(sim.base_url().starts_with("http://127.0.0.1:"));
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    assert!(t.len() >= 64);
    let body = json!({"touser": "zhangsan", "msgtype": "text", "agentid": 1000002, "text": {"content": "hi"}});
    // many requests on the same connection
    for _ in 0..50 {
        let answer = conn.json(
            "POST",
            &format!("/cgi-bin/message/send?access_token={t}"),
            &body.to_string(),
        );
        assert_eq!(answer["errcode"], 0, "{answer}");
        assert!(answer["msgid"].is_string());
    }
    assert_eq!(sim.world().message_count(), 50);
    let first = &sim.world().messages_from(0)[0];
    assert_eq!(first["text"], body["text"]);
    assert_eq!(first["channel"], "app");
    assert!(first["msgid"].is_string());
    assert_eq!(sim.world().request_count(Some("message/send")), 50);
    assert_eq!(sim.world().request_count(Some("gettoken")), 1);
    let wrong = conn.json("GET", "/cgi-bin/gettoken?corpid=x&corpsecret=y", "");
    assert_eq!(wrong["errcode"], 40013);
    assert!(wrong["errmsg"]
        .as_str()
        .unwrap()
        .contains("from ip: 127.0.0.1, more info at"));
    let (status, text) = conn.request("GET", "/cgi-bin/nope", "").unwrap();
    assert_eq!(status, 404);
    assert!(text.contains("\"errcode\":404"));
    assert!(
        text.contains("not implemented by the WeCom simulator: GET /cgi-bin/nope"),
        "{text}"
    );
    let logged = serde_json::to_string(&sim.world().requests()).unwrap();
    assert!(!logged.contains(&t), "the request log must not hold tokens");
    assert!(!logged.contains("s3cret"));
    sim.stop();
}

#[test]
fn faults_over_the_wire() {
    let sim = start();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let send_path = format!("/cgi-bin/message/send?access_token={t}");
    let body =
        json!({"touser": "a", "msgtype": "text", "agentid": 1000002, "text": {"content": "x"}})
            .to_string();
    let inject = |spec: Value| sim.world().inject(Fault::from_json(&spec).unwrap());

    inject(json!({"kind": "errcode", "errcode": -1, "path": "message/send"}));
    let busy = conn.json("POST", &send_path, &body);
    assert_eq!(busy["errcode"], -1);
    assert!(busy["errmsg"]
        .as_str()
        .unwrap()
        .starts_with("system busy, hint: ["));
    assert_eq!(sim.world().message_count(), 0);

    inject(json!({"kind": "rate_limit", "path": "message/send"}));
    assert_eq!(conn.json("POST", &send_path, &body)["errcode"], 45009);

    inject(json!({"kind": "http_status", "status": 503}));
    let (status, text) = conn.request("POST", &send_path, &body).unwrap();
    assert_eq!((status, text.contains("503")), (503, true));
    assert_eq!(sim.world().message_count(), 0);

    inject(json!({"kind": "deliver_then_fail", "status": 502}));
    let (status, _) = conn.request("POST", &send_path, &body).unwrap();
    assert_eq!(status, 502);
    assert_eq!(sim.world().message_count(), 1);

    // a gettoken fault does not touch message/send
    inject(json!({"kind": "errcode", "errcode": 40001, "path": "gettoken"}));
    assert_eq!(conn.json("POST", &send_path, &body)["errcode"], 0);
    sim.world().clear_faults();

    inject(json!({"kind": "reset"}));
    assert!(conn.request("POST", &send_path, &body).is_none());
    let mut conn = Conn::open(&sim);

    inject(json!({"kind": "latency", "seconds": 0.2}));
    let started = Instant::now();
    assert_eq!(conn.json("POST", &send_path, &body)["errcode"], 0);
    assert!(started.elapsed() >= Duration::from_millis(190));

    inject(json!({"kind": "silent"}));
    let mut silent = Conn::open(&sim);
    silent
        .reader
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    assert!(silent.request("POST", &send_path, &body).is_none());
    sim.stop();
    sim.stop();
    assert!(!sim.is_running());
    assert!(
        TcpStream::connect(sim.addr()).is_err(),
        "port closed after stop"
    );
}

#[test]
fn concurrent_slow_requests_overlap() {
    let sim = start();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    sim.world()
        .inject(Fault::from_json(&json!({"kind": "latency", "seconds": 0.3, "times": 8})).unwrap());
    let started = Instant::now();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let addr = sim.addr();
            let t = t.clone();
            std::thread::spawn(move || {
                let stream = TcpStream::connect(addr).unwrap();
                let mut c = Conn {
                    reader: BufReader::new(stream),
                };
                c.json(
                    "GET",
                    &format!("/cgi-bin/user/get?access_token={t}&userid=zhangsan"),
                    "",
                )
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap()["userid"], "zhangsan");
    }
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn bind_errors_are_configuration_errors() {
    let sim = start();
    let config = SimulatorConfig {
        port: sim.addr().port(),
        ..Default::default()
    };
    match Simulator::start(config) {
        Err(Error::Configuration(msg)) => assert!(msg.contains("cannot listen")),
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn config_from_json() {
    let c = SimulatorConfig::from_json(
        &json!({"port": 0, "corp_id": "wwx", "agent_id": 5, "token_ttl": 10, "users": ["a"]}),
    )
    .unwrap();
    assert_eq!(c.corp_id, "wwx");
    assert_eq!(c.apps[0].agent_id, 5);
    assert_eq!(c.apps[0].token_ttl, Duration::from_secs(10));
    assert!(c.apps[0].secret.len() >= 32);
    assert_eq!(c.directory["users"], json!(["a"]));
    assert!(SimulatorConfig::from_json(&json!({"port": 70000})).is_err());
    assert!(SimulatorConfig::from_json(&json!({"agent_id": "x"})).is_err());
    assert!(SimulatorConfig::from_json(&json!({"secret": ""})).is_err());
    assert!(SimulatorConfig::from_json(&json!([])).is_err());
}

#[test]
fn drop_inside_an_async_context_does_not_panic() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = start();
        sim.stop();
        let other = start();
        drop(other);
    });
}

/// Throughput on keep-alive connections: `cargo test --release -p wechat_work_simulator -- --ignored throughput --nocapture`.
#[test]
#[ignore]
fn throughput() {
    let sim = start();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let per_thread = 5000;
    let threads = 4;
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let addr = sim.addr();
            let path = format!("/cgi-bin/message/send?access_token={t}");
            std::thread::spawn(move || {
                let stream = TcpStream::connect(addr).unwrap();
                let mut c = Conn { reader: BufReader::new(stream) };
                for n in 0..per_thread {
                    let body = json!({"touser": "a", "msgtype": "text", "agentid": 1000002, "text": {"content": format!("{i}-{n}")}});
                    let (status, _) = c.request("POST", &path, &body.to_string()).unwrap();
                    assert_eq!(status, 200);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let total = per_thread * threads;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{total} message/send in {secs:.2}s = {:.0} req/s",
        total as f64 / secs
    );
    assert_eq!(sim.world().message_count(), total);
}

#[test]
fn control_api_beside_cgi_bin() {
    let sim = start();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let body = json!({"touser": "lilei", "msgtype": "text", "agentid": 1000002, "text": {"content": "hi"}});
    conn.json(
        "POST",
        &format!("/cgi-bin/message/send?access_token={t}"),
        &body.to_string(),
    );
    let messages = conn.json("GET", "/_simulator/messages", "");
    assert_eq!(messages[0]["text"]["content"], "hi");
    assert_eq!(
        conn.json("GET", "/_simulator/messages?from=1", ""),
        json!([])
    );
    let count = conn.json("GET", "/_simulator/requests/count?path=message/send", "");
    assert_eq!(count["count"], 1);
    let requests = conn.json("GET", "/_simulator/requests", "");
    assert!(!requests.to_string().contains(&t), "no tokens in the log");
    conn.json(
        "POST",
        "/_simulator/faults",
        &json!({"kind": "errcode", "errcode": -1, "path": "message/send"}).to_string(),
    );
    let busy = conn.json(
        "POST",
        &format!("/cgi-bin/message/send?access_token={t}"),
        &body.to_string(),
    );
    assert_eq!(busy["errcode"], -1);
    let (status, text) = conn
        .request("POST", "/_simulator/faults", "{\"kind\": \"nope\"}")
        .unwrap();
    assert_eq!(status, 400);
    assert!(text.contains("unknown fault"), "{text}");
    conn.json(
        "POST",
        "/_simulator/faults",
        &json!({"kind": "errcode", "times": null}).to_string(),
    );
    conn.json("POST", "/_simulator/clear", "");
    assert_eq!(sim.world().message_count(), 0);
    assert_eq!(sim.world().request_count(None), 0);
    // clear also forgot the fault queued "until cleared"
    assert_eq!(
        conn.json(
            "POST",
            &format!("/cgi-bin/message/send?access_token={t}"),
            &body.to_string()
        )["errcode"],
        0
    );
    conn.json("POST", "/_simulator/tokens/revoke", "");
    assert_eq!(
        conn.json(
            "POST",
            &format!("/cgi-bin/message/send?access_token={t}"),
            &body.to_string()
        )["errcode"],
        40014
    );
    let index = conn.json("GET", "/_simulator", "");
    assert_eq!(index["apps"][0]["agent_id"], 1000002);
    let (status, _) = conn.request("GET", "/_simulator/nope", "").unwrap();
    assert_eq!(status, 404);
}

#[test]
fn several_apps_each_with_its_own_token() {
    let config = SimulatorConfig::from_json(&json!({"secret": "s3cret", "apps": [{"name": "approvals", "secret": "other", "agent_id": 1000003}]})).unwrap();
    let sim = Simulator::start(config).unwrap();
    let mut conn = Conn::open(&sim);
    let corp = sim.world().corp_id.clone();
    let a = conn.json(
        "GET",
        &format!("/cgi-bin/gettoken?corpid={corp}&corpsecret=s3cret"),
        "",
    )["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let b = conn.json(
        "GET",
        &format!("/cgi-bin/gettoken?corpid={corp}&corpsecret=other"),
        "",
    )["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(a, b);
    let body = |agent: i64| {
        json!({"touser": "lilei", "msgtype": "text", "agentid": agent, "text": {"content": "x"}})
            .to_string()
    };
    assert_eq!(
        conn.json(
            "POST",
            &format!("/cgi-bin/message/send?access_token={a}"),
            &body(1000002)
        )["errcode"],
        0
    );
    assert_eq!(
        conn.json(
            "POST",
            &format!("/cgi-bin/message/send?access_token={b}"),
            &body(1000003)
        )["errcode"],
        0
    );
    assert_eq!(
        conn.json(
            "POST",
            &format!("/cgi-bin/message/send?access_token={b}"),
            &body(1000002)
        )["errcode"],
        301002
    );
    assert!(SimulatorConfig::from_json(&json!({"secret": "x", "apps": [{"secret": "x"}]})).is_ok());
    assert!(Simulator::start(
        SimulatorConfig::from_json(&json!({"secret": "x", "apps": [{"secret": "x"}]})).unwrap()
    )
    .is_err());
}
