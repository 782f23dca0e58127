"""The app the benchmark's Ansible and Puppet twins deploy (bench/ansible, bench/puppet): the
stack's former single-file app, a plain WSGI callable, Python stdlib only. brine's stack deploys
the Django example in example/ as releases instead.

/             hello, with what the proxy told us (scheme, client address)
/secret-hash  sha256 of SECRET_KEY: proves the app sees its secret without revealing it
/healthz      ok
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
    return _json(start_response, "404 Not Found", {"error": "not found"})

