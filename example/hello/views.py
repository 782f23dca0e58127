"""The example app's pages.

/             hello, version and release, with what the proxy told us (scheme, client address)
/healthz      ok once the database answers (brine's health check after a deploy)
/secret-hash  sha256 of SECRET_KEY: proves the app sees its secret without revealing it
/notes        GET lists the notes, POST text=… adds one (data that outlives releases)
/db, /cache   a row through DATABASE_URL (PostgreSQL), a key through REDIS_URL, when set
"""
import hashlib
import os

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Note
from .version import VERSION


def index(request):
    return JsonResponse({
        "hello": "world",
        "version": VERSION,
        "release": settings.RELEASE,
        "environment": os.environ.get("APP_ENVIRONMENT", "unknown"),
        "scheme": request.META.get("HTTP_X_FORWARDED_PROTO", request.scheme),
        "client": request.META.get("HTTP_X_REAL_IP", request.META.get("REMOTE_ADDR")),
    })


def healthz(request):
    Note.objects.exists()
    return JsonResponse({"ok": True})


def secret_hash(request):
    secret = os.environ.get("SECRET_KEY")
    if secret is None:
        return JsonResponse({"error": "SECRET_KEY is not set"}, status=503)
    return JsonResponse({"sha256": hashlib.sha256(secret.encode()).hexdigest()})


@csrf_exempt
def notes(request):
    if request.method == "POST":
        Note.objects.create(text=request.POST.get("text", ""))
    return JsonResponse({"notes": [{"text": n.text} for n in Note.objects.order_by("id")]})


def db(request):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return JsonResponse({"error": "DATABASE_URL is not set"}, status=404)
    import psycopg2  # Debian's python3-psycopg2; libpq reads the URL as it is

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS hello_hits (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())")
        cur.execute("INSERT INTO hello_hits DEFAULT VALUES")
        cur.execute("SELECT count(*) FROM hello_hits")
        (rows,) = cur.fetchone()
    return JsonResponse({"ok": True, "rows": rows})


def cache(request):
    url = os.environ.get("REDIS_URL")
    if not url:
        return JsonResponse({"error": "REDIS_URL is not set"}, status=404)
    import redis  # Debian's python3-redis

    hits = redis.Redis.from_url(url).incr("hello:hits")
    return JsonResponse({"ok": True, "hits": hits})
