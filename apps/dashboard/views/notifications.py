"""The notification centre and the notification preferences: the signed-in person's own, not
a workspace's, so these pages need a sign-in and nothing else, and someone else's
notification is a 404."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.notifications import selectors, services
from apps.notifications.kinds import (
    KINDS,
    REMINDER_WINDOW_MAX_DAYS,
    REMINDER_WINDOW_MIN_DAYS,
    Channel,
)
from apps.notifications.models import Notification

from ..templatetags.notification_badge import shown_count, unread_count

PER_PAGE = 20
SHOW = {"all": "All", "unread": "Unread"}


def _href(link: str) -> str | None:
    """The notification's link if it is safe to follow: a path on this site or an http(s)
    URL. Rows written by our own code skip the API's check, so the page checks again."""
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    parts = urlsplit(link)
    if parts.scheme in ("http", "https") and url_has_allowed_host_and_scheme(
        link, allowed_hosts={parts.netloc}
    ):
        return link
    return None


def _own(request, notification_id) -> Notification:
    return get_object_or_404(Notification.objects.visible_to(request.user), pk=notification_id)


def _back(request):
    """Where the form was posted from (the same filter and page), else the centre."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("dashboard-notifications")


class ReadAllForm(forms.Form):
    # When the page was drawn: a notification that arrived after it stays unread.
    before = forms.DateTimeField(required=False)


@login_required
def notification_list(request):
    show = request.GET.get("show")
    show = show if show in SHOW else "all"
    notifications = selectors.filter_notifications(
        Notification.objects.visible_to(request.user), unread=show == "unread"
    )
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for notification in page.object_list:
        href = _href(notification.link)
        rows.append(
            {
                "notification": notification,
                "href": href,
                "external": bool(href) and not href.startswith("/"),
            }
        )
    unread = unread_count(request)
    context = {
        "page": page,
        "rows": rows,
        "show": show,
        "filters": [
            {"value": value, "label": label, "current": value == show}
            for value, label in SHOW.items()
        ],
        "unread": unread,
        "unread_shown": shown_count(unread),
        "drawn_at": timezone.now().isoformat(),
        "next": request.get_full_path(),
    }
    return render(request, "dashboard/notifications/list.html", context)


@login_required
@require_POST
def notification_read(request, notification_id):
    services.mark_read(notification=_own(request, notification_id))
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    form = ReadAllForm(request.POST)
    before = form.cleaned_data["before"] if form.is_valid() else None
    updated = services.mark_all_read(user=request.user, before=before)
    if updated:
        messages.success(request, f"Marked {updated} notification{'s' * (updated != 1)} read.")
    else:
        messages.info(request, "Nothing to mark: every notification was read already.")
    return _back(request)


@login_required
@require_POST
def notification_delete(request, notification_id):
    notification = _own(request, notification_id)
    services.delete_notification(notification=notification)
    messages.success(request, f"Deleted the notification “{notification.title}”.")
    return _back(request)


# --- Preferences ------------------------------------------------------------------------------


def _box(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


class PreferencesForm(forms.Form):
    """A box per kind and channel, ticked as the person's preferences stand, and the window."""

    reminder_window_days = forms.IntegerField(
        label="Deadline reminders start",
        min_value=REMINDER_WINDOW_MIN_DAYS,
        max_value=REMINDER_WINDOW_MAX_DAYS,
        help_text=f"Days before a milestone or project is due, {REMINDER_WINDOW_MIN_DAYS} to "
        f"{REMINDER_WINDOW_MAX_DAYS}.",
    )

    def __init__(self, *args, preferences: selectors.Preferences, **kwargs):
        initial = {
            _box(kind, channel): on
            for kind, channels in preferences.channels.items()
            for channel, on in channels.items()
        }
        initial["reminder_window_days"] = preferences.reminder_window_days
        super().__init__(*args, initial=initial, **kwargs)
        self.preferences = preferences
        for kind, spec in KINDS.items():
            for channel in Channel:
                self.fields[_box(kind, channel.value)] = forms.BooleanField(
                    label=f"{spec.kind.label}: {channel.label.lower()}", required=False
                )
        # The boxes come first, as the page shows them.
        self.order_fields([name for name in self.fields if name != "reminder_window_days"])

    def rows(self) -> list[dict]:
        return [
            {
                "label": spec.kind.label,
                "help": spec.help_text,
                "boxes": [self[_box(kind, channel)] for channel in Channel.values],
            }
            for kind, spec in KINDS.items()
        ]

    def changes(self) -> dict:
        """Keyword arguments for `update_preferences` with what the form changes: a box set
        back to the declared default returns that channel to the default (so a changed default
        reaches the person again), and an untouched one is left as it is."""
        kinds: dict[str, dict[str, bool | None]] = {}
        for kind, spec in KINDS.items():
            for channel in Channel.values:
                wanted = self.cleaned_data[_box(kind, channel)]
                if wanted != self.preferences.wants(kind, channel):
                    chosen = None if wanted == spec.default(channel) else wanted
                    kinds.setdefault(kind, {})[channel] = chosen
        changes: dict = {"kinds": kinds}
        window = self.cleaned_data["reminder_window_days"]
        if window != self.preferences.reminder_window_days:
            default = settings.REMINDER_DEFAULT_WINDOW_DAYS
            changes["reminder_window_days"] = None if window == default else window
        return changes


@login_required
def notification_preferences(request):
    preferences = selectors.preferences_for(request.user)
    form = PreferencesForm(request.POST or None, preferences=preferences)
    if request.method == "POST":
        if form.is_valid():
            services.update_preferences(user=request.user, **form.changes())
            messages.success(request, "Saved your notification preferences.")
            return redirect("dashboard-notification-preferences")
        messages.error(request, "Nothing was saved: correct what is marked below.")
    context = {"form": form, "rows": form.rows(), "channels": Channel.choices}
    return render(request, "dashboard/notifications/preferences.html", context)
