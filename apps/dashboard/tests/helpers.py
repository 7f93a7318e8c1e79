"""Small readers shared by the page tests."""

import html
import re

from apps.activity.models import ActivityEvent

_MESSAGE = re.compile(r'<li class="message[^"]*">(.*?)</li>', re.S)


def verbs(workspace) -> list[str]:
    """The workspace's activity, oldest first."""
    events = ActivityEvent.objects.filter(workspace=workspace).order_by("seq")
    return list(events.values_list("verb", flat=True))


def text(response) -> str:
    return response.content.decode()


def shown_messages(response) -> list[str]:
    """The flash messages a page shows (open it with `follow=True` after a POST)."""
    return [html.unescape(m.group(1).strip()) for m in _MESSAGE.finditer(text(response))]
