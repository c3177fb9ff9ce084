//! The suite's own event receiver: a small HTTP server on a loopback address that the service
//! delivers its outbox events to (`EVENTS_WEBHOOK_URL`). It records every delivery and answers 500
//! to the first delivery of each event id, so every event shows the service retrying.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// One delivery as it arrived.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The status the receiver answered.
    pub answered: u16,
}

impl Delivery {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

#[derive(Debug, Default)]
struct State {
    deliveries: Vec<Delivery>,
    /// Event ids whose first delivery was answered 500 already.
    failed: HashSet<String>,
}

/// A running receiver. Its thread serves until the process ends.
#[derive(Debug, Clone)]
pub struct Receiver {
    state: Arc<(Mutex<State>, Condvar)>,
    pub addr: SocketAddr,
}

impl Receiver {
    /// Listens on `addr`, which must be a loopback address.
    pub fn start(addr: SocketAddr) -> Result<Self, String> {
        let state: Arc<(Mutex<State>, Condvar)> = Arc::default();
        let shared = Arc::clone(&state);
        let addr = serve_loopback(addr, "the event receiver", move |stream| serve(stream, &shared))?;
        Ok(Self { state, addr })
    }

    /// Waits up to `timeout` for deliveries that `done` accepts, and returns all deliveries so far.
    pub fn wait(&self, timeout: Duration, done: impl Fn(&[Delivery]) -> bool) -> (bool, Vec<Delivery>) {
        let (lock, arrived) = &*self.state;
        let deadline = Instant::now() + timeout;
        let mut state = lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            if done(&state.deliveries) {
                return (true, state.deliveries.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return (false, state.deliveries.clone());
            }
            state = arrived.wait_timeout(state, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        let (lock, _) = &*self.state;
        lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner).deliveries.clone()
    }
}

fn serve(stream: TcpStream, state: &(Mutex<State>, Condvar)) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(mut writer) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    loop {
        let Some(Request { headers, body, .. }) = read_request(&mut reader) else { return };
        let id =
            serde_json::from_slice::<serde_json::Value>(&body).ok().and_then(|v| v["id"].as_str().map(str::to_owned)).unwrap_or_default();
        let (lock, arrived) = state;
        let answered = {
            let mut s = lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let fail = !id.is_empty() && s.failed.insert(id.clone());
            let answered = if fail { 500 } else { 200 };
            s.deliveries.push(Delivery { headers, body, answered });
            answered
        };
        arrived.notify_all();
        let reason = if answered == 200 { "OK" } else { "Internal Server Error" };
        if writer.write_all(format!("HTTP/1.1 {answered} {reason}\r\ncontent-length: 0\r\n\r\n").as_bytes()).is_err() {
            return;
        }
    }
}

/// Listens on `addr` (loopback only: `what` names the server in the error) and runs `handle` on a
/// thread per connection until the process ends; returns the address bound.
pub fn serve_loopback(addr: SocketAddr, what: &str, handle: impl Fn(TcpStream) + Send + Sync + 'static) -> Result<SocketAddr, String> {
    if !addr.ip().is_loopback() {
        return Err(format!("{what} listens on loopback only, not {addr}"));
    }
    let listener = TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let handle = Arc::new(handle);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handle = Arc::clone(&handle);
            std::thread::spawn(move || handle(stream));
        }
    });
    Ok(addr)
}

/// An HTTP/1.1 request as a small server reads it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Reads one request (a `content-length` body, no chunked encoding); `None` when the connection ends.
pub fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        if h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((n, v)) = h.trim_end().split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let map: HashMap<&str, &str> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let length: usize = map.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length.min(16 * 1024 * 1024)];
    reader.read_exact(&mut body).ok()?;
    Some(Request { method, path, headers, body })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conform::http::Client;

    #[test]
    fn the_first_delivery_of_each_event_is_refused_and_the_retry_recorded() {
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).unwrap();
        let client = Client::new(&format!("http://{}", receiver.addr), None);
        let event = serde_json::json!({ "id": "evt_1", "type": "note.created" });
        let first = client.request("POST", "/events").json(&event).send().unwrap();
        let second = client.request("POST", "/events").json(&event).send().unwrap();
        assert_eq!((first.status, second.status), (500, 200));
        let (done, deliveries) = receiver.wait(Duration::from_secs(5), |d| d.iter().any(|d| d.answered == 200));
        assert!(done);
        assert_eq!(deliveries.len(), 2);
        assert_eq!(deliveries[1].json()["type"], "note.created");
        assert_eq!(deliveries[1].header("content-type"), Some("application/json"));
        assert!(Receiver::start("192.0.2.1:0".parse().unwrap()).is_err(), "only loopback addresses");
    }
}
