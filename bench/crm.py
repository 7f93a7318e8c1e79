"""CRM reads at scale: Django against a raw WSGI app running the same SQL, on PostgreSQL.

Run from the project root with `.venv/bin/python bench/crm.py`. It prints one JSON document to
stdout; progress goes to stderr. See bench/README.md for what each figure means.

The bench user's personal workspace holds 10,000 clients and 100,000 notes spread over 2,500
projects; one designated project has 300 notes and 8 milestones. Three reads are measured through
the production server (granian WSGI, two workers, four blocking threads each, the full middleware
stack), signed in with a Bearer token:

- `GET /api/v1/clients` (a page of 20, default filters),
- `GET /api/v1/projects/<id>/notes` (a page of 20 of the designated project),
- `GET /api/v1/projects/<id>` (the designated project with its milestones).

Beside each, `bench/crm_baseline_app.py`, served by granian with the same options, runs the very
statements Django ran for one request of that endpoint (captured at start with their parameters)
through a psycopg pool, and writes the same JSON. Subject and baseline are loaded back to back, in
alternating order, for several rounds; the ratio of each adjacent pair is the figure to read.
"""

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

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
    http_get,
    log,
    manage,
    package_versions,
    run_wrk,
    server_env,
    spread,
)
from psycopg import sql

DB_NAME = "bench_crm"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
BENCH_EMAIL = "bench-crm@example.com"

CLIENTS = 10_000
PROJECTS = 2_500
NOTES = 100_000
MILESTONES_PER_PROJECT = 3
DESIGNATED_NAME = "Bench: the designated project"
DESIGNATED_NOTES = 300
DESIGNATED_MILESTONES = 8
SEED = 20_240_601

# The `target` is the least subject/baseline rps ratio the endpoint should reach (the issue's).
ENDPOINTS = {
    "clients": {"path": "/api/v1/clients", "target": 0.25},
    "project_notes": {"path": "/api/v1/projects/{project_id}/notes", "target": 0.25},
    "project_detail": {"path": "/api/v1/projects/{project_id}", "target": 0.22},
}
# What each captured statement is for, told apart by the table it reads; the baseline needs to
# know which result is the session, the membership, the count, the page.
ROLES_BY_TABLE = {
    "clients": {"crm_client": "page"},
    "project_notes": {"crm_project": "parent", "crm_note": "page"},
    "project_detail": {"crm_project": "project", "crm_milestone": "milestones"},
}
REQUIRED_ROLES = {
    "clients": ["auth", "membership", "count", "page"],
    "project_notes": ["auth", "membership", "parent", "count", "page"],
    "project_detail": ["auth", "membership", "project", "milestones"],
}

# Their PostgreSQL connections say who they are, so that their backends' CPU can be counted.
SUBJECT_APP, BASELINE_APP = "bench_crm_subject", "bench_crm_baseline"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Production: `--blocking-threads 4`, as in the Dockerfile (see bench/servers.py for why).
SUBJECT = Candidate(
    "django_granian_wsgi",
    "wsgi",
    granian("config.wsgi:application", "--blocking-threads", "4"),
)
BASELINE = Candidate(
    "baseline_raw_wsgi",
    "wsgi",
    granian("bench.crm_baseline_app:application", "--blocking-threads", "4"),
)


# --- Preparation, in a child process with the production settings ------------------------------


def prepare(out_path: Path) -> None:
    """Seed the workspace when needed, sign in, capture each endpoint's SQL; write JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from apps.accounts.models import User
    from apps.accounts.sessions import ClientInfo, start_session
    from apps.workspaces.models import Workspace

    user = User.objects.filter(email=BENCH_EMAIL).first()
    if user is None:
        user = User.objects.create_user(BENCH_EMAIL, name="CRM Bench User")
    workspace = Workspace.objects.get(personal_for=user)
    project = seeded_project(workspace)
    if project is None:
        project = seed(workspace, user)
    session, pair = start_session(user=user, client=ClientInfo(ip="127.0.0.1", user_agent="bench"))
    refs = {
        str(session.pk): "session_id",
        str(user.pk): "user_id",
        str(workspace.pk): "workspace_id",
        str(project.pk): "project_id",
    }
    endpoints = {name: capture(name, project, pair.access, refs) for name in ENDPOINTS}
    out_path.write_text(
        json.dumps(
            {
                "token": pair.access,
                "workspace_id": str(workspace.pk),
                "project_id": str(project.pk),
                "endpoints": endpoints,
            }
        )
    )


def seeded_project(workspace):
    """The designated project when the workspace already holds the right rows, else None."""
    from apps.crm.models import Client, Milestone, Note, Project

    project = Project.objects.filter(workspace=workspace, name=DESIGNATED_NAME).first()
    counts = {
        "clients": (Client.objects.filter(workspace=workspace).count(), CLIENTS),
        "projects": (Project.objects.filter(workspace=workspace).count(), PROJECTS),
        "notes": (Note.objects.filter(workspace=workspace).count(), NOTES),
    }
    if project is not None:
        counts["designated notes"] = (
            Note.objects.filter(project=project).count(),
            DESIGNATED_NOTES,
        )
        counts["designated milestones"] = (
            Milestone.objects.filter(project=project).count(),
            DESIGNATED_MILESTONES,
        )
    wrong = {name: found for name, (found, wanted) in counts.items() if found != wanted}
    if project is None or wrong:
        log(f"the workspace needs seeding (designated project: {project is not None}, "
            f"wrong counts: {wrong or 'none'})")  # fmt: skip
        return None
    log(f"already seeded: {', '.join(f'{n} {found}' for n, (found, _) in counts.items())}")
    return project


def seed(workspace, user):
    """Fill the bench database's CRM tables (emptied first) with COPY; answer the project."""
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.crm.models import Client, Milestone, Note, NoteVersion, Project, TimeEntry

    rng = random.Random(SEED)
    now = timezone.now()

    def moment(days: int):
        return now - timedelta(
            seconds=rng.randrange(days * 86400), microseconds=rng.randrange(10**6)
        )

    def new_id():
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    clients = []
    for number in range(CLIENTS):
        created = moment(730)
        clients.append({
            "id": new_id(), "created_at": created, "updated_at": created,
            "workspace_id": workspace.pk, "name": f"Client {number:05d}",
            "company": f"Company {rng.randrange(3000):04d} Ltd",
            "email": f"client{number}@example.com", "phone": f"+1 555 {number:07d}",
            "status": rng.choices(["active", "paused", "completed"], [7, 2, 1])[0],
            "archived_at": created + timedelta(days=30) if rng.random() < 0.1 else None,
            "created_by_id": user.pk,
        })  # fmt: skip

    projects = []
    for number in range(PROJECTS):
        client = rng.choice(clients)
        created = client["created_at"] + timedelta(days=rng.randrange(1, 60))
        start = created.date()
        projects.append({
            "id": new_id(), "created_at": created, "updated_at": created,
            "workspace_id": workspace.pk, "client_id": client["id"],
            "name": DESIGNATED_NAME if number == 0 else f"Project {number:05d}",
            "description": "Scope, deliverables and the people to talk to. " * rng.randrange(1, 6),
            "status": rng.choice(["planning", "active", "on_hold", "completed", "cancelled"]),
            "start_date": start, "due_date": start + timedelta(days=rng.randrange(14, 200)),
            "budget": Decimal(rng.randrange(1000, 90000)), "hourly_rate": Decimal("95.50"),
            "created_by_id": user.pk,
        })  # fmt: skip
    designated = projects[0]

    milestones = []
    for project in projects:
        count = DESIGNATED_MILESTONES if project is designated else MILESTONES_PER_PROJECT
        for order in range(count):
            created = project["created_at"] + timedelta(hours=order)
            done = order < count // 2
            milestones.append({
                "id": new_id(), "created_at": created, "updated_at": created,
                "workspace_id": workspace.pk, "project_id": project["id"],
                "title": f"Milestone {order + 1}",
                "due_date": project["start_date"] + timedelta(days=7 * (order + 1)),
                "done": done, "completed_at": created + timedelta(days=3) if done else None,
                "order": order,
            })  # fmt: skip

    others = projects[1:]
    notes = []
    for number in range(NOTES):
        if number < DESIGNATED_NOTES:
            client_id, project_id = None, designated["id"]
        elif rng.random() < 0.75:
            client_id, project_id = None, rng.choice(others)["id"]
        else:
            client_id, project_id = rng.choice(clients)["id"], None
        created = moment(365)
        words = " ".join(f"word{rng.randrange(5000)}" for _ in range(rng.randrange(10, 80)))
        notes.append({
            "id": new_id(), "created_at": created, "updated_at": created,
            "workspace_id": workspace.pk, "client_id": client_id, "project_id": project_id,
            "title": f"Note {number}" if number % 3 else "",
            "body": f"<p>{words}</p>", "body_text": words, "version": 1,
            "author_id": user.pk, "updated_by_id": user.pk,
        })  # fmt: skip

    emptied = (TimeEntry, NoteVersion, Note, Milestone, Project, Client)
    tables = ", ".join(model._meta.db_table for model in emptied)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
        for model, rows in ((Client, clients), (Project, projects), (Milestone, milestones),
                            (Note, notes)):  # fmt: skip
            copy_rows(cursor.cursor, model, rows)
            log(f"seeded {len(rows)} {model._meta.verbose_name_plural}")
    with connection.cursor() as cursor:
        for model in (Client, Project, Milestone, Note):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return Project.objects.get(pk=designated["id"])


def copy_rows(raw_cursor, model, rows: list[dict]) -> None:
    attnames = list(rows[0])
    columns = [model._meta.get_field(name).column for name in attnames]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with raw_cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in attnames])


def capture(name: str, project, token: str, refs: dict[str, str]) -> dict:
    """The statements (SQL and parameters) that one request of the endpoint runs."""
    from django.db import connection
    from django.test import Client as HttpClient

    path = ENDPOINTS[name]["path"].format(project_id=project.pk)
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
    statements = []
    for sql_text, params in executed:
        if sql_text.startswith('UPDATE "accounts_loginsession"'):
            continue  # at most once a minute per session, not per request
        statements.append({
            "role": statement_role(name, sql_text),
            "sql": sql_text,
            "params": None if params is None else [parameter(value, refs) for value in params],
        })  # fmt: skip
    roles = [statement["role"] for statement in statements]
    if sorted(set(roles) - {"extra"}) != sorted(REQUIRED_ROLES[name]):
        raise RuntimeError(f"{path}: unexpected statements {roles}: "
                           f"{[s['sql'][:120] for s in statements]}")  # fmt: skip
    return {"path": path, "statements": statements}


def statement_role(endpoint: str, sql_text: str) -> str:
    if 'FROM "accounts_loginsession"' in sql_text:
        return "auth"
    if 'FROM "workspaces_membership"' in sql_text:
        return "membership"
    if sql_text.startswith("SELECT COUNT(*)"):
        return "count"
    for table, role in ROLES_BY_TABLE[endpoint].items():
        if f'FROM "{table}"' in sql_text:
            return role
    return "extra"


def parameter(value, refs: dict[str, str]) -> dict:
    """A reference to a per-request value (session, user, workspace, project) or a constant."""
    if str(value) in refs:
        return {"ref": refs[str(value)]}
    json.dumps(value)  # a constant must survive the trip to the baseline unchanged
    return {"value": value}


# --- The run, in the parent process --------------------------------------------------------------


def ensure_database() -> str:
    """Create the bench database when missing; answer the PostgreSQL server version."""
    with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
            log(f"created database {DB_NAME}")
    return version


def run_prepare(env: dict[str, str], out_path: Path) -> dict:
    log("seed (if needed), sign in and capture the SQL of each endpoint")
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--prepare", str(out_path)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise RuntimeError(f"preparation failed:\n{result.stdout}")
    return json.loads(out_path.read_text())


def preflight() -> str:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    if not (BIN / "granian").exists():
        sys.exit(f"{BIN / 'granian'} is missing: .venv/bin/pip install -r requirements-dev.txt")
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    return (result.stdout + result.stderr).strip().splitlines()[0]


def check_same_answer(subject: Server, baseline: Server, paths: dict, headers: dict) -> dict:
    """Both servers must answer 200 with the same JSON (key order aside) on every endpoint."""
    checked = {}
    for name, path in paths.items():
        answers = [http_get(server.base_url + path, headers) for server in (subject, baseline)]
        for server, (status, body) in zip((subject, baseline), answers, strict=True):
            if status != 200:
                raise RuntimeError(f"{server.candidate.name} {path} answered {status}: "
                                   f"{body[:300]!r}")  # fmt: skip
        bodies = [json.loads(body) for _, body in answers]
        if bodies[0] != bodies[1]:
            raise RuntimeError(f"{name}: the baseline's body differs from Django's:\n"
                               f"django:   {answers[0][1][:600]!r}\n"
                               f"baseline: {answers[1][1][:600]!r}")  # fmt: skip
        data = bodies[0]["data"]
        checked[name] = {
            "same_body_as_baseline": True,
            "body_bytes": len(answers[0][1]),
            "rows": len(data) if isinstance(data, list) else len(data["milestones"]),
            "total": bodies[0].get("meta", {}).get("total"),
        }
        log(f"{name}: same body from both ({checked[name]['body_bytes']} bytes)")
    return checked


class CpuMeter:
    """CPU seconds spent by a server's process group and by its PostgreSQL backends.

    The backends are found by the `application_name` in the server's `DATABASE_URL`. Unlike the
    rps, these do not shrink when other work on the machine takes the cores, so their ratio
    moves less on a busy machine. Neither wrk nor Redis is counted.
    """

    def __init__(self, server: Server, application_name: str):
        self.server, self.application_name = server, application_name

    def snapshot(self) -> dict:
        with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                (self.application_name,),
            ).fetchall()
        group = self.server.process.pid
        server = sum(ticks for _, pgrp, ticks in _processes() if pgrp == group)
        backends = {pid: ticks for pid, _, ticks in _processes({pid for (pid,) in pids})}
        return {"server": server, "backends": backends}

    @staticmethod
    def spent(before: dict, after: dict, requests: int) -> dict:
        backends = sum(
            ticks - before["backends"].get(pid, 0) for pid, ticks in after["backends"].items()
        )
        per_request = 1000 / CLOCK_TICKS / max(requests, 1)
        return {
            "server": round((after["server"] - before["server"]) * per_request, 3),
            "postgres": round(backends * per_request, 3),
        }


def _processes(pids: set[int] | None = None):
    """(pid, process group, CPU ticks) of every process, or of the given ones."""
    names = [str(pid) for pid in pids] if pids is not None else os.listdir("/proc")
    for name in names:
        if not name.isdigit():
            continue
        try:
            stat = Path("/proc", name, "stat").read_text()
        except OSError:
            continue
        # Fields after the command, which is in parentheses and may hold spaces.
        fields = stat[stat.rindex(")") + 2 :].split()
        yield int(name), int(fields[2]), int(fields[11]) + int(fields[12])


def measure(servers: dict[str, Server], meters: dict, paths: dict, headers: dict, args) -> dict:
    for name, path in paths.items():
        log(f"warm-up {name}")
        for server in servers.values():
            run_wrk(server.base_url + path, headers=headers, seconds=args.warmup, args=args)
    rounds: dict[str, list[dict]] = {name: [] for name in paths}
    for number in range(args.rounds):
        for index, (name, path) in enumerate(paths.items()):
            # Which one goes first alternates, so a slow drift of the machine favours neither.
            first = (number + index) % 2 == 0
            order = ["subject", "baseline"] if first else ["baseline", "subject"]
            runs = {}
            for role in order:
                url = servers[role].base_url + path
                before = meters[role].snapshot()
                run = run_wrk(url, headers=headers, seconds=args.duration, args=args)
                run["cpu_ms_per_request"] = CpuMeter.spent(
                    before, meters[role].snapshot(), run["requests"]
                )
                runs[role] = run
            runs["ratio"] = round(runs["subject"]["rps"] / runs["baseline"]["rps"], 4)
            runs["cpu_ratio"] = round(cpu_ms(runs["baseline"]) / cpu_ms(runs["subject"]), 4)
            rounds[name].append(runs)
            log(f"round {number + 1} {name}: {runs['subject']['rps']:.0f} rps vs baseline "
                f"{runs['baseline']['rps']:.0f} (ratio {runs['ratio']:.3f}); CPU "
                f"{cpu_ms(runs['subject']):.2f} vs {cpu_ms(runs['baseline']):.2f} ms/request "
                f"(ratio {runs['cpu_ratio']:.3f})")  # fmt: skip
    return rounds


def cpu_ms(run: dict) -> float:
    return run["cpu_ms_per_request"]["server"] + run["cpu_ms_per_request"]["postgres"]


def side(runs: list[dict]) -> dict:
    return {
        "rps": [run["rps"] for run in runs],
        "p50_ms": [run["p50_ms"] for run in runs],
        "p95_ms": [run["p95_ms"] for run in runs],
        "median_rps": round(statistics.median(run["rps"] for run in runs), 1),
        "median_p50_ms": statistics.median(run["p50_ms"] for run in runs),
        "median_p95_ms": statistics.median(run["p95_ms"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
        "median_cpu_ms_per_request": {
            part: round(statistics.median(run["cpu_ms_per_request"][part] for run in runs), 3)
            for part in ("server", "postgres")
        },
    }


def ratio_spread(ratios: list[float]) -> dict:
    ratio = {"per_round": ratios, **spread(ratios)}
    if len(ratios) >= 2:
        q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive")
        ratio["iqr"] = [round(q1, 3), round(q3, 3)]
    return ratio


def summarize(name: str, runs: list[dict], checked: dict, statements: list[dict]) -> dict:
    ratio = ratio_spread([run["ratio"] for run in runs])
    target = ENDPOINTS[name]["target"]
    return {
        **checked,
        "queries": [statement["role"] for statement in statements],
        "subject": side([run["subject"] for run in runs]),
        "baseline": side([run["baseline"] for run in runs]),
        "ratio": ratio,
        "target": target,
        "met": ratio["median"] >= target,
        # Baseline CPU per request / subject CPU per request (server + PostgreSQL): what the
        # rps ratio tends to when the machine is saturated and busy with nothing else.
        "cpu_ratio": ratio_spread([run["cpu_ratio"] for run in runs]),
        "rounds": runs,
    }


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per endpoint")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--only", nargs="*", choices=list(ENDPOINTS), help="these endpoints only")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def main() -> int:
    args = parse_args()
    if args.prepare:
        prepare(args.prepare)
        return 0
    wrk_version = preflight()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    names = [name for name in ENDPOINTS if not args.only or name in args.only]
    estimate = len(names) * 2 * (args.rounds * args.duration + args.warmup)
    log(f"{len(names)} endpoints; about {estimate}s of load after seeding")

    load_at_start = os.getloadavg()
    env = {**server_env(), "DATABASE_URL": DATABASE_URL}
    pg_version = ensure_database()
    log("migrate")
    manage(env, "migrate", "--noinput", "-v", "0", timeout=300)
    with tempfile.TemporaryDirectory(prefix="bench-crm-") as tmp:
        spec_path = Path(tmp) / "statements.json"
        try:
            prepared = run_prepare(env, spec_path)
        except (RuntimeError, subprocess.SubprocessError) as error:
            log(f"failed: {error}")
            return 1
        headers = {"Authorization": f"Bearer {prepared['token']}"}
        paths = {name: prepared["endpoints"][name]["path"] for name in names}
        envs = {
            "subject": {**env, "DATABASE_URL": f"{DATABASE_URL}?application_name={SUBJECT_APP}"},
            "baseline": {
                **env,
                "DATABASE_URL": f"{DATABASE_URL}?application_name={BASELINE_APP}",
                "CRM_BASELINE_STATEMENTS": str(spec_path),
            },
        }
        servers = {
            "subject": Server(SUBJECT, envs["subject"], Path(tmp)),
            "baseline": Server(BASELINE, envs["baseline"], Path(tmp)),
        }
        meters = {
            "subject": CpuMeter(servers["subject"], SUBJECT_APP),
            "baseline": CpuMeter(servers["baseline"], BASELINE_APP),
        }
        try:
            for server in servers.values():
                server.start()
            checked = check_same_answer(servers["subject"], servers["baseline"], paths, headers)
            rounds = measure(servers, meters, paths, headers, args)
        except (RuntimeError, subprocess.SubprocessError, OSError) as error:
            log(f"failed: {error}")
            return 1
        finally:
            Server.stop_all()

    results = {
        name: summarize(
            name, rounds[name], checked[name], prepared["endpoints"][name]["statements"]
        )
        for name in names
    }
    document = {
        "benchmark": "crm",
        "config": {
            "subject": servers["subject"].command_line,
            "baseline": servers["baseline"].command_line,
            "baseline_what": "raw WSGI app (bench/crm_baseline_app.py): JWT check, then the "
            "statements Django ran for the endpoint, with the same parameters, through a "
            "psycopg_pool pool; the same JSON; no middleware, DRF or rate-limit counter",
            "workers_per_server": WORKERS,
            "blocking_threads": 4,
            "connections": args.connections,
            "wrk_threads": args.threads,
            "seconds_per_run": args.duration,
            "warmup_seconds": args.warmup,
            "rounds": args.rounds,
            "cpu_count": os.cpu_count(),
            "settings": "config.settings.production",
            "database": DB_NAME,
            "data": {
                "clients": CLIENTS,
                "projects": PROJECTS,
                "notes": NOTES,
                "designated_project": {
                    "id": prepared["project_id"],
                    "notes": DESIGNATED_NOTES,
                    "milestones": DESIGNATED_MILESTONES,
                },
            },
            "postgresql": pg_version,
            "wrk": wrk_version,
            "versions": package_versions(
                "Django", "djangorestframework", "granian", "psycopg", "psycopg-pool"
            ),
            # Other work on the machine skews absolute figures; the ratios less so.
            "loadavg_1m_before": round(load_at_start[0], 2),
        },
        "results": results,
        "all_targets_met": all(result["met"] for result in results.values()),
        "elapsed_seconds": round(time.monotonic() - STARTED, 1),
    }
    print(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
