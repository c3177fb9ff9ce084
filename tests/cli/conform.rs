//! `skaffold conform` against a deliberately imperfect service: a few canned answers on a
//! loopback socket. The suite must pass what is right and report what is wrong, with the exchange.

use std::io::{BufReader, Write};
use std::net::TcpListener;

use skaffold::conform::receiver::read_request;

use crate::harness::{Test, root};

/// Serves `answer(path, headers)` to every request, on 127.0.0.1, from a thread that ends with the
/// test process. Returns the base URL.
fn serve(answer: fn(&str, &[(String, String)]) -> String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let Some(request) = read_request(&mut reader) else { continue };
            let _ = stream.write_all(answer(&request.path, &request.headers).as_bytes());
        }
    });
    url
}

fn response(status: &str, content_type: &str, extra: &str, body: &str) -> String {
    format!("HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n{body}", body.len())
}

fn half_right(path: &str, headers: &[(String, String)]) -> String {
    let request_id = headers.iter().find(|(n, _)| n == "x-request-id").map_or("generated-1", |(_, v)| v.as_str());
    if path == "/health/live" {
        return response(
            "200 OK",
            "application/json",
            &format!("x-content-type-options: nosniff\r\nx-request-id: {request_id}\r\n"),
            r#"{"status":"ok"}"#,
        );
    }
    // The planted violation: an error served as plain JSON instead of a problem.
    response("404 Not Found", "application/json", &format!("x-request-id: {request_id}\r\n"), r#"{"error":"not found"}"#)
}

#[test]
fn conform_passes_what_is_right_and_reports_what_is_wrong() {
    let url = serve(half_right);
    let manifest = root().join("examples/notes.yaml");
    let run = Test::new()
        .args(["conform", "--url", &url, "--manifest"])
        .arg(&manifest)
        .args(["--only", "health.live", "--only", "headers.request-id-kept", "--only", "errors.unknown-route"])
        .status(1)
        .run();
    let line = |id: &str| run.stdout.lines().find(|l| l.contains(id)).unwrap_or_default().to_owned();
    assert!(line("health.live").starts_with("pass"), "{}", run.stdout);
    assert!(line("headers.request-id-kept").starts_with("pass"), "{}", run.stdout);
    assert!(line("errors.unknown-route").starts_with("FAIL"), "{}", run.stdout);
    assert!(run.stdout.contains("an error answered \"application/json\", not application/problem+json"), "{}", run.stdout);
    assert!(run.stdout.contains("> GET /v1/conform-no-such-route"), "the failing request is shown:\n{}", run.stdout);
    assert!(run.stdout.trim_end().ends_with("conform: 2 passed, 1 failed, 0 not applicable"), "{}", run.stdout);
}

#[test]
fn conform_reports_as_junit_and_json() {
    let url = serve(half_right);
    let manifest = root().join("examples/notes.yaml");
    let run =
        Test::new().args(["conform", "--url", &url, "--format", "junit", "--only", "health.", "--manifest"]).arg(&manifest).status(1).run();
    assert!(run.stdout.starts_with("<?xml"), "{}", run.stdout);
    assert!(run.stdout.contains("<testcase classname=\"health\" name=\"health.live\""), "{}", run.stdout);
    assert!(run.stdout.contains("<failure message="), "{}", run.stdout);
    let run = Test::new().args(["conform", "--url", &url, "--format", "json", "--only", "health.live", "--manifest"]).arg(&manifest).run();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["results"][0]["id"], "health.live");
    assert_eq!(report["results"][0]["status"], "pass");
}

#[test]
fn conform_needs_the_jwt_secret_when_the_manifest_uses_jwt() {
    let manifest = root().join("examples/payments.yaml");
    let run = Test::new().args(["conform", "--url", "http://127.0.0.1:9", "--manifest"]).arg(&manifest).status(2).run();
    assert!(run.stderr.contains("--jwt-secret"), "{}", run.stderr);
}

#[test]
fn token_mints_what_the_manifest_expects() {
    let manifest = root().join("examples/payments.yaml");
    let run = Test::new().arg("token").arg(&manifest).args(["--secret", "dev-secret", "--scope", "payments:read"]).run();
    let token = run.stdout.trim();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    use base64::Engine as _;
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["iss"], "https://auth.example.com/");
    assert_eq!(claims["aud"], "payments-api");
    assert_eq!(claims["scope"], "payments:read");
    let signature = skaffold::conform::jwt::hmac_sha256(b"dev-secret", format!("{}.{}", parts[0], parts[1]).as_bytes());
    assert_eq!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature), parts[2]);
    let run = Test::new().arg("token").arg(root().join("examples/notes.yaml")).args(["--secret", "s"]).status(2).run();
    assert!(run.stderr.contains("auth: none"), "{}", run.stderr);
}

#[test]
fn the_checks_a_manifest_gets_are_listed() {
    let _guard = crate::harness::snapshot_guard();
    let run = Test::new().args(["conform", "--list", "--manifest"]).arg(root().join("examples/payments.yaml")).run();
    insta::assert_snapshot!(run.stdout);
}
