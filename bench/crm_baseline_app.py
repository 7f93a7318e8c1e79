"""The floor for `bench/crm.py`: the CRM reads in raw WSGI, running exactly Django's SQL.

For each of the three endpoints it verifies the Bearer access token (HS256, the same key), runs
the statements Django ran for one request of that endpoint, captured by `bench/crm.py` with their
parameters (the session joined to its user, the membership joined to its workspace, then the
COUNT and the page, or the project and its milestones), on one connection of a psycopg pool
configured as Django configures its own (client-side binding, no prepared statements, autocommit,
UTC), and writes the same JSON body. It skips the middleware, DRF, the rate-limit counter, and the
refresh of the session's last use (once a minute at most in Django).

- `GET /api/v1/clients`: a page of 20 with the default filters (the query string is ignored).
- `GET /api/v1/projects/<id>/notes`: a page of 20 of a project's notes.
- `GET /api/v1/projects/<id>`: the project with its milestones and progress.

Configuration: `DATABASE_URL`, `DJANGO_SECRET_KEY` (or `JWT_SIGNING_KEY`), and
`CRM_BASELINE_STATEMENTS`, the JSON file of captured statements that `bench/crm.py` writes.
"""

import json
import math
import os
import re
import threading
import uuid

import jwt
import orjson
import psycopg
from psycopg_pool import ConnectionPool

CLIENT_COLUMNS = [
    "id", "name", "company", "email", "phone", "status", "archived_at", "created_at",
    "updated_at",
]  # fmt: skip
NOTE_COLUMNS = [
    "id", "client_id", "project_id", "title", "body", "version", "author_id", "author_name",
    "created_at", "updated_at",
]  # fmt: skip
MILESTONE_COLUMNS = [
    "id", "project_id", "title", "due_date", "done", "completed_at", "order", "created_at",
    "updated_at",
]  # fmt: skip
PER_PAGE = 20
# Every role may read the CRM (`Perm.CRM_VIEW` in apps/workspaces/roles.py).
CRM_VIEWERS = frozenset({"owner", "admin", "member", "viewer"})
ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z

UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ROUTES = [
    ("clients", re.compile(r"^/api/v1/clients$")),
    ("project_notes", re.compile(rf"^/api/v1/projects/({UUID_PATTERN})/notes$")),
    ("project_detail", re.compile(rf"^/api/v1/projects/({UUID_PATTERN})$")),
]

_pool: ConnectionPool | None = None
_statements: dict | None = None
_lock = threading.Lock()


class Refused(Exception):
    def __init__(self, status: str, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _utc(connection: psycopg.Connection) -> None:
    # What Django's pool does to a new connection: UTC, so timestamps come back as UTC.
    if connection.info.parameter_status("TimeZone") != "UTC":
        connection.execute("SET TIME ZONE 'UTC'")


def _get_pool() -> ConnectionPool:
    # Opened lazily so that each server worker process owns its own pool.
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                _pool = ConnectionPool(
                    os.environ["DATABASE_URL"],
                    kwargs={
                        "autocommit": True,
                        "cursor_factory": psycopg.ClientCursor,
                        "prepare_threshold": None,
                        "client_encoding": "UTF8",
                    },
                    configure=_utc,
                    min_size=int(os.environ.get("DATABASE_POOL_MIN", 2)),
                    max_size=int(os.environ.get("DATABASE_POOL_MAX", 10)),
                    timeout=10.0,
                    open=True,
                )
    return _pool


def _get_statements() -> dict:
    global _statements
    if _statements is None:
        with open(os.environ["CRM_BASELINE_STATEMENTS"], encoding="utf-8") as file:
            endpoints = json.load(file)["endpoints"]
        _statements = {name: endpoint["statements"] for name, endpoint in endpoints.items()}
    return _statements


def _signing_key() -> str:
    return os.environ.get("JWT_SIGNING_KEY") or os.environ["DJANGO_SECRET_KEY"]


def _bind(params: list[dict] | None, values: dict) -> list | None:
    if params is None:
        return None
    return [values[param["ref"]] if "ref" in param else param["value"] for param in params]


def _named(cursor, row) -> dict:
    """Column name -> value; where two joined tables share a name, the first table wins."""
    named = {}
    for column, value in zip(cursor.description, row, strict=True):
        named.setdefault(column.name, value)
    return named


def _second_table(cursor, row) -> dict:
    """The columns of the table joined second (they start at the second `id` column)."""
    names = [column.name for column in cursor.description]
    start = names.index("id", 1)
    return dict(zip(names[start:], row[start:], strict=True))


def _positional(cursor, rows, columns: list[str]) -> list[dict]:
    if len(cursor.description) != len(columns):
        raise RuntimeError(f"expected the columns {columns}, got {cursor.description}")
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _client(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "company": row["company"],
        "email": row["email"],
        "phone": row["phone"],
        "status": row["status"],
        "archived": row["archived_at"] is not None,
        "archivedAt": row["archived_at"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def _note(row: dict) -> dict:
    author = {"id": row["author_id"], "name": row["author_name"]} if row["author_id"] else None
    return {
        "id": row["id"],
        "clientId": row["client_id"],
        "projectId": row["project_id"],
        "title": row["title"],
        "body": row["body"],
        "version": row["version"],
        "author": author,
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def _milestone(row: dict) -> dict:
    return {
        "id": row["id"],
        "projectId": row["project_id"],
        "title": row["title"],
        "dueDate": row["due_date"],
        "done": row["done"],
        "completedAt": row["completed_at"],
        "order": row["order"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def _project(project: dict, client: dict) -> dict:
    return {
        "id": project["id"],
        "client": {"id": project["client_id"], "name": client["name"]},
        "name": project["name"],
        "description": project["description"],
        "status": project["status"],
        "startDate": project["start_date"],
        "dueDate": project["due_date"],
        "budget": project["budget"],
        "hourlyRate": project["hourly_rate"],
        "createdAt": project["created_at"],
        "updatedAt": project["updated_at"],
    }


def _claims(environ) -> dict:
    scheme, _, raw_token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme != "Bearer" or not raw_token:
        raise Refused("401 Unauthorized", "UNAUTHORIZED", "Authentication credentials were "
                      "not provided.")  # fmt: skip
    try:
        claims = jwt.decode(raw_token, _signing_key(), algorithms=["HS256"], leeway=5)
    except jwt.InvalidTokenError:
        claims = {}
    if claims.get("type") != "access":
        raise Refused("401 Unauthorized", "UNAUTHORIZED", "Given token not valid for any token "
                      "type")  # fmt: skip
    try:
        claims["sid"] = uuid.UUID(str(claims.get("sid")))
    except ValueError:
        raise Refused("401 Unauthorized", "UNAUTHORIZED", "This session has ended.") from None
    return claims


def _run(endpoint: str, claims: dict, project_id: uuid.UUID | None) -> dict:
    """Run the endpoint's statements in Django's order on one connection; answer the data."""
    values = {"session_id": claims["sid"], "project_id": project_id}
    found: dict = {}
    with _get_pool().connection() as conn, conn.cursor() as cursor:
        for statement in _get_statements()[endpoint]:
            role = statement["role"]
            cursor.execute(statement["sql"], _bind(statement["params"], values))
            if role == "auth":
                row = cursor.fetchone()
                session = _named(cursor, row) if row else None
                if session is None or str(session["user_id"]) != claims.get("sub"):
                    raise Refused("401 Unauthorized", "UNAUTHORIZED", "This session has ended.")
                if not session["is_active"]:
                    raise Refused("401 Unauthorized", "UNAUTHORIZED", "This session has ended.")
                values["user_id"] = session["user_id"]
            elif role == "membership":
                row = cursor.fetchone()
                if row is None:
                    raise Refused("404 Not Found", "NOT_FOUND", "No workspace.")
                membership = _named(cursor, row)
                if membership["role"] not in CRM_VIEWERS:
                    raise Refused("403 Forbidden", "FORBIDDEN", "Not allowed.")
                values["workspace_id"] = membership["workspace_id"]
            elif role in ("parent", "project"):
                row = cursor.fetchone()
                if row is None:
                    raise Refused("404 Not Found", "NOT_FOUND", "Not found.")
                if role == "project":
                    found["project"] = _project(_named(cursor, row), _second_table(cursor, row))
            elif role == "count":
                found["total"] = cursor.fetchone()[0]
            elif role == "page":
                columns = CLIENT_COLUMNS if endpoint == "clients" else NOTE_COLUMNS
                found["rows"] = _positional(cursor, cursor.fetchall(), columns)
            elif role == "milestones":
                found["milestones"] = _positional(cursor, cursor.fetchall(), MILESTONE_COLUMNS)
            elif cursor.description is not None:
                cursor.fetchall()
    return found


def _page(rows: list[dict], total: int) -> dict:
    meta = {
        "total": total,
        "page": 1,
        "perPage": PER_PAGE,
        "totalPages": math.ceil(total / PER_PAGE) if total else 0,
    }
    return {"success": True, "data": rows, "meta": meta}


def _body(endpoint: str, found: dict) -> dict:
    if endpoint == "clients":
        return _page([_client(row) for row in found["rows"]], found["total"])
    if endpoint == "project_notes":
        return _page([_note(row) for row in found["rows"]], found["total"])
    milestones = [_milestone(row) for row in found["milestones"]]
    data = found["project"]
    data["milestones"] = milestones
    data["progress"] = {
        "done": sum(1 for milestone in milestones if milestone["done"]),
        "total": len(milestones),
    }
    return {"success": True, "data": data}


def _respond(start_response, status: str, body: dict) -> list[bytes]:
    payload = orjson.dumps(body, option=ORJSON_OPTIONS, default=str)
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]


def _error(start_response, status: str, code: str, message: str) -> list[bytes]:
    error = {"code": code, "message": message, "details": []}
    return _respond(start_response, status, {"success": False, "error": error})


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if environ.get("REQUEST_METHOD") != "GET":
        return _error(start_response, "405 Method Not Allowed", "METHOD_NOT_ALLOWED", "No.")
    if path == "/health":
        return _respond(start_response, "200 OK", {"success": True, "data": {"status": "ok"}})
    for endpoint, pattern in ROUTES:
        match = pattern.match(path)
        if match is None:
            continue
        project_id = uuid.UUID(match.group(1)) if match.groups() else None
        try:
            found = _run(endpoint, _claims(environ), project_id)
        except Refused as refused:
            return _error(start_response, refused.status, refused.code, refused.message)
        return _respond(start_response, "200 OK", _body(endpoint, found))
    return _error(start_response, "404 Not Found", "NOT_FOUND", "Not found.")
