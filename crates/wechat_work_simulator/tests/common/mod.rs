//! Shared by the simulator's integration tests: a simulator, and a tiny HTTP/1.1 client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{json, Value};

use wechat_work_simulator::{AppConfig, Simulator, SimulatorConfig};

pub fn start() -> Simulator {
    start_with(SimulatorConfig::default())
}

/// A simulator whose default app's secret is `s3cret`.
pub fn start_with(mut config: SimulatorConfig) -> Simulator {
    config.apps[0].secret = "s3cret".into();
    Simulator::start(config).unwrap()
}

/// A simulator with a second app ("other", secret `0ther`, agent 1000003) and a strict
/// directory of lilei, hanmeimei and zhangsan.
pub fn two_apps() -> Simulator {
    let mut config = SimulatorConfig {
        directory: json!({"users": ["lilei", "hanmeimei", "zhangsan"]}),
        ..SimulatorConfig::default()
    };
    config.apps.push(AppConfig {
        name: "other".into(),
        secret: "0ther".into(),
        agent_id: 1000003,
        token_ttl: Duration::from_secs(7200),
        restricted_fields: true,
    });
    start_with(config)
}

/// The access token of [`two_apps`]' second app.
pub fn other_token(conn: &mut Conn, sim: &Simulator) -> String {
    let body = conn.json(
        "GET",
        &format!(
            "/cgi-bin/gettoken?corpid={}&corpsecret=0ther",
            sim.world().corp_id
        ),
        "",
    );
    body["access_token"].as_str().unwrap().to_string()
}

pub fn errcode(answer: &Value) -> i64 {
    answer["errcode"].as_i64().unwrap()
}

/// A tiny keep-alive HTTP/1.1 client on one connection.
pub struct Conn {
    pub reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn open(sim: &Simulator) -> Self {
        let stream = TcpStream::connect(sim.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        Conn {
            reader: BufReader::new(stream),
        }
    }

    /// (status, body) or None when the server closed the connection without answering.
    pub fn request(&mut self, method: &str, target: &str, body: &str) -> Option<(u16, String)> {
        let req = format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.reader.get_mut().write_all(req.as_bytes()).ok()?;
        let mut status_line = String::new();
        if self.reader.read_line(&mut status_line).ok()? == 0 {
            return None;
        }
        let status: u16 = status_line.split_whitespace().nth(1)?.parse().ok()?;
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).ok()?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().ok()?;
                }
            }
        }
        let mut buf = vec![0; length];
        self.reader.read_exact(&mut buf).ok()?;
        Some((status, String::from_utf8(buf).ok()?))
    }

    pub fn json(&mut self, method: &str, target: &str, body: &str) -> Value {
        let (status, text) = self.request(method, target, body).expect("an answer");
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    }
}

pub fn token(conn: &mut Conn, sim: &Simulator) -> String {
    let body = conn.json(
        "GET",
        &format!(
            "/cgi-bin/gettoken?corpid={}&corpsecret=s3cret",
            sim.world().corp_id
        ),
        "",
    );
    body["access_token"].as_str().unwrap().to_string()
}

/// A token for `path` with the default app; then a GET of `path?access_token=..&query`.
pub fn get(conn: &mut Conn, token: &str, path: &str, query: &str) -> Value {
    let sep = if query.is_empty() { "" } else { "&" };
    conn.json(
        "GET",
        &format!("/cgi-bin/{path}?access_token={token}{sep}{query}"),
        "",
    )
}

/// A JSON POST to `/cgi-bin/{path}` with the token.
pub fn post(conn: &mut Conn, token: &str, path: &str, body: &Value) -> Value {
    conn.json(
        "POST",
        &format!("/cgi-bin/{path}?access_token={token}"),
        &body.to_string(),
    )
}
