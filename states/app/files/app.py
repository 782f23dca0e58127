"""The example app shipped with brine's stack: a plain WSGI callable, Python stdlib only.

/             hello, with what the proxy told us (scheme, client address)
/secret-hash  sha256 of SECRET_KEY: proves the app sees its secret without revealing it
/healthz      ok
/db           GET: the rows of table notes; POST: adds the request body as a row (DATABASE_URL)
/cache        GET: the value of key brine-example; POST: sets it to the request body (REDIS_URL)
"""
import hashlib
import json
import os


def _json(start_response, status, payload):
    body = (json.dumps(payload, sort_keys=True) + "\n").encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/":
        return _json(start_response, "200 OK", {
            "hello": "world",
            "environment": os.environ.get("APP_ENVIRONMENT", "unknown"),
            "scheme": environ.get("HTTP_X_FORWARDED_PROTO", environ.get("wsgi.url_scheme")),
            "client": environ.get("HTTP_X_REAL_IP", environ.get("REMOTE_ADDR")),
        })
    if path == "/secret-hash":
        secret = os.environ.get("SECRET_KEY")
        if secret is None:
            return _json(start_response, "503 Service Unavailable", {"error": "SECRET_KEY is not set"})
        return _json(start_response, "200 OK", {"sha256": hashlib.sha256(secret.encode()).hexdigest()})
    if path == "/healthz":
        return _json(start_response, "200 OK", {"ok": True})
    if path in DATA_ENDPOINTS:
        return DATA_ENDPOINTS[path](environ, start_response)
    return _json(start_response, "404 Not Found", {"error": "not found"})


# --- Data endpoints: the database (states/postgres) and the cache (states/redis), reached only
# through DATABASE_URL and REDIS_URL from the environment file. Self-contained, so they can move
# into views of a real project as they are. Clients: Debian's python3-psycopg2 and python3-redis.

def _body(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length).decode() if length else ""


def _db(environ, start_response):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return _json(start_response, "503 Service Unavailable", {"error": "DATABASE_URL is not set"})
    import psycopg2
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)")
            if environ.get("REQUEST_METHOD") == "POST":
                cur.execute("INSERT INTO notes (body) VALUES (%s)", (_body(environ),))
            cur.execute("SELECT body FROM notes ORDER BY id")
            rows = [r[0] for r in cur.fetchall()]
    finally:
        conn.close()
    return _json(start_response, "200 OK", {"notes": rows})


def _cache(environ, start_response):
    url = os.environ.get("REDIS_URL")
    if not url:
        return _json(start_response, "503 Service Unavailable", {"error": "REDIS_URL is not set"})
    import redis
    client = redis.Redis.from_url(url)
    if environ.get("REQUEST_METHOD") == "POST":
        client.set("brine-example", _body(environ))
    value = client.get("brine-example")
    return _json(start_response, "200 OK", {"value": value.decode() if value is not None else None})


DATA_ENDPOINTS = {"/db": _db, "/cache": _cache}
