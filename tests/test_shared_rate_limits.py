"""Two server processes share one rate-limit budget through Redis."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on {port} exited: {process.stdout.read()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise TimeoutError(f"server on {port} did not start")


def login_attempt(port: int) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/login",
        data=b'{"email": "who@example.com", "password": "wrong-password"}',
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def two_servers():
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
        "RATE_LIMIT_AUTH": "5/m",
        "DATABASE_POOL": "false",
    }
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [
                str(Path(sys.executable).parent / "granian"),
                "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", "1", "config.wsgi:application",
            ],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for port in ports
    ]  # fmt: skip
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_until_up(port, process)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def test_two_processes_share_the_auth_limit_through_redis(two_servers):
    first, second = two_servers
    statuses = [login_attempt(port) for port in (first, second, first, second, first)]
    assert statuses == [401] * 5
    # The sixth attempt in the minute is refused, whichever process answers it.
    assert login_attempt(second) == 429
    assert login_attempt(first) == 429
