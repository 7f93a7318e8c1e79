"""What every benchmark here needs: server processes, the bench database, wrk, statistics.

A benchmark starts its subject and its baseline as `Server`s (each in its own process group,
so stopping it stops its workers), loads them with `run_wrk` on loopback, and reports medians
and spreads with `spread`. See bench/README.md.
"""

import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WRK_SCRIPT = ROOT / "bench" / "wrk_report.lua"

DB_NAME = "bench_platform"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/14"
WORKERS = 2


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Candidate:
    name: str
    interface: str
    command: Callable[[int], list[str]]


def granian(target: str, *extra: str) -> Callable[[int], list[str]]:
    return lambda port: [
        str(BIN / "granian"),
        *f"--interface wsgi {target} --host 127.0.0.1 --port {port} --workers {WORKERS}".split(),
        *["--log-level", "warning", "--no-access-log", *extra, "--working-dir"],
        str(ROOT),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, headers: dict[str, str] | None = None, timeout: float = 5.0):
    """Return (status, body bytes); HTTP errors are answers too, not exceptions."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Server:
    """A server's process group, in its own session so that stopping it stops its workers too."""

    running: list["Server"] = []

    def __init__(self, candidate: Candidate, env: dict[str, str], log_dir: Path):
        self.candidate = candidate
        self.env = env
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{candidate.name}.log"
        self.process: subprocess.Popen | None = None
        self.command_line = ""

    def start(self, timeout: float = 60.0) -> "Server":
        argv = self.candidate.command(self.port)
        self.command_line = " ".join([Path(argv[0]).name, *argv[1:]])
        log(f"start {self.candidate.name}: {self.command_line}")
        with self.log_path.open("wb") as log_file:
            self.process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        Server.running.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.candidate.name} exited early:\n{self.log_tail()}")
            try:
                status, _ = http_get(f"{self.base_url}/health", timeout=2)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.candidate.name} did not answer /health in {timeout}s:\n"
                           f"{self.log_tail()}")  # fmt: skip

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.candidate.name} ignored SIGTERM; killing it")
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            except ProcessLookupError:
                pass
        # A worker that outlived its master would keep the port and the CPU.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self in Server.running:
            Server.running.remove(self)
        log(f"stopped {self.candidate.name}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    @classmethod
    def stop_all(cls) -> None:
        for server in list(cls.running):
            try:
                server.stop()
            except Exception as error:  # noqa: BLE001 - keep stopping the others
                log(f"could not stop {server.candidate.name}: {error}")


def server_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRANIAN_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX="bench",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        RATE_LIMIT_USER="1000000/m",
        RATE_LIMIT_ANON="1000000/m",
        # The token is minted once; it must outlive the run.
        ACCESS_TOKEN_MINUTES="120",
        PYTHONDONTWRITEBYTECODE="1",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env.pop("JWT_SIGNING_KEY", None)
    return env


def manage(env: dict[str, str], *args: str, timeout: float) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def ensure_database() -> str:
    """Create the bench database when missing; answer the PostgreSQL server version."""
    with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone():
            log(f"database {DB_NAME} exists")
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
            log(f"created database {DB_NAME}")
    return version


def run_wrk(url: str, *, headers: dict[str, str], seconds: int, args) -> dict:
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "5s",
            "-s", str(WRK_SCRIPT)]  # fmt: skip
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    result = subprocess.run(
        [*argv, url], capture_output=True, text=True, timeout=seconds + 30, check=True
    )
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("WRK_REPORT "))
    report = json.loads(line.removeprefix("WRK_REPORT "))
    latency = report["latency_us"]
    return {
        "rps": round(report["requests"] / (report["duration_us"] / 1e6), 1),
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p95_ms": round(latency["p95"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "requests": report["requests"],
        "errors": sum(report["errors"].values()),
    }


def spread(values: list[float], digits: int = 3) -> dict:
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def package_versions(*packages: str) -> dict[str, str | None]:
    """The installed version of each package, for the report (None when missing)."""
    found = {}
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found
