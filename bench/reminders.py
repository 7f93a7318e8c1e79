"""Deadline reminders over 10,000 users: Django's job beside one SQL query and a bulk insert.

Run from the project root with `.venv/bin/python bench/reminders.py`. It prints one JSON document
to stdout; progress goes to stderr. See bench/README.md for what each figure means.

The database `bench_reminders` (created and migrated here) holds 10,000 users in several time
zones, each with a personal workspace, half of them also in one of 500 teams of ten. Every
workspace has a client, projects and milestones: a few due within each member's reminder window,
many not (done, past, due after the window or after the job's horizon). The job,
`apps.notifications.reminders.send_deadline_reminders`, runs twice at the same instant: the first
run tells everyone (a notification row and a queued email per reminder), the second finds every
key used and tells nobody. Its queries are counted with CaptureQueriesContext.

The baseline, in the same process and the same rounds, is the floor for the same work: one SQL
statement that selects every (person, item) pair due within the person's window, in their time
zone, through psycopg, then the same notification rows (same keys, titles, bodies, links and
data) built in Python and inserted in bulk (COPY into a temporary table, then one INSERT ... ON
CONFLICT DO NOTHING). It renders no email and queues none.

The email task does not run: Celery publishes to an in-memory broker that no worker reads
(`--eager` runs it in-process instead, against the locmem email backend). The `notification:new`
events go to the channel layer as in production (channels-redis on Redis database 14), so the
bench needs PostgreSQL and Redis on 127.0.0.1.
"""

import argparse
import collections
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from harness import ADMIN_DSN, ROOT, STARTED, log, manage, package_versions, server_env, spread
from psycopg import sql

DB_NAME = "bench_reminders"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
RAW_DSN = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
# Stored as the milestone table's comment with the seed's instant; a different recipe reseeds.
SEED_MARK = "bench/reminders.py seed 1"
SEED = 20_250_901

USERS = 10_000
TEAMS = 500
TEAM_SIZE = 10
# Of a team's ten members: who may edit the CRM (and hears of deadlines) and who only watches.
TEAM_ROLES = ["owner", "admin", "member", "member", "member", "member", "member", "member",
              "viewer", "viewer"]  # fmt: skip
INACTIVE_SHARE = 0.02
ZONES = ["UTC", "Europe/London", "Europe/Paris", "America/New_York", "America/Los_Angeles",
         "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland",
         "Pacific/Honolulu"]  # fmt: skip
# (share of users, their NotificationPreference row): None is no row (the default window).
PREFERENCES = [
    (0.60, None),
    (0.25, {"reminder_window_days": 3, "choices": {}}),
    (0.10, {"reminder_window_days": 7, "choices": {}}),
    (0.05, {"reminder_window_days": None, "choices": {"deadline_reminder": {"email": False}}}),
]


# --- The child process: Django set up against the bench database --------------------------------


def child(out_path: Path, rounds: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    now = seeded_instant() or seed()
    connection.ensure_connection()
    with psycopg.connect(RAW_DSN, autocommit=True) as raw:
        raw.execute("SET TIME ZONE 'UTC'")
        results = [measure_round(index, now, raw) for index in range(rounds)]
        data = data_counts(raw)
    out_path.write_text(json.dumps({"now": now.isoformat(), "data": data, "rounds": results}))


def seeded_instant() -> datetime | None:
    """The seed's instant when the database holds this recipe's rows, else None."""
    from django.db import connection

    from apps.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description('crm_milestone'::regclass, 'pg_class')")
        mark = cursor.fetchone()[0] or ""
    recipe, _, instant = mark.rpartition(" at ")
    if recipe != SEED_MARK or User.objects.count() != USERS:
        log(f"the database needs seeding (mark: {mark or 'none'})")
        return None
    log(f"already seeded at {instant}")
    return datetime.fromisoformat(instant)


def seed() -> datetime:
    """Empty the tables and fill them with COPY; answer the instant the due dates are set from."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.crm.models import Client, Milestone, Project
    from apps.notifications.models import NotificationPreference
    from apps.workspaces.models import Membership, Workspace

    rng = random.Random(SEED)
    now = timezone.now().replace(microsecond=0)
    utc_today = now.date()
    default_window = settings.REMINDER_DEFAULT_WINDOW_DAYS

    def new_id():
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    users, preferences, workspaces, memberships = [], [], [], []
    clients, projects, milestones = [], [], []
    windows, local_today = {}, {}
    for number in range(USERS):
        zone = rng.choice(ZONES)
        name = f"Reminder User {number:05d}"
        user = {
            "id": new_id(), "created_at": now, "updated_at": now, "password": "!",
            "email": f"reminders{number:05d}@bench.example", "name": name,
            "username": f"reminders{number:05d}", "initials": "RU",
            "avatar_color": f"hsl({number % 360}, 55%, 45%)", "timezone": zone,
            "is_active": rng.random() >= INACTIVE_SHARE,
        }  # fmt: skip
        users.append(user)
        share, choice = rng.random(), None
        for weight, option in PREFERENCES:
            if share < weight:
                choice = option
                break
            share -= weight
        window = default_window
        if choice is not None:
            preferences.append({"id": new_id(), "created_at": now, "updated_at": now,
                                "user_id": user["id"], **choice})  # fmt: skip
            window = choice["reminder_window_days"] or default_window
        windows[user["id"]] = window
        local_today[user["id"]] = now.astimezone(ZoneInfo(zone)).date()
        workspace = {"id": new_id(), "created_at": now, "updated_at": now,
                     "name": f"{name}'s workspace", "personal_for_id": user["id"],
                     "created_by_id": user["id"]}  # fmt: skip
        workspaces.append(workspace)
        memberships.append({"id": new_id(), "created_at": now, "updated_at": now,
                            "workspace_id": workspace["id"], "user_id": user["id"],
                            "role": "owner"})  # fmt: skip

    def work(workspace_id, owner_id, today, window, due_now: int, projects_count: int):
        """A client with projects and milestones: `due_now` due within the window, the rest
        not (done, past, after the window but inside the job's 15-day horizon, or later)."""
        client = {"id": new_id(), "created_at": now, "updated_at": now,
                  "workspace_id": workspace_id, "name": f"Client of {str(workspace_id)[:8]}",
                  "company": "Bench Ltd", "email": "client@bench.example", "phone": "",
                  "status": "active", "archived_at": None, "created_by_id": owner_id}  # fmt: skip
        clients.append(client)
        own_projects = []
        for number in range(projects_count):
            # One project in twenty is itself due within the window.
            due = (today + timedelta(days=rng.randint(0, window)) if rng.random() < 0.05
                   else utc_today + timedelta(days=rng.randint(40, 200)))  # fmt: skip
            project = {"id": new_id(), "created_at": now, "updated_at": now,
                       "workspace_id": workspace_id, "client_id": client["id"],
                       "name": f"Project {number + 1}", "description": "",
                       "status": "active", "start_date": utc_today - timedelta(days=30),
                       "due_date": due, "budget": None, "hourly_rate": None,
                       "created_by_id": owner_id}  # fmt: skip
            projects.append(project)
            own_projects.append(project)
        not_due = [
            ("done", today + timedelta(days=rng.randint(0, window))),
            ("past", utc_today - timedelta(days=rng.randint(2, 60))),
            ("past", utc_today - timedelta(days=rng.randint(2, 60))),
            ("after window", today + timedelta(days=rng.randint(window + 1, 16))),
            ("after window", today + timedelta(days=rng.randint(window + 1, 16))),
            ("later", utc_today + timedelta(days=rng.randint(20, 120))),
            ("later", utc_today + timedelta(days=rng.randint(20, 120))),
            ("later", utc_today + timedelta(days=rng.randint(20, 120))),
        ]
        due_dates = [("due", today + timedelta(days=rng.randint(0, window)))
                     for _ in range(due_now)]  # fmt: skip
        for order, (what, due) in enumerate(due_dates + not_due):
            project = rng.choice(own_projects)
            milestones.append({"id": new_id(), "created_at": now, "updated_at": now,
                               "workspace_id": workspace_id, "project_id": project["id"],
                               "title": f"Milestone {order + 1} ({what})", "due_date": due,
                               "done": what == "done",
                               "completed_at": now if what == "done" else None,
                               "order": order})  # fmt: skip

    for user, workspace in zip(users, workspaces, strict=True):
        work(workspace["id"], user["id"], local_today[user["id"]], windows[user["id"]], 2, 2)
    for team in range(TEAMS):
        members = users[team * TEAM_SIZE : (team + 1) * TEAM_SIZE]
        workspace = {"id": new_id(), "created_at": now, "updated_at": now,
                     "name": f"Team {team:03d}", "personal_for_id": None,
                     "created_by_id": members[0]["id"]}  # fmt: skip
        workspaces.append(workspace)
        for member, role in zip(members, TEAM_ROLES, strict=True):
            memberships.append({"id": new_id(), "created_at": now, "updated_at": now,
                                "workspace_id": workspace["id"], "user_id": member["id"],
                                "role": role})  # fmt: skip
        # Team items are due by UTC's calendar; each member's zone and window decide.
        work(workspace["id"], members[0]["id"], utc_today, default_window, 2, 3)

    tables = [User, NotificationPreference, Workspace, Membership, Client, Project, Milestone]
    with transaction.atomic(), connection.cursor() as cursor:
        names = ", ".join(model._meta.db_table for model in tables)
        cursor.execute(f"TRUNCATE {names} CASCADE")
        for model, rows in zip(tables, (users, preferences, workspaces, memberships, clients,
                                        projects, milestones), strict=True):  # fmt: skip
            copy_rows(cursor.cursor, model, rows)
            log(f"seeded {len(rows)} {model._meta.verbose_name_plural}")
        cursor.execute(
            sql.SQL("COMMENT ON TABLE crm_milestone IS {}")
            .format(sql.Literal(f"{SEED_MARK} at {now.isoformat()}"))
            .as_string(cursor.cursor.connection)
        )
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return now


def copy_rows(raw_cursor, model, rows: list[dict]) -> None:
    """COPY rows in, every column filled: the model's defaults for what a row leaves out."""
    from psycopg.types.json import Jsonb

    fields = [field for field in model._meta.concrete_fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(field.column) for field in fields),
    )
    with raw_cursor.copy(statement) as copy:
        for row in rows:
            values = []
            for field in fields:
                value = row[field.attname] if field.attname in row else field.get_default()
                if field.get_internal_type() == "JSONField":
                    value = Jsonb(value)
                elif field.get_internal_type() == "FileField":
                    value = str(value or "")
                values.append(value)
            copy.write_row(values)


def data_counts(raw) -> dict:
    def count(query):
        return raw.execute(query).fetchone()[0]

    return {
        "users": count("SELECT COUNT(*) FROM accounts_user"),
        "inactive_users": count("SELECT COUNT(*) FROM accounts_user WHERE NOT is_active"),
        "preference_rows": count("SELECT COUNT(*) FROM notifications_notificationpreference"),
        "workspaces": count("SELECT COUNT(*) FROM workspaces_workspace"),
        "teams": count("SELECT COUNT(*) FROM workspaces_workspace WHERE personal_for_id IS NULL"),
        "memberships": count("SELECT COUNT(*) FROM workspaces_membership"),
        "projects": count("SELECT COUNT(*) FROM crm_project"),
        "milestones": count("SELECT COUNT(*) FROM crm_milestone"),
    }


# --- One round: baseline, Django (first and second run), baseline again --------------------------


def measure_round(index: int, now: datetime, raw) -> dict:
    from django.db import connection

    # The query log would otherwise keep only the last 9,000 statements of a run.
    connection.queries_log = collections.deque()
    # The first round counts the queries; the log's own cost stays out of later rounds.
    count_queries = index == 0
    clear_notifications(raw)
    base_first = run_baseline(raw, now)
    log(f"round {index + 1}: baseline, first run: {base_first['rows_inserted']} rows in "
        f"{base_first['seconds']:.2f}s")  # fmt: skip
    baseline_rows = notification_rows(raw)
    clear_notifications(raw)
    django_first = run_django(now, count_queries=count_queries)
    log_django(index, "first", django_first)
    django_rows = notification_rows(raw)
    django_second = run_django(now, count_queries=count_queries)
    log_django(index, "second", django_second)
    base_second = run_baseline(raw, now)
    log(f"round {index + 1}: baseline, second run: {base_second['rows_inserted']} rows in "
        f"{base_second['seconds']:.2f}s")  # fmt: skip
    if django_rows != baseline_rows:
        only_django, only_baseline = django_rows - baseline_rows, baseline_rows - django_rows
        raise RuntimeError(
            f"Django and the baseline wrote different rows: {len(only_django)} only by Django "
            f"(e.g. {sorted(only_django)[:2]}), {len(only_baseline)} only by the baseline "
            f"(e.g. {sorted(only_baseline)[:2]})"
        )
    if django_second["reminders_sent"] or base_second["rows_inserted"]:
        raise RuntimeError("the second run told someone again")
    return {
        "first_run": {"django": django_first, "baseline": base_first},
        "second_run": {"django": django_second, "baseline": base_second},
        "same_rows_as_baseline": True,
    }


def log_django(index: int, run: str, result: dict) -> None:
    queries = result["queries"] if result["query_log"] else "uncounted"
    log(f"round {index + 1}: django, {run} run: {result['reminders_sent']} reminders in "
        f"{result['seconds']:.2f}s, {queries} queries")  # fmt: skip


def clear_notifications(raw) -> None:
    raw.execute("TRUNCATE notifications_notification, notifications_emaildelivery")


def notification_rows(raw) -> set:
    return set(
        raw.execute(
            "SELECT user_id::text, key, kind, title, body, link, data::text"
            " FROM notifications_notification"
        ).fetchall()
    )


def timed(spent: list):
    """Wrap a function so that the seconds of each call land in `spent`."""

    def wrap(function):
        def inner(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent.append(time.perf_counter() - started)

        return inner

    return wrap


def run_django(now: datetime, *, count_queries: bool) -> dict:
    """One run of the job. Besides its time and queries, where some of the time went: the
    email templates, the `notification:new` publish to the channel layer and the email task's
    publish to the broker (measured by wrapping them; their code runs unchanged)."""
    from celery.signals import after_task_publish, before_task_publish
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.notifications import emails, realtime
    from apps.notifications.models import EmailDelivery
    from apps.notifications.reminders import send_deadline_reminders

    rendering, realtime_sends, task_publishes = [], [], []
    publish_started = []
    render_email, send_event = emails.render_email, realtime._send

    def before_publish(**kwargs):
        publish_started.append(time.perf_counter())

    def after_publish(**kwargs):
        task_publishes.append(time.perf_counter() - publish_started.pop())

    before_task_publish.connect(before_publish, weak=False)
    after_task_publish.connect(after_publish, weak=False)
    emails.render_email = timed(rendering)(render_email)
    realtime._send = timed(realtime_sends)(send_event)
    emails_before = EmailDelivery.objects.count()
    try:
        log_queries = CaptureQueriesContext(connection) if count_queries else None
        with log_queries if log_queries is not None else contextlib.nullcontext():
            started = time.perf_counter()
            run = send_deadline_reminders(now=now)
            seconds = time.perf_counter() - started
    finally:
        emails.render_email, realtime._send = render_email, send_event
        before_task_publish.disconnect(before_publish)
        after_task_publish.disconnect(after_publish)
    sent = len(run.sent)
    captured = log_queries.captured_queries if log_queries is not None else None
    queries = len(captured) if captured is not None else None
    statements = collections.Counter(
        query["sql"].split(None, 1)[0].upper() for query in captured or ()
    )
    return {
        "seconds": round(seconds, 3),
        "reminders_sent": sent,
        "items_checked": run.checked_items,
        "people": run.people,
        "query_log": count_queries,
        "queries": queries,
        "queries_by_statement": dict(statements.most_common()) if count_queries else None,
        "queries_per_reminder": round(queries / sent, 2) if sent and count_queries else None,
        "ms_per_reminder": round(seconds * 1000 / sent, 3) if sent else None,
        "emails_queued": EmailDelivery.objects.count() - emails_before,
        "tasks_published": len(task_publishes),
        "render_seconds": round(sum(rendering), 3),
        "realtime_publishes": len(realtime_sends),
        "realtime_publish_seconds": round(sum(realtime_sends), 3),
        "task_publish_seconds": round(sum(task_publishes), 3),
    }


# Every (person, item) pair due within the person's window, counted in their time zone; the
# same rules as `reminders.send_deadline_reminders` (roles that edit the CRM, active users,
# open items of live clients, the in-app channel on).
SELECTION = """
WITH people AS (
    SELECT m.workspace_id, u.id AS user_id,
           COALESCE(p.reminder_window_days, %(default_window)s) AS window_days,
           (%(now)s::timestamptz AT TIME ZONE COALESCE(NULLIF(u.timezone, ''), 'UTC'))::date
               AS today
    FROM workspaces_membership m
    JOIN accounts_user u ON u.id = m.user_id
    LEFT JOIN notifications_notificationpreference p ON p.user_id = u.id
    WHERE m.role = ANY(%(roles)s) AND u.is_active
      AND COALESCE((p.choices -> 'deadline_reminder' ->> 'in_app')::boolean, TRUE)
), items AS (
    SELECT 'milestone' AS kind, ms.id, ms.workspace_id, ms.title, pr.name AS project,
           c.name AS client, ms.due_date, ms.project_id
    FROM crm_milestone ms
    JOIN crm_project pr ON pr.id = ms.project_id
    JOIN crm_client c ON c.id = pr.client_id
    WHERE NOT ms.done AND ms.due_date BETWEEN %(start)s AND %(end)s
      AND pr.status <> ALL(%(finished)s) AND c.archived_at IS NULL
    UNION ALL
    SELECT 'project', pr.id, pr.workspace_id, pr.name, pr.name, c.name, pr.due_date, pr.id
    FROM crm_project pr
    JOIN crm_client c ON c.id = pr.client_id
    WHERE pr.due_date BETWEEN %(start)s AND %(end)s
      AND pr.status <> ALL(%(finished)s) AND c.archived_at IS NULL
)
SELECT pe.user_id, pe.window_days, i.kind, i.id, i.title, i.project, i.client, i.due_date,
       i.project_id, i.due_date - pe.today AS days_left
FROM items i JOIN people pe ON pe.workspace_id = i.workspace_id
WHERE i.due_date - pe.today BETWEEN 0 AND pe.window_days
"""
COLUMNS = ["id", "created_at", "updated_at", "user_id", "kind", "title", "body", "data", "link",
           "key"]  # fmt: skip


def run_baseline(raw, now: datetime) -> dict:
    from django.conf import settings

    from apps.crm.models import Project
    from apps.notifications.kinds import REMINDER_WINDOW_MAX_DAYS
    from apps.workspaces.roles import Perm, roles_with

    params = {
        "now": now,
        "default_window": settings.REMINDER_DEFAULT_WINDOW_DAYS,
        "roles": [str(role) for role in roles_with(Perm.CRM_EDIT)],
        "finished": [Project.Status.COMPLETED.value, Project.Status.CANCELLED.value],
        "start": now.date() - timedelta(days=1),
        "end": now.date() + timedelta(days=REMINDER_WINDOW_MAX_DAYS + 1),
    }
    started = time.perf_counter()
    with raw.transaction():
        pairs = raw.execute(SELECTION, params).fetchall()
        created = datetime.now(tz=now.tzinfo)
        rows = []
        for user_id, window, kind, item_id, title, project, client, due, project_id, days in pairs:
            when = "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
            what = "Milestone" if kind == "milestone" else "Project"
            data = {"itemType": kind, "itemId": str(item_id), "dueDate": due.isoformat()}
            rows.append((
                uuid.uuid4(), created, created, user_id, "deadline_reminder",
                f"{what} due {when}: {title}"[:200],
                f"{project} for {client} is due {due:%A %d %B}.",
                json.dumps(data), f"/dashboard/projects/{project_id}/",
                f"deadline:{kind}:{item_id}:{due.isoformat()}:{window}",
            ))  # fmt: skip
        raw.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS reminder_rows"
            " (LIKE notifications_notification INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
        with raw.cursor().copy(
            sql.SQL("COPY reminder_rows ({}) FROM STDIN").format(columns)
        ) as copy:
            for row in rows:
                copy.write_row(row)
        inserted = raw.execute(
            sql.SQL(
                "INSERT INTO notifications_notification ({0}) SELECT {0} FROM reminder_rows"
                " ON CONFLICT (user_id, key) WHERE key <> '' DO NOTHING"
            ).format(columns)
        ).rowcount
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "pairs_selected": len(pairs),
        "rows_inserted": inserted,
        "statements": 4,  # the SELECT, the temporary table, the COPY, the INSERT
    }


# --- The parent process ---------------------------------------------------------------------------


def ensure_database() -> str:
    """Create the bench database when missing; answer the PostgreSQL server version."""
    with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
            log(f"created database {DB_NAME}")
    return version


def bench_env(eager: bool) -> dict[str, str]:
    env = {**server_env(), "DATABASE_URL": DATABASE_URL}
    if eager:
        # The email task runs in-process at each commit and "sends" into memory.
        env.update(CELERY_TASK_ALWAYS_EAGER="true", CELERY_BROKER_URL="memory://localhost/")
    else:
        # Published to a broker in this process's memory that no worker reads.
        env.update(CELERY_TASK_ALWAYS_EAGER="false", CELERY_BROKER_URL="memory://localhost/")
    env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    return env


# Counts that are the same in every round; the last round's are reported.
DJANGO_COUNTS = ("reminders_sent", "items_checked", "people", "queries", "queries_by_statement",
                 "queries_per_reminder", "emails_queued", "tasks_published",
                 "realtime_publishes")  # fmt: skip


def summarize(rounds: list[dict], run: str) -> dict:
    """Counts from the first round (the one with the query log); times and ratios from the
    rounds without it, or from the first when it ran alone."""
    pairs = [(r[run]["django"], r[run]["baseline"]) for r in rounds]
    counted, counted_baseline = pairs[0]
    timed_pairs = [(d, b) for d, b in pairs if not d["query_log"]] or pairs
    ratios = [b["seconds"] / d["seconds"] for d, b in timed_pairs]
    slower = statistics.median(d["seconds"] for d, _ in timed_pairs) / statistics.median(
        b["seconds"] for _, b in timed_pairs
    )
    selected = counted_baseline["pairs_selected"]
    return {
        "django": {
            "seconds": spread([d["seconds"] for d, _ in timed_pairs]),
            "seconds_with_query_log": counted["seconds"],
            **{key: counted[key] for key in DJANGO_COUNTS},
            "ms_per_reminder": spread([d["ms_per_reminder"] or 0 for d, _ in timed_pairs]),
            **{
                key: spread([d[key] for d, _ in timed_pairs])
                for key in ("render_seconds", "realtime_publish_seconds", "task_publish_seconds")
            },
        },
        "baseline": {
            "seconds": spread([b["seconds"] for _, b in timed_pairs]),
            "pairs_selected": selected,
            "rows_inserted": counted_baseline["rows_inserted"],
            "statements": counted_baseline["statements"],
        },
        # Per person and due item (the baseline's selection), whether told now or before.
        "django_queries_per_due_pair": round(counted["queries"] / selected, 2)
        if selected
        else None,
        # Baseline seconds / Django seconds: the share of the floor's speed Django reaches.
        "ratio": spread(ratios, digits=4),
        "times_slower": round(slower, 1),
        "timed_rounds": len(timed_pairs),
    }


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds to run (2)")
    parser.add_argument(
        "--eager",
        action="store_true",
        help="run the email task in-process (locmem backend), inside the timing",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        child(args.child, args.rounds)
        return 0
    load_at_start = os.getloadavg()
    try:
        pg_version = ensure_database()
    except psycopg.OperationalError as error:
        log(f"PostgreSQL is not reachable at 127.0.0.1:5432: {error}")
        return 1
    env = bench_env(args.eager)
    log(f"migrate {DB_NAME}")
    try:
        manage(env, "migrate", "--noinput", timeout=900)
    except (RuntimeError, subprocess.SubprocessError) as error:
        log(f"failed: {error}")
        return 1
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as tmp:
        out_path = Path(tmp) / "result.json"
        argv = [sys.executable, str(Path(__file__).resolve()), "--child", str(out_path),
                "--rounds", str(args.rounds)]  # fmt: skip
        result = subprocess.run(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, timeout=3600)
        if result.returncode != 0 or not out_path.exists():
            log("failed: the measuring process did not finish (see above)")
            return 1
        measured = json.loads(out_path.read_text())

    rounds = measured["rounds"]
    document = {
        "benchmark": "reminders",
        "config": {
            "database": DB_NAME,
            "settings": "config.settings.production",
            "now": measured["now"],
            "data": {**measured["data"], "zones": ZONES, "team_roles": TEAM_ROLES},
            "email_task": "run in-process against the locmem backend (--eager)"
            if args.eager
            else "published to an in-memory broker (memory://) that no worker reads",
            "rounds": args.rounds,
            "cpu_count": os.cpu_count(),
            "postgresql": pg_version,
            "versions": package_versions("Django", "psycopg", "celery", "kombu"),
            "loadavg_1m_before": round(load_at_start[0], 2),
        },
        "timing_includes": {
            "django": "one call of send_deadline_reminders(now=...) in a process that is "
            "already connected: its selection (items, memberships, preferences), then per "
            "reminder a transaction with the notification row, both email templates rendered, "
            "the EmailDelivery row, the commit, and after it the notification:new publish to "
            "the channel layer (channels-redis pub/sub on Redis database 14) and the email "
            "task's publish"
            + (" and run (claim, locmem send)" if args.eager else "")
            + "; Django's query log (CaptureQueriesContext) is on for the whole call",
            "baseline": "one transaction on an open psycopg connection: the selection in one "
            "SELECT, the notification rows built in Python (same keys, titles, bodies, links, "
            "data), COPY into a temporary table and one INSERT ... ON CONFLICT DO NOTHING; no "
            "email rendered, stored or queued",
        },
        "results": {
            "first_run": summarize(rounds, "first_run"),
            "second_run": summarize(rounds, "second_run"),
            "same_rows_as_baseline": all(r["same_rows_as_baseline"] for r in rounds),
        },
        "rounds": rounds,
        "elapsed_seconds": round(time.monotonic() - STARTED, 1),
    }
    print(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
