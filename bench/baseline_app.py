"""The floor for `bench/servers.py`: a raw WSGI app that answers what Django answers, minus Django.

`GET /api/v1/health/live` returns the liveness envelope without touching the database.
`GET /api/v1/auth/me` does the least work the real endpoint must do: verify the Bearer access
token (HS256, the same key), run the same SELECT the Django authentication class runs (the
session joined to its user, every column of both, through a psycopg pool sized like Django's),
and write the same JSON body. It skips the rate-limit counter, the middleware stack and DRF.

Configuration comes from the same environment as the Django servers: `DATABASE_URL` and
`DJANGO_SECRET_KEY` (or `JWT_SIGNING_KEY`).
"""

import os
import threading
from datetime import UTC, datetime

import jwt
import orjson
from psycopg_pool import ConnectionPool

SESSION_COLUMNS = [
    "id", "created_at", "updated_at", "user_id", "device", "user_agent", "ip_address",
    "last_used_at", "expires_at", "revoked_at", "revoked_reason",
]  # fmt: skip
USER_COLUMNS = [
    "password", "last_login", "is_superuser", "id", "created_at", "updated_at", "email", "name",
    "username", "initials", "avatar_color", "avatar", "bio", "phone", "is_online", "last_active",
    "timezone", "locale", "theme", "is_staff", "is_active",
]  # fmt: skip
ME_SQL = (
    "SELECT "
    + ", ".join(
        [f'"accounts_loginsession"."{column}"' for column in SESSION_COLUMNS]
        + [f'"accounts_user"."{column}"' for column in USER_COLUMNS]
    )
    + ' FROM "accounts_loginsession" INNER JOIN "accounts_user"'
    ' ON ("accounts_loginsession"."user_id" = "accounts_user"."id")'
    ' WHERE ("accounts_loginsession"."id" = %s AND "accounts_loginsession"."revoked_at" IS NULL)'
    ' ORDER BY "accounts_loginsession"."last_used_at" DESC LIMIT 21'
)
MEDIA_URL = "/media/"

_pool: ConnectionPool | None = None
_pool_lock = threading.Lock()


def _get_pool() -> ConnectionPool:
    # Opened lazily so that each server worker process owns its own pool.
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ConnectionPool(
                    os.environ["DATABASE_URL"], min_size=2, max_size=10, timeout=10.0, open=True
                )
    return _pool


def _signing_key() -> str:
    return os.environ.get("JWT_SIGNING_KEY") or os.environ["DJANGO_SECRET_KEY"]


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    # DRF's DateTimeField: UTC, ISO 8601, "Z" for the offset.
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _respond(start_response, status: str, body: dict) -> list[bytes]:
    payload = orjson.dumps(body)
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]


def _unauthorized(start_response, message: str) -> list[bytes]:
    error = {"code": "UNAUTHORIZED", "message": message, "details": []}
    return _respond(start_response, "401 Unauthorized", {"success": False, "error": error})


def _me(environ, start_response) -> list[bytes]:
    scheme, _, raw_token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme != "Bearer" or not raw_token:
        return _unauthorized(start_response, "Authentication credentials were not provided.")
    try:
        claims = jwt.decode(raw_token, _signing_key(), algorithms=["HS256"], leeway=5)
    except jwt.InvalidTokenError:
        return _unauthorized(start_response, "Given token not valid for any token type")
    if claims.get("type") != "access":
        return _unauthorized(start_response, "Given token not valid for any token type")

    with _get_pool().connection() as conn:
        row = conn.execute(ME_SQL, (claims.get("sid"),)).fetchone()
    if row is None:
        return _unauthorized(start_response, "This session has ended. Sign in again.")
    user = dict(zip(USER_COLUMNS, row[len(SESSION_COLUMNS) :], strict=True))
    if str(user["id"]) != claims.get("sub") or not user["is_active"]:
        return _unauthorized(start_response, "This session has ended. Sign in again.")

    data = {
        "id": str(user["id"]),
        "email": user["email"],
        "name": user["name"],
        "username": user["username"],
        "initials": user["initials"],
        "avatarColor": user["avatar_color"],
        "avatarUrl": MEDIA_URL + user["avatar"] if user["avatar"] else None,
        "bio": user["bio"],
        "phone": user["phone"],
        "role": "ADMIN" if user["is_staff"] else "USER",
        "isOnline": user["is_online"],
        "lastActive": _iso(user["last_active"]),
        "timezone": user["timezone"],
        "locale": user["locale"],
        "theme": user["theme"],
        "createdAt": _iso(user["created_at"]),
    }
    return _respond(start_response, "200 OK", {"success": True, "data": data})


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if environ.get("REQUEST_METHOD") != "GET":
        error = {"code": "METHOD_NOT_ALLOWED", "message": "Method not allowed.", "details": []}
        body = {"success": False, "error": error}
        return _respond(start_response, "405 Method Not Allowed", body)
    if path in ("/health", "/api/v1/health/live"):
        return _respond(start_response, "200 OK", {"success": True, "data": {"status": "ok"}})
    if path == "/api/v1/auth/me":
        return _me(environ, start_response)
    error = {"code": "NOT_FOUND", "message": "Not found.", "details": []}
    return _respond(start_response, "404 Not Found", {"success": False, "error": error})
