"""The production settings (settings/prod.py), as a fresh process reads them from its environment, and what a
visitor gets under them: HTTPS only, secure cookies, HSTS, the CSP, the shared cache, hashed static files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from learningdesk.learning.views import public
from tests.learning import make_activity, make_session
from tests.learning.test_public_sign_up import form, url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# What the environment of the test run may hold that would change the settings under test.
SETTINGS_ENV = ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SQLITE_PATH")
SECRET = "a-production-secret-for-this-test-only-0123456789-abcdefghijklmnop"

DUMP = """
import json
from django.conf import settings
names = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT",
         "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
         "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "CACHES", "STORAGES", "WHITENOISE_USE_FINDERS", "DATABASES",
         "LOGGING", "MAILERS")
print(json.dumps({name: getattr(settings, name) for name in names}, default=str))
"""


def run_python(code: str, var_dir: Path, module: str = "learningdesk.settings.prod", **env: str):
    environment = {name: value for name, value in os.environ.items() if name not in SETTINGS_ENV}
    environment.update(DJANGO_SETTINGS_MODULE=module, LEARNINGDESK_VAR_DIR=str(var_dir), **env)
    return subprocess.run(  # noqa: S603 (this interpreter, code written here)
        [sys.executable, "-c", code], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def read_settings(var_dir: Path, module: str = "learningdesk.settings.prod", **env: str) -> dict:
    result = run_python(DUMP, var_dir, module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def prod(tmp_path_factory) -> dict:
    var_dir = tmp_path_factory.mktemp("var")
    return read_settings(
        var_dir,
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="learning.example.org",
        DATABASE_URL="postgres://learningdesk@db.internal:5432/learningdesk",
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_python(DUMP, tmp_path, ALLOWED_HOSTS="learning.example.org")
    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment" in result.stderr


def test_production_refuses_to_start_without_its_host_names(tmp_path):
    result = run_python(DUMP, tmp_path, SECRET_KEY=SECRET)
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS in the environment" in result.stderr


def test_production_takes_its_secret_and_hosts_from_the_environment(prod):
    assert prod["SECRET_KEY"] == SECRET
    assert prod["ALLOWED_HOSTS"] == ["learning.example.org"]
    assert prod["DEBUG"] is False


def test_production_is_https_only_with_secure_cookies_and_hsts(prod):
    assert prod["SECURE_SSL_REDIRECT"] is True
    assert prod["SESSION_COOKIE_SECURE"] is True
    assert prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_production_database_connections_survive_a_postgresql_restart(prod):
    database = prod["DATABASES"]["default"]
    assert database["HOST"] == "db.internal"
    assert database["CONN_MAX_AGE"] > 0
    # Checked before reuse, so a connection the restart broke is replaced rather than failing a request.
    assert database["CONN_HEALTH_CHECKS"] is True


def test_production_cache_is_a_database_table_every_process_shares(prod):
    cache = prod["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert cache["LOCATION"] == "learningdesk_cache"


def test_production_cache_is_redis_when_redis_url_is_set(tmp_path):
    settings = read_settings(
        tmp_path, SECRET_KEY=SECRET, ALLOWED_HOSTS="learning.example.org", REDIS_URL="redis://cache.internal:6379/1"
    )
    assert settings["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
    }


def test_production_logs_json_lines(prod):
    assert prod["LOGGING"]["handlers"]["console"]["formatter"] == "json"


def test_a_rate_limit_counted_in_one_process_is_seen_by_another(tmp_path):
    """Two web processes behind the proxy: a visitor's sign-ups are counted once, not once per process."""
    env = {"SECRET_KEY": SECRET, "ALLOWED_HOSTS": "127.0.0.1", "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    created = run_python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('createcachetable')",
        tmp_path,
        **env,
    )
    assert created.returncode == 0, created.stderr
    count = (
        "import django; django.setup(); from learningdesk.core import ratelimit; "
        "print(ratelimit.count('learn:sign-ups:198.51.100.7', 600))"
    )
    counts = []
    for _process in range(2):
        result = run_python(count, tmp_path, **env)
        assert result.returncode == 0, result.stderr
        counts.append(result.stdout.strip())
    assert counts == ["1", "2"]


def test_make_serve_settings_allow_sign_in_over_http_on_this_machine_only(tmp_path):
    local = read_settings(
        tmp_path, "learningdesk.settings.serve", SECRET_KEY=SECRET, ALLOWED_HOSTS="127.0.0.1,localhost"
    )
    assert local["SESSION_COOKIE_SECURE"] is False
    assert local["SECURE_SSL_REDIRECT"] is False
    assert local["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600  # still the production value: sent only over https
    assert local["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert local["STORAGES"] == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "learningdesk.core.staticfiles.StaticFilesStorage"},
    }
    real_site = run_python(
        DUMP, tmp_path, "learningdesk.settings.serve", SECRET_KEY=SECRET, ALLOWED_HOSTS="example.org"
    )
    assert real_site.returncode != 0
    assert "settings.serve is for this machine only" in real_site.stderr


SECURITY = (
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


@pytest.fixture
def under_production_security(prod):
    values = {name: prod[name] for name in SECURITY}
    with override_settings(SECURE_PROXY_SSL_HEADER=tuple(prod["SECURE_PROXY_SSL_HEADER"]), **values):
        yield


HTTPS = {"X-Forwarded-Proto": "https"}


def test_plain_http_is_sent_to_https(db, under_production_security):
    response = Client().get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/sign-in/"


def test_the_probes_are_answered_over_plain_http(db, under_production_security):
    for name in ("healthz", "readyz"):
        assert Client().get(reverse(name)).status_code == 200


def test_pages_over_https_carry_hsts_and_a_strict_csp(db, under_production_security):
    response = Client().get(reverse("login"), headers=HTTPS)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_signing_in_sets_cookies_only_sent_over_https(world, under_production_security):
    world.coordinator.set_password("a-long-enough-password")
    world.coordinator.save()
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": "coordinator@example.org", "password": "a-long-enough-password"},
        headers=HTTPS,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert client.cookies["csrftoken"]["secure"] is True


@pytest.mark.slow
def test_collected_static_files_are_served_with_hashed_names_compressed_and_kept_forever(db, prod, tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=prod["STORAGES"], WHITENOISE_USE_FINDERS=False):
        # Without the files no page uses (axe-core is for the browser tests, django-htmx ships its own htmx):
        # compressing them would take most of this test's time.
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["axe.min.js", "django_htmx"])
        client = Client()  # whitenoise reads STATIC_ROOT when its middleware starts
        page = client.get(reverse("login")).content.decode()
        stylesheet = re.search(r'href="(/static/core/dist/app\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "the page links the stylesheet by its hashed name"
        response = client.get(stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "immutable" in response["Cache-Control"]
        assert "max-age=315360000" in response["Cache-Control"]


@pytest.fixture
def big_session(world):
    return make_session(make_activity(world.derby, title="Maths for work"), capacity=100)


def sign_up(client: Client, session, number: int, **request):
    return client.post(url(session), form(email=f"person{number}@example.org"), **request)


def test_behind_the_proxy_each_visitor_has_their_own_sign_up_limit(big_session, settings, monkeypatch):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    monkeypatch.setattr(public, "SIGN_UPS_PER_ADDRESS", 2)
    client = Client(REMOTE_ADDR="127.0.0.1")
    first_visitor = {"headers": {"X-Forwarded-For": "198.51.100.7"}}
    assert [sign_up(client, big_session, n, **first_visitor).status_code for n in range(3)] == [302, 302, 429]
    other_visitor = {"headers": {"X-Forwarded-For": "198.51.100.8"}}
    assert sign_up(client, big_session, 3, **other_visitor).status_code == 302


def test_a_visitor_cannot_escape_the_limit_by_naming_another_address(big_session, settings, monkeypatch):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    monkeypatch.setattr(public, "SIGN_UPS_PER_ADDRESS", 2)
    # Straight from the internet (not through our proxy), with a made-up X-Forwarded-For each time.
    client = Client(REMOTE_ADDR="203.0.113.50")
    statuses = [
        sign_up(client, big_session, n, headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(3)
    ]
    assert statuses == [302, 302, 429]


@pytest.mark.parametrize(
    ("forwarded", "visitor"),
    [
        ("198.51.100.7", "198.51.100.7"),
        # A chain: the visitor's own (made-up) claim, the visitor, then our load balancer.
        ("1.1.1.1, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        ("not-an-address", "127.0.0.1"),
        ("", "127.0.0.1"),
    ],
)
def test_the_visitor_is_the_last_address_before_our_proxies(settings, rf, forwarded, visitor):
    from learningdesk.core.middleware import ClientAddressMiddleware

    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    seen = {}
    middleware = ClientAddressMiddleware(lambda request: seen.setdefault("address", request.META["REMOTE_ADDR"]))
    middleware(rf.get("/", REMOTE_ADDR="127.0.0.1", headers={"X-Forwarded-For": forwarded}))
    assert seen["address"] == visitor


def test_only_the_files_we_do_not_ship_may_be_missing_from_the_stylesheet(tmp_path, settings):
    from learningdesk.core.staticfiles import StaticFilesStorage

    settings.DEBUG = False
    (tmp_path / "ours.css").write_text(
        '.govuk-footer__copyright-logo{background:url("/static/images/govuk-crest.svg")}'
    )
    (tmp_path / "typo.css").write_text('.ld-logo{background:url("/static/images/our-logo.svg")}')
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")
    paths = {name: (storage, name) for name in ("ours.css", "typo.css")}
    errors = {name: str(outcome) for name, _, outcome in storage.post_process(paths) if isinstance(outcome, Exception)}
    assert list(errors) == ["typo.css"]
    assert "images/our-logo.svg" in errors["typo.css"]


def test_a_mail_backend_other_than_smtp_works_from_the_environment(tmp_path):
    """EMAIL_BACKEND=console (say, while setting up) gets no SMTP server options, which it would refuse."""
    code = (
        "import django; django.setup()\n"
        "from django.core.mail import mailers\n"
        "print(type(mailers['default']).__module__)\n"
    )
    result = run_python(
        code,
        tmp_path,
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="learning.example.org",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.console"


def test_smtp_gets_the_server_from_the_environment(tmp_path):
    mailers = read_settings(
        tmp_path, SECRET_KEY=SECRET, ALLOWED_HOSTS="learning.example.org", EMAIL_HOST="smtp.internal"
    )["MAILERS"]
    assert mailers["default"]["OPTIONS"]["host"] == "smtp.internal"
