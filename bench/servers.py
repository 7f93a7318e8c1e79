"""Choose the production HTTP server: granian (WSGI), gunicorn (gthread) or uvicorn (ASGI).

Run from the project root with `.venv/bin/python bench/servers.py`. It prints one JSON document to
stdout; progress goes to stderr. See bench/README.md for what each figure means.

Every candidate serves the production settings against PostgreSQL and Redis on 127.0.0.1 with two
worker processes, one at a time. Next to it, for the whole run, `bench/baseline_app.py` (a raw
WSGI app answering the same JSON through psycopg) is served by granian with the same options. Each
round loads the candidate and the baseline back to back with `wrk`, so the ratio of the two cancels
most of the machine's drift.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    BIN,
    ROOT,
    STARTED,
    WORKERS,
    Candidate,
    Server,
    ensure_database,
    granian,
    http_get,
    log,
    manage,
    package_versions,
    run_wrk,
    server_env,
    spread,
)

BENCH_EMAIL = "bench@example.com"

ENDPOINTS = {
    "health_live": {"path": "/api/v1/health/live", "auth": False},
    "auth_me": {"path": "/api/v1/auth/me", "auth": True},
}

# --- The servers --------------------------------------------------------------------------------


def gunicorn(port: int) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        *f"config.wsgi:application -w {WORKERS} -k gthread --threads 4".split(),
        *f"-b 127.0.0.1:{port} --log-level warning --chdir".split(),
        str(ROOT),
    ]


def uvicorn(port: int) -> list[str]:
    return [
        str(BIN / "uvicorn"),
        *f"config.asgi:application --host 127.0.0.1 --port {port} --workers {WORKERS}".split(),
        # Channels' router has no lifespan support; uvicorn would only log that it is missing.
        *["--lifespan", "off", "--log-level", "warning", "--no-access-log"],
    ]


CANDIDATES = [
    Candidate("granian_wsgi", "wsgi", granian("config.wsgi:application")),
    # granian's WSGI default is backpressure/2 = 256 blocking threads per worker: with 32
    # connections that is 16 threads per process fighting over the GIL and a 10-connection
    # database pool. Four threads is what gunicorn gets below.
    Candidate(
        "granian_wsgi_4threads",
        "wsgi",
        granian("config.wsgi:application", "--blocking-threads", "4"),
    ),
    Candidate("gunicorn_gthread", "wsgi", gunicorn),
    Candidate("uvicorn_asgi", "asgi", uvicorn),
]
BASELINE = Candidate("baseline_raw_wsgi", "wsgi", granian("bench.baseline_app:application"))


# --- Preparation --------------------------------------------------------------------------------


SESSION_CODE = f"""
from apps.accounts.models import User
from apps.accounts.sessions import ClientInfo, start_session
user = User.objects.filter(email={BENCH_EMAIL!r}).first()
if user is None:
    user = User.objects.create_user({BENCH_EMAIL!r}, name="Bench User")
_, pair = start_session(user=user, client=ClientInfo(ip="127.0.0.1", user_agent="bench"))
print("BENCH_TOKEN=" + pair.access)
"""


def prepare_database(env: dict[str, str]) -> tuple[str, str]:
    """Create and migrate the bench database; return (access token, PostgreSQL version)."""
    version = ensure_database()
    log("migrate")
    manage(env, "migrate", "--noinput", "-v", "0", timeout=180)
    log("sign in the bench user")
    output = manage(env, "shell", "--no-imports", "-c", SESSION_CODE, timeout=60)
    for line in output.splitlines():
        if line.startswith("BENCH_TOKEN="):
            return line.removeprefix("BENCH_TOKEN="), version
    raise RuntimeError(f"no token in the shell output:\n{output}")


def preflight(candidates: list[Candidate]) -> str:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    for candidate in [BASELINE, *candidates]:
        binary = Path(candidate.command(0)[0])
        if not binary.exists():
            sys.exit(f"{binary} is missing: .venv/bin/pip install -r requirements-dev.txt")
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    return (result.stdout + result.stderr).strip().splitlines()[0]


# --- Load ---------------------------------------------------------------------------------------


def check_same_answer(subject: Server, baseline: Server, headers: dict[str, str]) -> dict:
    """Both servers must answer 200 to every endpoint, and they should send the same JSON."""
    same = {}
    for name, endpoint in ENDPOINTS.items():
        sent = headers if endpoint["auth"] else {}
        servers = (subject, baseline)
        answers = [http_get(server.base_url + endpoint["path"], sent) for server in servers]
        for server, (status, body) in zip(servers, answers, strict=True):
            if status != 200:
                raise RuntimeError(f"{server.candidate.name} {endpoint['path']} answered {status}: "
                                   f"{body[:300]!r}")  # fmt: skip
        same[name] = json.loads(answers[0][1]) == json.loads(answers[1][1])
        if not same[name]:
            log(f"warning: {name} bodies differ: {answers[0][1][:400]!r} {answers[1][1][:400]!r}")
    return same


def bench_candidate(candidate: Candidate, baseline: Server, env, log_dir, headers, args) -> dict:
    subject = Server(candidate, env, log_dir).start()
    try:
        same_body = check_same_answer(subject, baseline, headers)
        for name, endpoint in ENDPOINTS.items():
            sent = headers if endpoint["auth"] else {}
            log(f"warm-up {candidate.name} {name}")
            for server in (subject, baseline):
                url = server.base_url + endpoint["path"]
                run_wrk(url, headers=sent, seconds=args.warmup, args=args)

        rounds: dict[str, list[dict]] = {name: [] for name in ENDPOINTS}
        for number in range(args.rounds):
            for name, endpoint in ENDPOINTS.items():
                sent = headers if endpoint["auth"] else {}
                pair = {"subject": subject, "baseline": baseline}
                # ABBA: which one goes first alternates, so a slow drift favours neither.
                order = ["subject", "baseline"] if number % 2 == 0 else ["baseline", "subject"]
                runs = {}
                for role in order:
                    url = pair[role].base_url + endpoint["path"]
                    runs[role] = run_wrk(url, headers=sent, seconds=args.duration, args=args)
                runs["ratio"] = round(runs["subject"]["rps"] / runs["baseline"]["rps"], 4)
                rounds[name].append(runs)
                log(f"round {number + 1} {candidate.name} {name}: "
                    f"{runs['subject']['rps']:.0f} rps vs baseline {runs['baseline']['rps']:.0f} "
                    f"(ratio {runs['ratio']:.3f})")  # fmt: skip
    finally:
        subject.stop()

    result = {"interface": candidate.interface, "command": subject.command_line}
    for name, runs in rounds.items():
        subject_runs = [run["subject"] for run in runs]
        baseline_runs = [run["baseline"] for run in runs]
        result[name] = {
            "path": ENDPOINTS[name]["path"],
            "same_body_as_baseline": same_body[name],
            "rps": spread([run["rps"] for run in subject_runs], 1),
            "p50_ms": statistics.median(run["p50_ms"] for run in subject_runs),
            "p95_ms": statistics.median(run["p95_ms"] for run in subject_runs),
            "errors": sum(run["errors"] for run in subject_runs),
            "baseline_rps": spread([run["rps"] for run in baseline_runs], 1),
            "baseline_p50_ms": statistics.median(run["p50_ms"] for run in baseline_runs),
            "baseline_p95_ms": statistics.median(run["p95_ms"] for run in baseline_runs),
            "baseline_errors": sum(run["errors"] for run in baseline_runs),
            "ratio_to_baseline": spread([run["ratio"] for run in runs]),
            "rounds": runs,
        }
    return result


def compare(results: dict, reference: str = "granian_wsgi") -> dict:
    """Each server's median baseline ratio over the reference's: >1 is faster than the reference."""
    if reference not in results or "error" in results[reference]:
        return {}
    comparison = {}
    for name in ENDPOINTS:
        ref = results[reference][name]["ratio_to_baseline"]["median"]
        comparison[name] = {
            server: round(result[name]["ratio_to_baseline"]["median"] / ref, 3)
            for server, result in results.items()
            if "error" not in result
        }
    return {"reference": reference, "relative_throughput": comparison}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per endpoint")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--only", nargs="*", choices=[c.name for c in CANDIDATES], help="bench only these servers"
    )
    return parser.parse_args()


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def main() -> int:
    args = parse_args()
    candidates = [c for c in CANDIDATES if not args.only or c.name in args.only]
    wrk_version = preflight(candidates)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    loads = len(candidates) * len(ENDPOINTS) * 2
    estimate = loads * (args.rounds * args.duration + args.warmup) + 10 * len(candidates) + 15
    log(f"{len(candidates)} servers; expect about {estimate}s")

    load_at_start = os.getloadavg()
    env = server_env()
    token, pg_version = prepare_database(env)
    headers = {"Authorization": f"Bearer {token}"}
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-servers-") as log_dir:
        baseline = Server(BASELINE, env, Path(log_dir))
        try:
            baseline.start()
            for candidate in candidates:
                try:
                    results[candidate.name] = bench_candidate(
                        candidate, baseline, env, Path(log_dir), headers, args
                    )
                except (RuntimeError, subprocess.SubprocessError, OSError) as error:
                    log(f"{candidate.name} failed: {error}")
                    results[candidate.name] = {"error": str(error)[:2000]}
        finally:
            Server.stop_all()

    document = {
        "benchmark": "servers",
        "config": {
            "workers_per_server": WORKERS,
            "connections": args.connections,
            "wrk_threads": args.threads,
            "seconds_per_run": args.duration,
            "warmup_seconds": args.warmup,
            "rounds": args.rounds,
            "cpu_count": os.cpu_count(),
            "settings": "config.settings.production",
            "postgresql": pg_version,
            "wrk": wrk_version,
            "versions": package_versions(
                "Django", "granian", "gunicorn", "uvicorn", "psycopg", "psycopg-pool"
            ),
            # Other work on the machine skews absolute figures; the baseline ratios less so.
            "loadavg_1m_before": round(load_at_start[0], 2),
        },
        "baseline": {
            "name": BASELINE.name,
            "command": baseline.command_line,
            "what": "raw WSGI app (bench/baseline_app.py): JWT check + the same SELECT through "
            "a psycopg_pool pool + the same JSON; no Django, no rate-limit counter",
        },
        "results": results,
        "comparison": compare(results),
        "elapsed_seconds": round(time.monotonic() - STARTED, 1),
    }
    print(json.dumps(document, indent=2))
    return 1 if any("error" in result for result in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
