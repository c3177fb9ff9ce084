//! The suite's HTTP client: every call is kept as an [`Exchange`] so a failing check can show the
//! exact request and response. Status codes are data here, never errors.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::Value;

/// One request and the response it got.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Vec<u8>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Exchange {
    /// The first value of a response header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The media type of the response, without parameters, lower case.
    pub fn media_type(&self) -> String {
        self.header("content-type").unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
    }

    /// The exchange as a reader wants it in a report: request line, headers, bodies (cut short).
    pub fn render(&self) -> String {
        let mut out = format!("> {} {}\n", self.method, self.path);
        for (name, value) in &self.request_headers {
            let shown = if name.eq_ignore_ascii_case("authorization") { "Bearer [redacted]" } else { value };
            let _ = writeln!(out, "> {name}: {shown}");
        }
        if !self.request_body.is_empty() {
            let _ = writeln!(out, ">\n> {}", excerpt(&self.request_body));
        }
        let _ = writeln!(out, "< {}", self.status);
        for (name, value) in &self.headers {
            let _ = writeln!(out, "< {name}: {value}");
        }
        if !self.body.is_empty() {
            let _ = writeln!(out, "<\n< {}", excerpt(&self.body));
        }
        out
    }
}

fn excerpt(bytes: &[u8]) -> String {
    const MAX: usize = 2000;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX)]).replace('\n', "\n  ");
    if bytes.len() > MAX { format!("{text}… ({} bytes in all)", bytes.len()) } else { text }
}

/// A request being built: `client.request("POST", "/v1/x").json(&body).send()`.
#[derive(Debug, Clone)]
pub struct Request<'c> {
    client: &'c Client,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    authenticated: bool,
    /// Whether a 429 is waited out (Retry-After) and the request sent again.
    patient: bool,
}

/// How many times a request waits out a 429 before the 429 is its answer.
const RATE_LIMIT_RETRIES: u32 = 20;

impl Request<'_> {
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn json(self, body: &Value) -> Self {
        self.body(body.to_string().into_bytes()).header("content-type", "application/json")
    }

    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }

    /// Sends no `Authorization` header, whatever the client holds.
    pub fn anonymous(mut self) -> Self {
        self.authenticated = false;
        self
    }

    /// Takes a 429 as the answer instead of waiting it out: for the checks of the limit itself.
    pub fn impatient(mut self) -> Self {
        self.patient = false;
        self
    }

    /// Sends the request; a transport failure (refused, reset, timed out) is an `Err` that says so.
    /// The suite is a heavy client of a rate-limited service, so like a well-behaved one it waits
    /// out a 429 for as long as Retry-After says and sends again, unless told to be impatient.
    pub fn send(self) -> Result<Exchange, String> {
        let mut attempts = 0;
        loop {
            let exchange = self.send_once()?;
            let wait = exchange.header("retry-after").and_then(|s| s.parse::<u64>().ok());
            match wait {
                Some(seconds) if exchange.status == 429 && self.patient && attempts < RATE_LIMIT_RETRIES => {
                    attempts += 1;
                    std::thread::sleep(Duration::from_millis(seconds.clamp(1, 10) * 1000));
                }
                _ => return Ok(exchange),
            }
        }
    }

    fn send_once(&self) -> Result<Exchange, String> {
        let mut headers = self.headers.clone();
        if self.authenticated
            && let Some(token) = &self.client.token
            && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        {
            headers.push(("authorization".into(), format!("Bearer {token}")));
        }
        let url = format!("{}{}", self.client.base, self.path);
        let mut builder = ureq::http::Request::builder().method(self.method.as_str()).uri(&url);
        for (name, value) in &headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let request =
            builder.body(self.body.clone()).map_err(|e| format!("{} {}: cannot build the request: {e}", self.method, self.path))?;
        let response = self.client.agent.run(request).map_err(|e| format!("{} {}: {e}", self.method, self.path))?;
        let status = response.status().as_u16();
        let response_headers =
            response.headers().iter().map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect();
        let body = response
            .into_body()
            .with_config()
            .limit(16 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| format!("{} {}: reading the body: {e}", self.method, self.path))?;
        Ok(Exchange {
            method: self.method.clone(),
            path: self.path.clone(),
            request_headers: headers,
            request_body: self.body.clone(),
            status,
            headers: response_headers,
            body,
        })
    }
}

/// A client of one running service.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
}

impl Client {
    pub fn new(base_url: &str, token: Option<String>) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .user_agent("skaffold-conform")
            .build();
        Self { agent: config.into(), base: base_url.trim_end_matches('/').to_owned(), token }
    }

    pub fn request(&self, method: &str, path: &str) -> Request<'_> {
        Request {
            client: self,
            method: method.to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            authenticated: true,
            patient: true,
        }
    }

    pub fn get(&self, path: &str) -> Request<'_> {
        self.request("GET", path)
    }
}
