"""Malformed HTTP requests, at volume, against a running LabGate (scripts/fuzz-http.sh).

Each request is one of: an LTI launch after a real login initiation whose id_token is broken
(bad base64, truncated, huge, unsigned, signed by the registered platform's key but with
claims of the wrong types or missing); a form with invalid UTF-8, repeated or missing fields;
an oversized body or header; a wrong content type; a random path and method; the admin API
with random JSON. It counts the answers by status, the connections the server cut, and
whether the server lived, and prints one line. Standard library only, but for RSA signing
(the `cryptography` package).
"""

import argparse
import base64
import http.client
import http.server
import json
import os
import random
import re
import socket
import sys
import threading
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Platform:
    """The platform the fuzzer plays: its key, and its key set served on loopback."""

    def __init__(self, port: int):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.key.public_key().public_numbers()
        self.kid = "fuzz-key"
        self.jwks = json.dumps({"keys": [{
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
            "n": b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
            "e": b64(numbers.e.to_bytes(3, "big")),
        }]}).encode()
        jwks = self.jwks

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(jwks)))
                self.end_headers()
                self.wfile.write(jwks)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sign(self, header: dict, claims, raw_payload: bytes = None) -> str:
        head = b64(json.dumps(header).encode())
        body = b64(raw_payload if raw_payload is not None else json.dumps(claims).encode())
        signature = self.key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{head}.{body}.{b64(signature)}"


class Fuzzer:
    def __init__(self, args, rng: random.Random):
        self.args = args
        self.rng = rng
        parsed = urllib.parse.urlsplit(args.url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.connection = None
        self.cookies = {}

    # --- transport ---------------------------------------------------------------------

    def send(self, method: str, path: str, headers=None, body: bytes = b"", raw: bytes = None):
        """Sends one request; returns (status, headers) or (None, reason) when the connection was cut."""
        for attempt in range(2):
            try:
                if self.connection is None:
                    self.connection = socket.create_connection((self.host, self.port), timeout=30)
                if raw is None:
                    lines = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}"]
                    all_headers = dict(headers or {})
                    if self.cookies:
                        all_headers.setdefault("cookie", "; ".join(f"{k}={v}" for k, (v, _) in self.cookies.items()))
                    for name, value in all_headers.items():
                        lines.append(f"{name}: {value}")
                    if body or method in ("POST", "PUT", "PATCH"):
                        lines.append(f"content-length: {len(body)}")
                    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body
                else:
                    request = raw
                self.connection.sendall(request)
                if raw is not None:
                    # The promised rest never comes: the server sees the end of the stream.
                    self.connection.shutdown(socket.SHUT_WR)
                response = http.client.HTTPResponse(self.connection, method=method)
                response.begin()
                # NIO answers a CONNECT with headers only and then reads the connection as a
                # tunnel: take the status and go, as a proxy would.
                if method != "CONNECT":
                    response.read()
                for cookie in response.headers.get_all("set-cookie") or []:
                    self.keep_cookie(cookie)
                if response.will_close or method == "CONNECT":
                    self.close()
                return response.status, response.headers
            except (ConnectionError, socket.timeout, http.client.HTTPException, OSError) as error:
                self.close()
                if attempt == 1 or raw is not None:
                    return None, type(error).__name__
        return None, "unreachable"

    def keep_cookie(self, header: str):
        """As a browser keeps cookies (RFC 6265): Max-Age ends them, and the jar is bounded.
        Keeping every one-use state cookie instead would grow each request's Cookie header
        without end, and with it the server's memory per request in flight."""
        now = time.time()
        self.cookies = {name: kept for name, kept in self.cookies.items() if kept[1] > now}
        pair, *attributes = header.split(";")
        name, _, value = pair.partition("=")
        lifetime = 3600.0
        for attribute in attributes:
            key, _, number = attribute.strip().partition("=")
            if key.lower() == "max-age" and number.lstrip("-").isdigit():
                lifetime = float(number)
        self.cookies.pop(name.strip(), None)
        if lifetime > 0:
            self.cookies[name.strip()] = (value, now + lifetime)
        while len(self.cookies) > 50:
            self.cookies.pop(next(iter(self.cookies)))

    def close(self):
        if self.connection is not None:
            try:
                self.connection.close()
            except OSError:
                pass
        self.connection = None

    # --- values ------------------------------------------------------------------------

    def junk_text(self, n=None) -> str:
        n = n if n is not None else self.rng.randint(0, 40)
        alphabet = "abcxyz019/._-%&=?#\\\"'<>{}[] \t\u00e9\u4e2d\U0001f600"
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def junk_value(self, depth=0):
        kinds = ["int", "float", "str", "bool", "null", "list", "dict", "huge", "neg"]
        if depth > 3:
            kinds = kinds[:5]
        kind = self.rng.choice(kinds)
        if kind == "int":
            return self.rng.randint(-10, 10**6)
        if kind == "float":
            return self.rng.choice([0.5, -1e308, 1e308, 3.14])
        if kind == "str":
            return self.junk_text()
        if kind == "bool":
            return self.rng.random() < 0.5
        if kind == "null":
            return None
        if kind == "list":
            return [self.junk_value(depth + 1) for _ in range(self.rng.randint(0, 4))]
        if kind == "dict":
            return {self.junk_text(6): self.junk_value(depth + 1) for _ in range(self.rng.randint(0, 4))}
        if kind == "huge":
            return 10**30
        return -(2**63)

    def invalid_utf8_form(self) -> bytes:
        fields = []
        for _ in range(self.rng.randint(0, 6)):
            name = self.rng.choice(["id_token", "state", "csrf", "cores", "memory", "environment", "iss", "login_hint", "x"])
            value = bytes(self.rng.randint(0, 255) for _ in range(self.rng.randint(0, 30)))
            encoded = value if self.rng.random() < 0.5 else urllib.parse.quote_from_bytes(value).encode()
            fields.append(name.encode() + b"=" + encoded)
            if self.rng.random() < 0.3:
                fields.append(fields[-1])  # repeated
        return b"&".join(fields)

    # --- cases -------------------------------------------------------------------------

    def login(self):
        """A real login initiation: the state and nonce LabGate hands the platform."""
        query = urllib.parse.urlencode({
            "iss": self.args.issuer, "login_hint": f"fuzz-{self.rng.randint(1, 50)}",
            "target_link_uri": self.args.url + "/lti/launch", "client_id": self.args.client_id,
            "lti_message_hint": "fuzz", "lti_deployment_id": self.args.deployment,
        })
        status, headers = self.send("GET", "/lti/login?" + query)
        if status != 302 or headers is None or isinstance(headers, str):
            return status, None, None
        location = urllib.parse.urlsplit(headers.get("location", ""))
        params = dict(urllib.parse.parse_qsl(location.query))
        return status, params.get("state"), params.get("nonce")

    def claims(self, nonce):
        now = int(time.time())
        claims = {
            "iss": self.args.issuer, "aud": self.args.client_id, "sub": f"fuzz-{self.rng.randint(1, 50)}",
            "exp": now + 300, "iat": now, "nonce": nonce,
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": self.args.deployment,
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": self.args.url + "/lti/launch",
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "fuzz-link", "title": "Fuzz"},
            "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "fuzz-course", "title": "Fuzz course"},
            "https://purl.imsglobal.org/spec/lti/claim/custom": {"environment": "fuzz"},
        }
        # Wrong types, missing claims, strange values: one to three of them.
        for _ in range(self.rng.randint(1, 3)):
            key = self.rng.choice(list(claims.keys()) + ["extra"])
            action = self.rng.random()
            if action < 0.3:
                claims.pop(key, None)
            elif action < 0.8:
                claims[key] = self.junk_value()
            else:
                claims[key] = "x" * self.rng.randint(1000, 100_000)
        return claims

    def broken_token(self, nonce) -> str:
        platform = self.args.platform
        header = {"alg": "RS256", "typ": "JWT", "kid": platform.kid}
        choice = self.rng.randint(0, 9)
        if choice <= 3:
            return platform.sign(header, self.claims(nonce))
        if choice == 4:
            return platform.sign(header, None, raw_payload=bytes(self.rng.randint(0, 255) for _ in range(40)))
        if choice == 5:
            token = platform.sign(header, self.claims(nonce))
            return token[: self.rng.randint(0, len(token))]
        if choice == 6:
            return self.rng.choice(["", ".", "..", "a.b", "a.b.c.d", "!!!.###.$$$", "eyJ" * 1000])
        if choice == 7:
            return b64(json.dumps({"alg": self.rng.choice(["none", "HS256", "RS512", None, 7])}).encode()) + "." + b64(json.dumps(self.claims(nonce)).encode()) + "."
        if choice == 8:
            return platform.sign({"alg": "RS256", "kid": self.junk_text(8)}, self.claims(nonce))
        return "A" * self.rng.randint(100_000, 1_500_000)

    def case_launch(self):
        status, state, nonce = self.login()
        results = [status]
        if state is None:
            state = self.junk_text(20)
        token = self.broken_token(nonce or "")
        fields = {"id_token": token, "state": state if self.rng.random() < 0.9 else self.junk_text(10)}
        if self.rng.random() < 0.1:
            fields.pop(self.rng.choice(list(fields)))
        body = urllib.parse.urlencode(fields).encode()
        results.append(self.send("POST", "/lti/launch", {"content-type": "application/x-www-form-urlencoded"}, body)[0])
        return results

    def case_form(self):
        path = self.rng.choice([
            "/lti/login", "/lti/launch", "/lti/deep-linking", f"/labs/{self.junk_text(8)}/start", "/labs/x/desktop",
            "/courses/c1/settings", "/courses/c1/classes", "/courses/c1/actions", "/logout",
        ])
        path = urllib.parse.quote(path, safe="/")
        body = self.invalid_utf8_form()
        return [self.send("POST", path, {"content-type": "application/x-www-form-urlencoded"}, body)[0]]

    def case_oversized(self):
        kind = self.rng.randint(0, 3)
        if kind == 0:
            body = b"id_token=" + b"A" * self.rng.randint(2_000_000, 4_000_000)
            return [self.send("POST", "/lti/launch", {"content-type": "application/x-www-form-urlencoded"}, body)[0]]
        if kind == 1:
            # Past 80 KB the server refuses; past its socket buffers as well, only its reading
            # on after the refusal lets this client's close arrive.
            return [self.send("GET", "/healthz", {"x-big": "b" * self.rng.randint(20_000, 400_000)})[0]]
        if kind == 2:
            return [self.send("GET", "/healthz", {f"x-h{i}": "v" for i in range(self.rng.randint(100, 400))})[0]]
        # A content-length that promises more than is sent, then the connection goes.
        raw = f"POST /lti/launch HTTP/1.1\r\nhost: x\r\ncontent-length: {self.rng.randint(10, 10**9)}\r\n\r\nid_token=".encode()
        return [self.send("POST", "/lti/launch", raw=raw)[0]]

    def case_content_type(self):
        content_type = self.rng.choice([
            "application/json", "text/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded; charset=ebcdic",
            "", "garbage/\u00e9", "text/plain",
        ])
        body = self.rng.choice([b'{"id_token": 1}', b"<a/>", b"--x\r\n\r\n--x--", self.invalid_utf8_form()])
        path = self.rng.choice(["/lti/launch", "/lti/login", "/api/v1/environments", "/courses/c1/settings"])
        return [self.send("POST", path, {"content-type": content_type, "authorization": f"Bearer {self.args.token}"}, body)[0]]

    def case_random_path(self):
        # Invented methods too, each new: a server that kept anything per method would grow.
        method = self.rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "CONNECT",
                                  f"X{self.rng.randrange(10**9)}"])
        path = "/" + "/".join(self.rng.choice(["lti", "labs", "api", "v1", "..", "%2e%2e", "%00", "courses", "open", self.junk_text(5)])
                              for _ in range(self.rng.randint(0, 6)))
        path = urllib.parse.quote(path, safe="/%")
        if self.rng.random() < 0.05:
            path += "/" + "p" * self.rng.randint(5_000, 20_000)
        if self.rng.random() < 0.3:
            path += "?" + urllib.parse.urlencode({self.junk_text(5): self.junk_text()})
        if method == "HEAD":
            return [self.send("GET", path)[0]]
        return [self.send(method, path, {}, b"" if method in ("GET", "HEAD") else self.invalid_utf8_form())[0]]

    def case_api(self):
        path = self.rng.choice(self.args.api_paths)
        path = re.sub(r"\{[^}]+\}", lambda _: urllib.parse.quote(self.junk_text(8), safe=""), path)
        method = self.rng.choice(["GET", "POST", "PUT", "PATCH", "DELETE"])
        value = self.junk_value()
        if self.rng.random() < 0.05:
            # Nested deeper than any parser should follow, closed or not.
            body = b"[" * 5000 + (b"]" * 5000 if self.rng.random() < 0.5 else b"")
        else:
            body = json.dumps(value).encode()
        headers = {"content-type": "application/json", "authorization": f"Bearer {self.args.token}"}
        if method in ("GET", "DELETE") and self.rng.random() < 0.7:
            body = b""
        return [self.send(method, "/api/v1" + path, headers, body)[0]]


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def held_connections(pid: int, port: int) -> int:
    """Connections to `port` the server still holds: its own sockets, not the kernel's leftovers."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    held = 0
    for table in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as sockets:
                rows = [line.split() for line in sockets.readlines()[1:]]
        except OSError:
            continue
        for row in rows:
            listening = row[3] == "0A"
            if int(row[1].rsplit(":", 1)[1], 16) == port and not listening and row[9] in inodes:
                held += 1
    return held


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--jwks-port", type=int, required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--deployment", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--openapi", required=True)
    parser.add_argument("--cases", default=None, help="comma-separated case names (launch,form,…) to send only those")
    args = parser.parse_args()
    args.platform = Platform(args.jwks_port)
    with open(args.openapi) as spec:
        args.api_paths = [m.group(1) for m in re.finditer(r"^  (/[^:]*):\s*$", spec.read(), re.M)]
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)

    cases = ["case_launch"] * 3 + ["case_form"] * 3 + ["case_oversized", "case_content_type"] + ["case_random_path"] * 3 + ["case_api"] * 3
    if args.cases:
        cases = [case for case in cases if case.removeprefix("case_") in args.cases.split(",")]
        if not cases:
            parser.error("--cases names none of: launch, form, oversized, content_type, random_path, api")
    counts = {}
    cut = {}
    server_errors = []
    sent = [0]
    lock = threading.Lock()
    rss_start = rss_mb(args.pid)
    rss_warm = [0.0]

    fuzzers = []

    def worker(index):
        fuzzer = Fuzzer(args, random.Random(seed * 100 + index))
        fuzzers.append(fuzzer)
        while True:
            with lock:
                if sent[0] >= args.requests:
                    return
            case = fuzzer.rng.choice(cases)
            statuses = getattr(fuzzer, case)()
            with lock:
                for status in statuses:
                    sent[0] += 1
                    if status is None:
                        cut[case] = cut.get(case, 0) + 1
                        continue
                    bucket = f"{status // 100}xx"
                    counts[bucket] = counts.get(bucket, 0) + 1
                    if status >= 500:
                        server_errors.append((case, status))
                if rss_warm[0] == 0 and sent[0] >= args.requests // 10:
                    rss_warm[0] = rss_mb(args.pid)
            if not alive(args.pid):
                return

    started = time.time()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    crashed = 0 if alive(args.pid) else 1
    rss_end = rss_mb(args.pid)
    # Every connection the fuzzer opened is closed now; past the server's 2 s linger after a
    # request it could not parse, the server should hold none.
    for fuzzer in fuzzers:
        fuzzer.close()
    time.sleep(4)
    held = held_connections(args.pid, urllib.parse.urlsplit(args.url).port) if not crashed else 0
    statuses = ",".join(f"{k}:{v}" for k, v in sorted(counts.items()))
    cuts = sum(cut.values())
    print(f"fuzz: requests={sent[0]} crashes={crashed} server_errors={len(server_errors)} cut_connections={cuts} "
          f"statuses={statuses} held_connections={held} rss_start_mb={rss_start:.0f} rss_warm_mb={rss_warm[0]:.0f} rss_end_mb={rss_end:.0f} "
          f"seconds={elapsed:.0f} seed={seed}")
    if cut:
        print("connections cut by the server, by case: " + ", ".join(f"{k}={v}" for k, v in sorted(cut.items())), file=sys.stderr)
    if server_errors:
        print("server errors: " + ", ".join(f"{c}:{s}" for c, s in server_errors[:20]), file=sys.stderr)
    if held:
        print(f"the server still holds {held} connections the fuzzer closed", file=sys.stderr)
    sys.exit(1 if crashed or server_errors or held else 0)


if __name__ == "__main__":
    main()
