"""Search on PostgreSQL at 100,000 and 1,000,000 notes: Django beside its own SQL run raw.

Run from the project root with `.venv/bin/python bench/search.py` (or `make bench-search`). It
prints one JSON document to stdout; progress goes to stderr. See bench/README.md.

Each scale has its own database (`bench_search_100k`, `bench_search_1m`), migrated and seeded
once with SQL (`generate_series`; later runs reuse it when the counts are right): one user's
personal workspace with 10,000 clients, 2,500 projects and the notes, whose words are drawn
from a skewed vocabulary of 5,000 made-up words, with a few real words planted at known rates.
For each query, one request is made through Django in a child process to capture the SQL the
search runs (after authentication and the membership). Then, against Django served as in
production (granian WSGI, two workers, four blocking threads), one keep-alive connection sends
`GET /api/v1/search?q=...` one request at a time, alternating with the captured statements run
on one psycopg connection configured like Django's (client-side binding, autocommit): p50 and p95
of each, and their ratio. Also, once per scale, the common word's statement with the
ranking cap lifted (every match ranked), to show what the cap saves.
"""

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from harness import (
    ADMIN_DSN,
    BIN,
    ROOT,
    STARTED,
    WORKERS,
    Candidate,
    Server,
    granian,
    log,
    manage,
    package_versions,
    server_env,
)
from psycopg import sql

BENCH_EMAIL = "bench-search@example.com"
SCALES = {"100k": 100_000, "1m": 1_000_000}
CLIENTS, PROJECTS = 10_000, 2_500
# Stored as the note table's comment; a different recipe reseeds.
SEED_MARK = "bench/search.py seed 2"

# Planted words and the share of notes that hold each; the queries below are built on them.
PLANTED = {"meeting": 0.71, "invoice": 0.02, "overdue": 0.05, "escalation": 0.0002}
QUERIES = {
    "rare": "escalation",  # 0.02% of notes
    "medium": "invoice",  # 2%
    "common": "meeting",  # 71%: the ranking guard's case
    "prefix": "invo",  # the last word as a prefix
    "two_words": "invoice overdue",  # 2% x 5%
    "typo": "nortwind",  # no full-text match: the trigram fallback on names
}
NAME_WORDS = [
    "northwind", "globex", "initech", "umbrella", "stark", "wayne", "acme", "hooli", "vandelay",
    "cyberdyne", "soylent", "tyrell", "wonka", "oscorp", "gringotts", "monarch", "aperture",
    "massive", "dynamic", "pied", "piper", "blue", "sun", "river", "stone", "oak", "pine",
    "harbor", "summit", "atlas",
]  # fmt: skip
NAME_SUFFIXES = ["Ltd", "Group", "Labs", "Partners", "Studio", "Holdings", "Co", "Works"]
SYLLABLES = [
    "ka", "lo", "mi", "ren", "dor", "tas", "vel", "qui", "bra", "zen", "fol", "gri", "hum",
    "jat", "kel", "mor", "nus", "pla", "rox", "sil", "tor", "ulm", "vin", "wex", "yar", "zib",
    "cra", "dre", "fen", "gol", "hav", "isk", "jor", "lun", "mav", "nir", "ost", "pex", "rud",
    "sov",
]  # fmt: skip

SUBJECT = Candidate(
    "django_granian_wsgi", "wsgi", granian("config.wsgi:application", "--blocking-threads", "4")
)


def database_url(scale: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/bench_search_{scale}"


# --- Preparation, in a child process with the production settings ------------------------------


def prepare(out_path: Path, notes: int) -> None:
    """Seed when needed, sign in, capture each query's SQL; write JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from apps.accounts.models import User
    from apps.accounts.sessions import ClientInfo, start_session
    from apps.crm.models import Client, Note, Project
    from apps.search.backends.postgres import PostgresBackend
    from apps.search.query import parse
    from apps.workspaces.models import Workspace

    user = User.objects.filter(email=BENCH_EMAIL).first()
    if user is None:
        user = User.objects.create_user(BENCH_EMAIL, name="Search Bench User")
    workspace = Workspace.objects.get(personal_for=user)
    counts = (
        Client.objects.filter(workspace=workspace).count(),
        Project.objects.filter(workspace=workspace).count(),
        Note.objects.filter(workspace=workspace).count(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description('crm_note'::regclass, 'pg_class')")
        mark = cursor.fetchone()[0]
    if counts != (CLIENTS, PROJECTS, notes) or mark != SEED_MARK:
        log(f"seeding {notes} notes (found clients, projects, notes = {counts}; {mark})")
        seed(connection, workspace.pk, user.pk, notes)
    else:
        log(f"already seeded: {counts}")
    _, pair = start_session(user=user, client=ClientInfo(ip="127.0.0.1", user_agent="bench"))

    matches = {}
    with connection.cursor() as cursor:
        for name, text in QUERIES.items():
            tsquery, params = PostgresBackend.tsquery(parse(text))
            cursor.execute(
                f"SELECT count(*) FROM crm_note t WHERE t.workspace_id = %(ws)s "
                f"AND t.search_vector @@ {tsquery}",
                {**params, "ws": workspace.pk},
            )
            matches[name] = cursor.fetchone()[0]
    captured = {name: capture(text, pair.access, workspace.pk) for name, text in QUERIES.items()}
    out_path.write_text(
        json.dumps(
            {
                "token": pair.access,
                "workspace_id": str(workspace.pk),
                "note_matches": matches,
                "queries": captured,
            }
        )
    )


def seed(connection, workspace_id, user_id, notes: int) -> None:
    """Empty the CRM tables and fill them with generate_series; the note search indexes are
    dropped for the load and built again after, much faster than maintaining them per row.

    Notes are written in creation order (as a real table fills), each two sentences drawn from
    20,000 made of a skewed 5,000-word vocabulary, plus the planted words at their rates.
    """
    from django.db import transaction

    params = {"ws": workspace_id, "user": user_id, "syllables": SYLLABLES}
    started = time.monotonic()
    planted = " || ".join(
        f"CASE WHEN random() < {share} THEN ' {word}' ELSE '' END"
        for word, share in PLANTED.items()
    )
    # One transaction: a failed seed leaves the tables and their indexes as they were.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            "TRUNCATE crm_timeentry, crm_noteversion, crm_note, crm_milestone, crm_project, "
            "crm_client CASCADE"
        )
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'crm_note' "
            "AND (indexname LIKE '%search%' OR indexname LIKE '%trgm%')"
        )
        indexes = cursor.fetchall()
        if len(indexes) != 2:
            raise RuntimeError(f"expected the two search indexes on crm_note, found {indexes}")
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            """
            CREATE TEMP TABLE bench_words ON COMMIT DROP AS
            SELECT k, (%(syllables)s::text[])[1 + k %% 40]
                || (%(syllables)s::text[])[1 + (k / 40) %% 40]
                || (%(syllables)s::text[])[1 + (k / 1600) %% 40] AS word
            FROM generate_series(0, 4999) AS k
            """,
            params,
        )
        # `g * 0` makes each string_agg belong to its own subquery (run per sentence): an
        # aggregate whose arguments name only outer columns would aggregate the outer query.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_sentences ON COMMIT DROP AS
            SELECT k, (SELECT string_agg(words.all[g * 0 + 1 + floor(5000 * random() ^ 3)::int],
                ' ') FROM generate_series(1, 5 + k % 21) AS g) AS sentence
            FROM (SELECT array_agg(word ORDER BY k) AS all FROM bench_words) AS words,
                generate_series(1, 20000) AS k
            """
        )
        cursor.execute("ANALYZE bench_words")
        cursor.execute("ANALYZE bench_sentences")
        cursor.execute(
            """
            INSERT INTO crm_client (id, created_at, updated_at, workspace_id, name, company,
                email, phone, status, archived_at, created_by_id)
            SELECT gen_random_uuid(), ts, ts, %(ws)s,
                initcap((%(names)s::text[])[1 + (i * 7) %% cardinality(%(names)s::text[])])
                || ' ' || initcap((%(names)s::text[])[1 + (i * 13 / 7)
                    %% cardinality(%(names)s::text[])])
                || ' ' || (%(suffixes)s::text[])[1 + i %% cardinality(%(suffixes)s::text[])],
                'Company ' || (i %% 3000), 'client' || i || '@example.com', '+1 555 ' || i,
                'active', CASE WHEN i %% 10 = 0 THEN ts + interval '30 days' END, %(user)s
            FROM (SELECT i, now() - (%(clients)s - i) * interval '1 hour' AS ts
                  FROM generate_series(1, %(clients)s) AS i) AS s
            """,
            {**params, "names": NAME_WORDS, "suffixes": NAME_SUFFIXES, "clients": CLIENTS},
        )
        cursor.execute(
            """
            INSERT INTO crm_project (id, created_at, updated_at, workspace_id, client_id, name,
                description, status, created_by_id)
            SELECT gen_random_uuid(), ts, ts, %(ws)s, clients.ids[1 + i * 4 - 3],
                'Project ' || initcap(w.word), s.sentence, 'active', %(user)s
            FROM (SELECT i, now() - (%(projects)s - i) * interval '3 hours' AS ts
                  FROM generate_series(1, %(projects)s) AS i) AS r
            JOIN bench_words AS w ON w.k = (r.i * 37) %% 5000
            JOIN bench_sentences AS s ON s.k = 1 + r.i * 7
            CROSS JOIN (SELECT array_agg(id ORDER BY created_at) AS ids FROM crm_client) AS clients
            ORDER BY r.i
            """,
            {**params, "projects": PROJECTS},
        )
        cursor.execute(
            f"""
            INSERT INTO crm_note (id, created_at, updated_at, workspace_id, client_id,
                project_id, title, body, body_text, version, author_id, updated_by_id)
            SELECT gen_random_uuid(), ts, ts, %(ws)s,
                CASE WHEN on_client THEN parents.clients[1 + i %% {CLIENTS}] END,
                CASE WHEN NOT on_client THEN parents.projects[1 + i %% {PROJECTS}] END,
                CASE WHEN i %% 3 = 0 THEN '' ELSE initcap(w1.word) || ' ' || w2.word END,
                '<p>' || text || '</p>', text, 1, %(user)s, %(user)s
            FROM (
                SELECT r.i, r.on_client, r.ts,
                    s1.sentence || ' ' || s2.sentence || {planted} AS text
                FROM (
                    SELECT i, random() < 0.25 AS on_client,
                        1 + floor(random() * 20000)::int AS a,
                        1 + floor(random() * 20000)::int AS b,
                        now() - (%(notes)s - i) * (interval '365 days' / %(notes)s) AS ts
                    FROM generate_series(1, %(notes)s) AS i
                ) AS r
                JOIN bench_sentences AS s1 ON s1.k = r.a
                JOIN bench_sentences AS s2 ON s2.k = r.b
            ) AS n
            JOIN bench_words AS w1 ON w1.k = n.i %% 5000
            JOIN bench_words AS w2 ON w2.k = (n.i * 7) %% 5000
            CROSS JOIN (
                SELECT (SELECT array_agg(id) FROM crm_client) AS clients,
                       (SELECT array_agg(id) FROM crm_project) AS projects
            ) AS parents
            ORDER BY n.i
            """,
            {**params, "notes": notes},
        )
        log(f"inserted {notes} notes in {time.monotonic() - started:.0f}s; indexing")
        # The foreign keys are deferred; check them now, or the index cannot be built.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"COMMENT ON TABLE crm_note IS '{SEED_MARK}'")
    with connection.cursor() as cursor:
        for table in ("crm_client", "crm_project", "crm_note"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    log(f"seeded in {time.monotonic() - started:.0f}s")


def capture(text: str, token: str, workspace_id) -> dict:
    """The search statements of one request (after authentication and the membership)."""
    from django.db import connection
    from django.test import Client as HttpClient

    path = "/api/v1/search?" + urlencode({"q": text})
    http = HttpClient(SERVER_NAME="localhost", headers={"authorization": f"Bearer {token}"})
    http.get(path)  # warm: the first request may refresh the session's last use
    executed = []

    def record(execute, sql_text, params, many, context):
        executed.append((sql_text, params))
        return execute(sql_text, params, many, context)

    with connection.execute_wrapper(record):
        response = http.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    body = response.json()
    statements = []
    for sql_text, params in executed:
        if 'FROM "accounts_loginsession"' in sql_text or 'FROM "workspaces_membership"' in sql_text:
            continue
        if sql_text.startswith('UPDATE "accounts_loginsession"'):
            continue
        statements.append({"sql": sql_text, "params": encode(params, workspace_id)})
    return {
        "path": path,
        "statements": statements,
        "results": len(body["data"]),
        "meta": body["meta"],
        "body_bytes": len(response.content),
    }


def encode(params, workspace_id):
    if isinstance(params, dict):
        return {
            key: {"uuid": str(value)} if value == workspace_id else value
            for key, value in params.items()
        }
    return list(params or [])


def decode(params):
    if isinstance(params, dict):
        return {
            key: uuid.UUID(value["uuid"]) if isinstance(value, dict) else value
            for key, value in params.items()
        }
    return params


# --- The run, in the parent process --------------------------------------------------------------


def ensure_database(name: str) -> str:
    with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"created database {name}")
    return version


def run_prepare(env: dict, out_path: Path, notes: int) -> dict:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--prepare", str(out_path), str(notes)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        timeout=1200,
    )
    if result.returncode != 0:
        raise RuntimeError(f"preparation failed:\n{result.stdout}")
    return json.loads(out_path.read_text())


def run_raw(conn: psycopg.Connection, statements: list[dict]) -> None:
    """The captured statements, as Django ran them: the search, and for a typo search the
    threshold and the search again with the fuzzy matches, in one transaction."""
    first, *rest = statements
    conn.execute(first["sql"], decode(first["params"])).fetchall()
    if rest:
        with conn.transaction():
            for statement in rest:
                conn.execute(statement["sql"], decode(statement["params"])).fetchall()


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=20, method="inclusive")
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(q[18], 2),
        "min_ms": round(ordered[0], 2),
        "max_ms": round(ordered[-1], 2),
    }


def measure_scale(scale: str, notes: int, args, tmp: Path) -> dict:
    db_name = f"bench_search_{scale}"
    env = {**server_env(), "DATABASE_URL": database_url(scale)}
    ensure_database(db_name)
    log(f"[{scale}] migrate")
    manage(env, "migrate", "--noinput", "-v", "0", timeout=600)
    log(f"[{scale}] seed (if needed) and capture the SQL of each query")
    prepared = run_prepare(env, tmp / f"{scale}.json", notes)
    server = Server(SUBJECT, env, tmp)
    results = {}
    try:
        server.start()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        raw = psycopg.connect(
            f"postgresql://postgres@127.0.0.1:5432/{db_name}",
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,
        )
        headers = {"Authorization": f"Bearer {prepared['token']}"}
        for name, captured in prepared["queries"].items():
            statements = captured["statements"]

            def via_http(path=captured["path"]):
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path} answered {response.status}: {body[:300]!r}")

            for _ in range(args.warmup):
                via_http()
                run_raw(raw, statements)
            django_ms, raw_ms = [], []
            for _ in range(args.requests):
                started = time.perf_counter()
                via_http()
                django_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                run_raw(raw, statements)
                raw_ms.append((time.perf_counter() - started) * 1000)
            django, baseline = percentiles(django_ms), percentiles(raw_ms)
            results[name] = {
                "q": QUERIES[name],
                "note_matches": prepared["note_matches"][name],
                "results_on_page": captured["results"],
                "meta": captured["meta"],
                "statements": len(statements),
                "django": django,
                "raw_sql": baseline,
                "ratio_p50": round(django["p50_ms"] / baseline["p50_ms"], 2),
                "overhead_p50_ms": round(django["p50_ms"] - baseline["p50_ms"], 2),
            }
            log(f"[{scale}] {name} ({QUERIES[name]!r}): django p50 {django['p50_ms']} ms, "
                f"p95 {django['p95_ms']} ms; raw p50 {baseline['p50_ms']} ms, "
                f"p95 {baseline['p95_ms']} ms")  # fmt: skip
        results["common_uncapped"] = uncapped(raw, prepared["queries"]["common"], notes, args)
        log(f"[{scale}] common word, every match ranked: "
            f"p50 {results['common_uncapped']['raw_sql']['p50_ms']} ms")  # fmt: skip
        raw.close()
        connection.close()
    finally:
        server.stop()
    return {"notes": notes, "clients": CLIENTS, "projects": PROJECTS, "queries": results}


def uncapped(raw, captured: dict, notes: int, args) -> dict:
    """The common word's statement with the cap lifted above the table's size."""
    statement = captured["statements"][-1]
    lifted = [
        {**statement, "params": {**statement["params"], "cap": notes + 1, "window": notes + 1}}
    ]
    run_raw(raw, lifted)
    samples = []
    for _ in range(args.uncapped_requests):
        started = time.perf_counter()
        run_raw(raw, lifted)
        samples.append((time.perf_counter() - started) * 1000)
    return {"q": QUERIES["common"], "cap": notes + 1, "raw_sql": percentiles(samples)}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="measured requests per query")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up requests per query")
    parser.add_argument("--uncapped-requests", type=int, default=5)
    parser.add_argument("--only", nargs="*", choices=list(SCALES), help="these scales only")
    parser.add_argument("--prepare", nargs=2, help=argparse.SUPPRESS)
    return parser.parse_args()


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def main() -> int:
    args = parse_args()
    if args.prepare:
        prepare(Path(args.prepare[0]), int(args.prepare[1]))
        return 0
    if not (BIN / "granian").exists():
        sys.exit(f"{BIN / 'granian'} is missing: .venv/bin/pip install -r requirements-dev.txt")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    load_at_start = os.getloadavg()
    pg_version = ensure_database("postgres")
    scales = {name: n for name, n in SCALES.items() if not args.only or name in args.only}
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        try:
            for scale, notes in scales.items():
                results[scale] = measure_scale(scale, notes, args, Path(tmp))
        except (RuntimeError, subprocess.SubprocessError, OSError, psycopg.Error) as error:
            log(f"failed: {error}")
            return 1
        finally:
            Server.stop_all()
    document = {
        "benchmark": "search",
        "config": {
            "subject": "granian --interface wsgi config.wsgi:application --workers "
            f"{WORKERS} --blocking-threads 4 (config.settings.production)",
            "client": "one keep-alive HTTP connection, one request at a time",
            "baseline": "the statements Django ran for the search (after authentication and "
            "the membership), on one psycopg connection with client-side binding, "
            "alternating with the HTTP requests",
            "requests_per_query": args.requests,
            "warmup_per_query": args.warmup,
            "planted_words": PLANTED,
            "postgresql": pg_version,
            "cpu_count": os.cpu_count(),
            "versions": package_versions("Django", "djangorestframework", "granian", "psycopg"),
            "loadavg_1m_before": round(load_at_start[0], 2),
        },
        "results": results,
        "elapsed_seconds": round(time.monotonic() - STARTED, 1),
    }
    print(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
