"""A local stand-in for the Gemini API's `generateContent`, for tests that drive google-genai.

`FakeGemini` runs a threaded HTTP server on 127.0.0.1 (random port). Point `GEMINI_API_BASE`
at `fake.url` and the official client posts to
`<url>/<api version>/models/<model>:generateContent` as it would to
generativelanguage.googleapis.com; the answer has Gemini's REST shape
(`candidates[].content.parts[].text`, `finishReason`, `usageMetadata`).

Controls: `reply` sets the text the model answers; `fail_next(n, status)` makes the next `n`
requests fail with Gemini's error body (500, 503, 429, 400, ...); `slow_down(seconds)` makes
every answer wait; `requests` logs every request (path, headers, JSON body); `reset` forgets
all of it. A request without the expected
`x-goog-api-key` is refused with 401 (as Gemini refuses a bad key), so a test cannot pass
without the key reaching the wire.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, NamedTuple

from apps.core.testing import LocalHTTPService

TEST_API_KEY = "gemini-test-key"
DEFAULT_REPLY = "Gemini says: the work is on track."
_GENERATE = re.compile(r"^/(?P<version>v1[a-z0-9]*)/models/(?P<model>[^/:]+):generateContent$")
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class RecordedRequest(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def prompt(self) -> str:
        """Every text part of every content of the request, joined."""
        contents = (self.body or {}).get("contents", [])
        return "\n".join(
            part.get("text", "") for content in contents for part in content.get("parts", [])
        )

    @property
    def model(self) -> str | None:
        match = _GENERATE.match(self.path)
        return match["model"] if match else None


class FakeGemini(LocalHTTPService):
    def __init__(self, *, api_key: str = TEST_API_KEY):
        self.api_key = api_key
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests: list[RecordedRequest] = []
            self._failures: list[int] = []
            self._reply = DEFAULT_REPLY
            self._latency = 0.0

    def reply(self, text: str) -> None:
        with self._lock:
            self._reply = text

    def slow_down(self, seconds: float) -> None:
        with self._lock:
            self._latency = seconds

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    @property
    def generate_requests(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.model is not None]

    def _handle(self, method: str, path: str, headers: dict[str, str], raw: bytes):
        try:
            body = json.loads(raw or b"null")
        except json.JSONDecodeError:
            body = None
        request = RecordedRequest(method, path, headers, body)
        with self._lock:
            self.requests.append(request)
            failure = self._failures.pop(0) if self._failures else None
            reply = self._reply
            latency = self._latency
        if latency:
            time.sleep(latency)
        if failure is not None:
            return _error(failure, "Injected failure.")
        match = _GENERATE.match(path)
        if method != "POST" or match is None:
            return _error(404, f"Method not found: {method} {path}.")
        if request.header("x-goog-api-key") != self.api_key:
            return _error(401, "API key not valid. Please pass a valid API key.")
        if not isinstance(body, dict) or not body.get("contents"):
            return _error(400, "* GenerateContentRequest.contents: contents is not specified")
        prompt_tokens = len(request.prompt.split())
        reply_tokens = len(reply.split())
        return 200, {
            "candidates": [
                {
                    "content": {"parts": [{"text": reply}], "role": "model"},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": prompt_tokens,
                "candidatesTokenCount": reply_tokens,
                "totalTokenCount": prompt_tokens + reply_tokens,
            },
            "modelVersion": match["model"],
            "responseId": f"fake-{len(self.requests)}",
        }


def _error(status: int, message: str):
    name = _STATUS_NAMES.get(status, "UNKNOWN")
    return status, {"error": {"code": status, "message": message, "status": name}}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, payload = self.server.fake._handle(  # type: ignore[attr-defined]
            self.command, self.path, dict(self.headers.items()), raw
        )
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format, *args):
        pass


# Set here, below the handler it names.
FakeGemini.handler_class = _Handler
