"""The unread count beside "Notifications" in the header.

A tag rather than a context processor: it costs its one query only on pages that draw the
header for a signed-in person, and none anywhere else (emails, anonymous pages, API errors).
"""

from django import template
from django.utils.html import format_html

from apps.notifications.models import Notification

register = template.Library()

# Counting stops here, so a person with years of unread notifications costs what one with a
# hundred does: the badge says "99+".
SHOWN_UP_TO = 99
_MEMO = "_unread_notifications"


def unread_count(request) -> int:
    """Unread notifications of the signed-in user, up to `SHOWN_UP_TO + 1` (one query per
    request, shared by the header and the notification centre)."""
    if not request.user.is_authenticated:
        return 0
    if not hasattr(request, _MEMO):
        unread = Notification.objects.visible_to(request.user).unread()
        setattr(request, _MEMO, unread[: SHOWN_UP_TO + 1].count())
    return getattr(request, _MEMO)


def shown_count(count: int) -> str:
    return f"{SHOWN_UP_TO}+" if count > SHOWN_UP_TO else str(count)


@register.simple_tag(takes_context=True)
def unread_notifications_badge(context) -> str:
    request = context.get("request")
    count = unread_count(request) if request is not None else 0
    if not count:
        return ""
    return format_html(
        ' <span class="badge active" id="unread-notifications">{}'
        '<span class="visually-hidden"> unread</span></span>',
        shown_count(count),
    )
