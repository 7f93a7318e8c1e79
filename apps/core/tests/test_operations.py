"""Operations: health probes, version, metrics, request ids, JSON logs, the OpenAPI schema."""

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import get_resolver

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def test_liveness_endpoints(api_client):
    for path in ("/health", "/api/v1/health/live"):
        response = api_client.get(path)
        assert response.status_code == 200
        assert response.json() == {"success": True, "data": {"status": "ok"}}


def test_readiness_reports_a_broken_broker_as_503(api_client, settings):
    from config.celery import app

    # Kept before the settings change: the Celery app outlives this test (real workers later).
    working_broker = app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = api_client.get("/api/v1/health/ready")
    finally:
        app.conf.broker_url = working_broker
    assert response.status_code == 503
    data = response.json()["data"]
    assert data["status"] == "unavailable"
    assert data["checks"]["broker"]["ok"] is False
    assert data["checks"]["database"]["ok"] is True


def test_readiness_without_a_broker_checks_database_and_cache(api_client):
    response = api_client.get("/api/v1/health/ready")
    assert response.status_code == 200
    assert set(response.json()["data"]["checks"]) >= {"database", "cache"}


def test_version(api_client):
    data = api_client.get("/api/v1/version").json()["data"]
    assert data["version"] == django_settings.APP_VERSION
    assert {"name", "commit", "environment", "python"} <= set(data)


def test_metrics_in_prometheus_format(client):
    client.get("/api/v1/health/live")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content


def test_metrics_behind_a_token_when_configured(client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics"
    assert client.get("/metrics").status_code == 401
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics")
    assert ok.status_code == 200


def test_request_id_is_returned_and_a_sane_incoming_one_is_kept(api_client):
    generated = api_client.get("/api/v1/health/live")["X-Request-ID"]
    assert len(generated) == 32
    kept = api_client.get("/api/v1/health/live", HTTP_X_REQUEST_ID="trace-abc-12345")
    assert kept["X-Request-ID"] == "trace-abc-12345"
    forged = api_client.get("/api/v1/health/live", HTTP_X_REQUEST_ID="bad\nid injected")
    assert forged["X-Request-ID"] != "bad\nid injected"


def test_every_log_line_of_a_request_carries_its_request_id_as_json(api_client, caplog):
    from pythonjsonlogger.json import JsonFormatter

    from apps.core.logging import RequestIdFilter

    console = next(
        handler
        for handler in logging.getLogger().handlers
        if isinstance(getattr(handler, "formatter", None), JsonFormatter)
    )
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="apps.access"):
        response = api_client.get("/api/v1/health/live", HTTP_X_REQUEST_ID="req-12345678")
    access = [r for r in caplog.records if r.name == "apps.access"]
    assert access and all(r.request_id == "req-12345678" for r in access)
    line = json.loads(console.formatter.format(access[0]))
    assert line["request_id"] == "req-12345678"
    assert line["path"] == "/api/v1/health/live"
    assert line["status"] == response.status_code
    assert line["level"] == "INFO"


def test_schema_is_valid_openapi_3_and_lists_every_api_endpoint(api_client):
    from openapi_spec_validator import validate

    response = api_client.get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    assert schema["openapi"].startswith("3.")

    documented = set(schema["paths"])
    routes = _api_routes()
    missing = {route for route in routes if route not in documented}
    assert not missing, f"endpoints missing from the schema: {sorted(missing)}"
    assert "ErrorEnvelope" in schema["components"]["schemas"]
    login = schema["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert "success" in login["200"]["content"]["application/json"]["schema"]["properties"]
    assert login["429"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorEnvelope")


def _api_routes() -> set[str]:
    """Every concrete /api/v1 path in the URLconf, in OpenAPI's {param} spelling."""
    import re

    routes = set()

    def walk(patterns, prefix):
        for entry in patterns:
            pattern = str(entry.pattern)
            if hasattr(entry, "url_patterns"):
                walk(entry.url_patterns, prefix + pattern)
                continue
            full = prefix + pattern
            if not full.startswith("api/v1/") or full.endswith(("schema", "^.*$")):
                continue
            route = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", full)
            # drf-spectacular spells a `pk` path parameter `id` (SCHEMA_COERCE_PATH_PK).
            routes.add(route.replace("{pk}", "{id}"))

    walk(get_resolver().url_patterns, "")
    return routes


def test_swagger_ui_is_served_without_a_cdn(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "k" * 20 + "Zx9-q2!vL7@pR4#mN8$wB1%tY6^hJ3&cF5*dG0(sA",
        "DJANGO_ALLOWED_HOSTS": "app.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_a_missing_secret(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_ALLOWED_HOSTS": "app.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked_for():
    assert django_settings.DEBUG is False
