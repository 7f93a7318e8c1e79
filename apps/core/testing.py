"""Test helpers shared by every app: assertions on the API envelope, and reading admin forms
and messages the way a browser would."""

from html.parser import HTMLParser

from django.contrib.messages import get_messages


def data_of(response, status: int = 200):
    """The `data` of a success envelope, after checking the status."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is True
    return body["data"]


def error_of(response, status: int, code: str, field: str | None = None) -> dict:
    """The `error` of a failure envelope, after checking the status, the code and the field."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    if field is not None:
        assert body["error"]["details"][0]["field"] == field
    return body["error"]


class _FormFields(HTMLParser):
    """What a browser would submit from the page's forms, as they were rendered."""

    def __init__(self):
        super().__init__()
        self.data = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif (
            tag == "option"
            and self._select
            and (self._select not in self.data or "selected" in attrs)
        ):
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(response) -> dict:
    """The values a browser would post back from the page's form (admin change pages)."""
    parser = _FormFields()
    parser.feed(response.content.decode())
    return {name: value for name, value in parser.data.items() if "__prefix__" not in name}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


class LocalHTTPService:
    """A threaded HTTP server on 127.0.0.1 (a random port) standing in for an outside service in
    tests. Subclasses set `handler_class`, whose handlers reach the fake as `self.server.fake`."""

    handler_class: type

    _server = None
    _thread = None

    def start(self):
        from http.server import ThreadingHTTPServer
        from threading import Thread

        server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler_class)
        server.daemon_threads = True
        server.fake = self
        self._server = server
        self._thread = Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"
