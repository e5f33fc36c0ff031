//! HTTP/1.1 plumbing: a hyper server with keep-alive, on the simulator's own runtime. Faults are
//! applied here; `/_simulator/*` goes to [`control`], the sign-in pages to [`pages`], everything
//! else to [`router::route`].

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::control;
use crate::control_guard::ControlGuard;
use crate::faults::FaultKind;
use crate::pages;
use crate::router::{self, Answer};
use crate::wire;
use crate::world::World;

/// Request bodies above this are refused by closing the connection: the largest upload
/// WeCom takes (20 MB files) plus multipart framing.
pub const MAX_BODY: usize = 21 * 1024 * 1024;

/// Returned by the service to make hyper drop the connection without an answer.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for DropConnection {}

pub async fn serve(
    listener: TcpListener,
    state: Arc<World>,
    guard: Arc<ControlGuard>,
    shutdown: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                tokio::spawn(connection(
                    stream,
                    peer,
                    state.clone(),
                    guard.clone(),
                    shutdown.clone(),
                ));
            }
            // Out of file descriptors and the like: back off a little instead of spinning.
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    state: Arc<World>,
    guard: Arc<ControlGuard>,
    shutdown: CancellationToken,
) {
    let _ = stream.set_nodelay(true);
    let ip = peer.ip();
    let stop = shutdown.clone();
    let service =
        service_fn(move |req| answer(req, ip, state.clone(), guard.clone(), stop.clone()));
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        _ = shutdown.cancelled() => {}
    }
}

fn respond(answer: Answer) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    if let Ok(v) = HeaderValue::from_str(&answer.content_type) {
        response.headers_mut().insert(CONTENT_TYPE, v);
    }
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

fn html_response(status: u16) -> Response<Full<Bytes>> {
    respond(Answer::html(status, wire::html_status_page(status)))
}

async fn answer(
    req: Request<Incoming>,
    ip: IpAddr,
    state: Arc<World>,
    guard: Arc<ControlGuard>,
    shutdown: CancellationToken,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let method = req.method().as_str().to_string();
    // Judged before the body is read: the control API's guard needs only the headers.
    let control_refusal = if req.uri().path().starts_with("/_simulator") {
        guard.check(&method, req.headers()).err()
    } else {
        None
    };
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    // Read the whole body first so the connection stays usable for the next request.
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            state.record(&method, &path, None, None);
            return Err(DropConnection);
        }
    };
    if let Some(rest) = path.strip_prefix("/_simulator") {
        if let Some(refusal) = control_refusal {
            return Ok(respond(refusal));
        }
        return Ok(respond(control::handle(
            &state, &method, rest, &query, &body,
        )));
    }
    // WeCom's sign-in pages (its other hosts), before faults: those are for the APIs.
    if let Some(page) = pages::handle(&state, &method, &path, &query) {
        state.record(&method, &path, None, Some(page.status));
        return Ok(respond(page));
    }
    let fault = state.take_fault(&path);
    let process = || router::route(&state, &method, &path, &query, &content_type, &body, ip);
    match fault {
        None => {
            let answer = process();
            state.record(&method, &path, answer.errcode, Some(answer.status));
            Ok(respond(answer))
        }
        Some(FaultKind::Latency(delay)) => {
            tokio::time::sleep(delay).await;
            let answer = process();
            state.record(&method, &path, answer.errcode, Some(answer.status));
            Ok(respond(answer))
        }
        Some(FaultKind::Errcode(code)) => {
            let body = wire::ApiFailure::new(code).to_body(ip);
            state.record(&method, &path, Some(code), Some(200));
            Ok(respond(Answer::json(200, &body)))
        }
        Some(FaultKind::RateLimit) => {
            let body = wire::ApiFailure::new(45009).to_body(ip);
            state.record(&method, &path, Some(45009), Some(200));
            Ok(respond(Answer::json(200, &body)))
        }
        Some(FaultKind::HttpStatus(status)) => {
            state.record(&method, &path, None, Some(status));
            Ok(html_response(status))
        }
        Some(FaultKind::DeliverThenFail(status)) => {
            let answer = process();
            state.record(&method, &path, answer.errcode, Some(status));
            Ok(html_response(status))
        }
        Some(FaultKind::Silent) => {
            state.record(&method, &path, None, None);
            shutdown.cancelled().await;
            Err(DropConnection)
        }
        Some(FaultKind::Reset) => {
            state.record(&method, &path, None, None);
            Err(DropConnection)
        }
    }
}
