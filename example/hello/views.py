"""The example app's pages.

/             hello, version and release, with what the proxy told us (scheme, client address)
/healthz      ok once the database answers (brine's health check after a deploy)
/secret-hash  sha256 of SECRET_KEY: proves the app sees its secret without revealing it
/notes        GET lists the notes, POST text=… adds one (data that outlives releases)
/db           GET lists the rows of table notes in PostgreSQL (DATABASE_URL), POST adds the body as one
/cache        GET reads key brine-example in Redis (REDIS_URL), POST sets it to the body
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


# /db and /cache reach the database (states/postgres) and the cache (states/redis) only through
# DATABASE_URL and REDIS_URL from the environment file, with Debian's python3-psycopg2 and
# python3-redis; a POST stores its body as it is.

@csrf_exempt
def db(request):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return JsonResponse({"error": "DATABASE_URL is not set"}, status=503)
    import psycopg2  # libpq reads the URL as it is

    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)")
            if request.method == "POST":
                cur.execute("INSERT INTO notes (body) VALUES (%s)", (request.body.decode(),))
            cur.execute("SELECT body FROM notes ORDER BY id")
            rows = [r[0] for r in cur.fetchall()]
    finally:
        conn.close()
    return JsonResponse({"notes": rows})


@csrf_exempt
def cache(request):
    url = os.environ.get("REDIS_URL")
    if not url:
        return JsonResponse({"error": "REDIS_URL is not set"}, status=503)
    import redis

    client = redis.Redis.from_url(url)
    if request.method == "POST":
        client.set("brine-example", request.body)
    value = client.get("brine-example")
    return JsonResponse({"value": value.decode() if value is not None else None})
