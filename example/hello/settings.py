"""Settings of the example app: everything that differs per host comes from the environment
(/etc/<project_name>/env, written by brine from the pillar and secrets.yaml)."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# The release directory's name is its id (/srv/<project>/releases/<id>).
RELEASE = BASE_DIR.name
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure: this host has no secrets.yaml"
DEBUG = False
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "*").split(",")

INSTALLED_APPS = ["django.contrib.staticfiles", "hello"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "hello.urls"
WSGI_APPLICATION = "hello.wsgi.application"

# Data lives outside the releases, in the app's own directory.
DATA_DIR = Path(os.environ.get("APP_DATA_DIR", "/var/lib/hello"))
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "db.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"  # collectstatic fills it in the release; nginx serves it
STATICFILES_DIRS = [BASE_DIR / "assets"]
