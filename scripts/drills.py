"""Failure drills for a running rendered service (section 9 of the service contract), used by
scripts/e2e after `skaffold conform` has passed over the service:

- schema: the service's database after its own migrations has exactly the schema the rendered SQL
  gives when applied directly (pg_dump --schema-only, tool bookkeeping tables left out);
- statement-timeout: a query blocked past the statement timeout answers 503 `timeout`;
- database-down: with PostgreSQL stopped, live stays 200, ready turns 503 and /v1 answers 503
  within the acquire timeout; once it is back, the service recovers without a restart;
- replicas: a second replica on the same database; 20 concurrent creates with one
  Idempotency-Key spread over both make exactly one row, whose event the two replicas' workers
  deliver exactly once;
- trace-log / otlp: a request sent with a traceparent logs its trace id as `trace_id`, and the
  service exports spans of that trace to its OTLP endpoint (a stand-in collector here);
- redis-down: with Redis stopped, requests still answer (the in-process limiter takes over),
  readiness reports `checks.cache: "error"` (503 only with `cache: required`); once Redis is
  back, the cache check returns to "ok" without a restart;
- sigterm: a request in flight when SIGTERM arrives completes, and the process exits 0.

Waiting is on observable state (pg_locks, pg_stat_activity, HTTP answers) with deadlines, never on
a fixed sleep.
"""

import base64
import hashlib
import hmac
import json
import secrets
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

class Skip:
    """A drill that does not apply to this service, and why; reported as n/a, never as a pass."""

    def __init__(self, reason):
        self.reason = reason


# The drills run the service with these, so the timings they check are known.
STATEMENT_TIMEOUT_MS = 1500
ACQUIRE_TIMEOUT_MS = 1000
ENV = {"DATABASE_STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS), "DATABASE_POOL_ACQUIRE_TIMEOUT_MS": str(ACQUIRE_TIMEOUT_MS)}
# Tables a stack's migration tool keeps for itself; the shared schema leaves them out.
TOOL_TABLES = ["_sqlx_migrations", "alembic_version", "goose_db_version", "pgmigrations"]


def token(secret, issuer, audience, scopes):
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"iss": issuer, "aud": audience, "sub": "e2e-drills", "scope": " ".join(scopes), "iat": now, "nbf": now, "exp": now + 3600}).encode())
    signature = b64(hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest())
    return f"{header}.{claims}.{signature}"


def request(url, headers=None, timeout=30):
    """(status, parsed JSON or None); a refused connection is status 0."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    except OSError:
        return 0, None
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def readiness(base_url):
    """(status of /health/ready, its `checks.cache`)."""
    status, body = request(f"{base_url}/health/ready", timeout=5)
    return status, ((body or {}).get("checks") or {}).get("cache")


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return None
        time.sleep(0.05)  # polling observable state, bounded by the deadline
    return f"{what} did not happen within {timeout} s"


def psql_value(db_url, sql):
    out = subprocess.run(["psql", "-X", "-At", db_url, "-c", sql], capture_output=True, text=True)
    return out.stdout.strip()


def schema(pg, service_db_url, migrations, name):
    """Compares the service's schema with the rendered SQL applied directly."""
    reference = pg.create_database(f"ref_{name}")
    for migration in migrations:
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", reference, "-f", str(migration)], check=True, stdout=subprocess.DEVNULL)

    def dump(url):
        argv = ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", url]
        for table in TOOL_TABLES:
            argv += ["--exclude-table", table]
        text = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        # pg_dump 15.x writes a random \restrict key per dump; it is not schema.
        return [line for line in text.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))]

    ours, theirs = dump(service_db_url), dump(reference)
    if ours == theirs:
        return None
    diff = [line for line in ours if line not in theirs][:5] + ["---"] + [line for line in theirs if line not in ours][:5]
    return "the service's schema differs from the rendered migrations: " + " | ".join(diff)


def statement_timeout(base_url, db_url, table, path, headers):
    """Holds a lock on the table past the statement timeout and expects 503 `timeout`."""
    hold_s = STATEMENT_TIMEOUT_MS / 1000 * 3
    locker = subprocess.Popen(["psql", "-X", "-q", db_url, "-c", f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({hold_s}); COMMIT;"], stdout=subprocess.DEVNULL)
    try:
        problem = wait_until(
            lambda: psql_value(db_url, f"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '{table}' AND l.mode = 'AccessExclusiveLock' AND l.granted") == "1",
            10,
            "taking the table lock",
        )
        if problem:
            return problem
        started = time.monotonic()
        status, body = request(f"{base_url}{path}", headers)
        elapsed = time.monotonic() - started
        if status != 503 or not (body or {}).get("type", "").endswith("timeout"):
            return f"a query blocked past the statement timeout answered {status} {body}, not 503 timeout"
        if elapsed > STATEMENT_TIMEOUT_MS / 1000 + 2:
            return f"the timeout took {elapsed:.1f} s for a {STATEMENT_TIMEOUT_MS} ms statement timeout"
        return None
    finally:
        locker.terminate()
        locker.wait()


def database_down(pg, base_url, path, headers):
    """Stops PostgreSQL under the running service, checks it degrades, restarts it, checks recovery."""
    pg.stop_server()
    try:
        status, _ = request(f"{base_url}/health/live")
        if status != 200:
            return f"with the database down, live answered {status}"
        status, body = request(f"{base_url}/health/ready")
        if status != 503 or (body or {}).get("checks", {}).get("database") != "error":
            return f"with the database down, ready answered {status} {body}"
        started = time.monotonic()
        status, body = request(f"{base_url}{path}", headers)
        elapsed = time.monotonic() - started
        if status != 503:
            return f"with the database down, {path} answered {status} {body}"
        if elapsed > ACQUIRE_TIMEOUT_MS / 1000 + 2:
            return f"with the database down, {path} took {elapsed:.1f} s (acquire timeout {ACQUIRE_TIMEOUT_MS} ms)"
    finally:
        pg.start_server()
    problem = wait_until(lambda: request(f"{base_url}/health/ready")[0] == 200, 30, "ready answering 200 after the database came back")
    if problem:
        return problem
    status, _ = request(f"{base_url}{path}", headers)
    return None if status == 200 else f"after the database came back, {path} answered {status}"


def sigterm(process, base_url, db_url, table, path, headers):
    """SIGTERM while a request waits on a lock: the request completes and the process exits 0."""
    hold_s = STATEMENT_TIMEOUT_MS / 1000 / 2
    locker = subprocess.Popen(["psql", "-X", "-q", db_url, "-c", f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({hold_s}); COMMIT;"], stdout=subprocess.DEVNULL)
    result = {}
    try:
        problem = wait_until(
            lambda: psql_value(db_url, f"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '{table}' AND l.granted") != "0",
            10,
            "taking the table lock",
        )
        if problem:
            return problem
        worker = threading.Thread(target=lambda: result.update(answer=request(f"{base_url}{path}", headers)))
        worker.start()
        problem = wait_until(lambda: psql_value(db_url, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") != "0", 10, "the request reaching the database")
        if problem:
            return problem
        process.send_signal(signal.SIGTERM)
        worker.join(timeout=30)
        status = result.get("answer", (0, None))[0]
        if status != 200:
            return f"the request in flight at SIGTERM answered {status}, not 200"
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            return "the service did not exit within 20 s of SIGTERM"
        return None if code == 0 else f"the service exited {code} after SIGTERM"
    finally:
        locker.terminate()
        locker.wait()


def post(url, body, headers):
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={"content-type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None
    except OSError:
        return 0, None


def replicas(urls, path, body, headers, db_url, events_port):
    """Two replicas on one database: 20 concurrent creates with one Idempotency-Key, spread over
    both, must make exactly one row (every 201 names it; the rest may be 409 in-use), and the
    workers of both must deliver its event exactly once."""
    key = f"e2e-replicas-{time.time_ns()}"
    answers = []
    lock = threading.Lock()

    def send(url):
        status, created = post(f"{url}{path}", body, {**headers, "Idempotency-Key": key})
        with lock:
            answers.append((status, (created or {}).get("id") if isinstance(created, dict) else None))

    receiver = Receiver(events_port)
    try:
        threads = [threading.Thread(target=send, args=(urls[i % len(urls)],)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        statuses = sorted({s for s, _ in answers})
        ids = {i for s, i in answers if s == 201}
        if any(s not in (201, 409) for s, _ in answers):
            return f"concurrent creates over two replicas answered {statuses}"
        if len(ids) != 1:
            return f"20 creates with one key over two replicas made {len(ids)} rows"
        (row,) = ids
        jobs = f"SELECT count(*) FILTER (WHERE j.status = 'done'), count(*) FROM jobs j JOIN events e ON j.payload->>'event_id' = e.id::text WHERE j.kind = 'deliver_event' AND e.resource_id = '{row}'"
        problem = wait_until(lambda: (lambda done_all: done_all[0] == done_all[1] != "0")(psql_value(db_url, jobs).split("|")), 30, "the event's delivery job finishing")
        if problem:
            return problem
        done, total = psql_value(db_url, jobs).split("|")
        deliveries = receiver.deliveries_about(row)
        if total != "1" or deliveries != 1:
            return f"the created row's event had {total} delivery jobs and reached the receiver {deliveries} times over two replicas"
        return None
    finally:
        receiver.stop()


class PostServer:
    """A threaded HTTP server on 127.0.0.1:<port> that hands each POST's path and body to
    `on_post`, and answers the status it returns with an empty body."""

    def __init__(self, port, on_post):
        import http.server

        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.send_response(on_post(self.path, read_body(self)))
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Receiver(PostServer):
    """Accepts event deliveries with 200 and counts them by the row they carry."""

    def __init__(self, port):
        self.counts = {}
        super().__init__(port, self.count)

    def count(self, path, body):
        try:
            row = json.loads(body).get("data", {}).get("id")
        except ValueError:
            row = None
        with self.lock:
            self.counts[row] = self.counts.get(row, 0) + 1
        return 200

    def deliveries_about(self, row):
        with self.lock:
            return self.counts.get(row, 0)


def traceparent():
    """A fresh W3C traceparent and its trace id."""
    trace = secrets.token_hex(16)
    return f"00-{trace}-{secrets.token_hex(8)}-01", trace


def trace_log(base_url, path, headers, log_file):
    """A request with a traceparent logs one line with its trace id as `trace_id`."""
    value, trace = traceparent()
    status, _ = request(f"{base_url}{path}", {**headers, "traceparent": value})
    if status != 200:
        return f"the request answered {status}"

    def logged():
        for line in log_file.read_text(errors="replace").splitlines():
            if trace in line:
                try:
                    return json.loads(line[line.index("{"):]).get("trace_id") == trace
                except ValueError:
                    continue
        return False

    return wait_until(logged, 10, f"a JSON log line with trace_id {trace}")


def otlp(base_url, path, headers, collector):
    """A request with a traceparent has its spans exported to the OTLP endpoint, in that trace."""
    value, trace = traceparent()
    status, _ = request(f"{base_url}{path}", {**headers, "traceparent": value})
    if status != 200:
        return f"the request answered {status}"
    # OTLP/HTTP protobuf carries the trace id as 16 raw bytes, OTLP/JSON as hex text.
    needles = [bytes.fromhex(trace), trace.encode()]
    return wait_until(lambda: collector.received(needles), 20, f"a /v1/traces export holding trace {trace}")


def read_body(handler):
    """A request body by Content-Length or, as OpenTelemetry's JS exporter sends it, chunked."""
    if handler.headers.get("transfer-encoding", "").lower() != "chunked":
        return handler.rfile.read(int(handler.headers.get("content-length", 0)))
    body = b""
    while size := int(handler.rfile.readline().split(b";")[0], 16):
        body += handler.rfile.read(size)
        handler.rfile.readline()  # the CRLF after each chunk
    while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
        pass  # trailers, up to the blank line that ends the body
    return body


class Collector(PostServer):
    """A stand-in OTLP/HTTP collector: keeps every body POSTed to /v1/traces."""

    def __init__(self, port):
        self.bodies = []
        super().__init__(port, self.keep)

    def keep(self, path, body):
        if path != "/v1/traces":
            return 404
        with self.lock:
            self.bodies.append(body)
        return 200

    def received(self, needles):
        with self.lock:
            return any(n in body for body in self.bodies for n in needles)


def redis_down(redis, base_url, path, headers, cache_required):
    """Stops Redis under the running service and checks it degrades as section 7 says, then
    restarts it and checks the cache check recovers."""
    expected = 503 if cache_required else 200

    def ready_is(status_wanted, cache):
        return readiness(base_url) == (status_wanted, cache)

    redis.stop()
    try:
        problem = wait_until(lambda: ready_is(expected, "error"), 10, f"/health/ready answering {expected} with checks.cache \"error\"")
        if problem:
            return problem
        started = time.monotonic()
        status, _ = request(f"{base_url}{path}", headers)
        if status != 200:
            return f"with Redis down, {path} answered {status}, not 200"
        if time.monotonic() - started > 3:
            return f"with Redis down, {path} took {time.monotonic() - started:.1f} s"
    finally:
        redis.start()
    return wait_until(lambda: ready_is(200, "ok"), 15, "/health/ready answering 200 with checks.cache \"ok\" after Redis came back")
