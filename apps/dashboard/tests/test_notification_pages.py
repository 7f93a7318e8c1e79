"""The notification centre, the unread badge in the header, and the preferences page: a
person's own notifications in whatever workspace they are working in; anyone else's is a 404."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from apps.accounts.tests.factories import UserFactory
from apps.notifications import emails, selectors
from apps.notifications.kinds import KINDS, Channel
from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.tests.factories import NotificationFactory

from .helpers import shown_messages, text

pytestmark = pytest.mark.django_db

CENTRE = "/dashboard/notifications/"
PREFERENCES = "/dashboard/notifications/preferences"
READ_ALL = "/dashboard/notifications/read-all"
ROW = re.compile(r'<tr class="notification( unread)?" id="notification-([0-9a-f-]+)">')
BADGE = re.compile(r'id="unread-notifications">([^<]+)<span class="visually-hidden"> unread')


def read_url(notification) -> str:
    return f"/dashboard/notifications/{notification.pk}/read"


def delete_url(notification) -> str:
    return f"/dashboard/notifications/{notification.pk}/delete"


def rows(response) -> list[tuple[str, bool]]:
    """(id, unread) of each notification the page lists, top to bottom."""
    return [(match[2], bool(match[1])) for match in ROW.finditer(text(response))]


def badge(response) -> str | None:
    found = BADGE.search(text(response))
    return found and found[1]


def aged(notification, minutes: int) -> Notification:
    """Make the notification `minutes` old, so the order is decidable."""
    created = timezone.now() - timedelta(minutes=minutes)
    Notification.objects.filter(pk=notification.pk).update(created_at=created)
    notification.created_at = created
    return notification


@pytest.fixture
def stranger_note(db):
    return NotificationFactory(user=UserFactory(), title="Somebody else's news")


# --- The centre -----------------------------------------------------------------------------


def test_signing_in_is_required_for_every_notification_page(client, stranger_note):
    for response in (
        client.get(CENTRE),
        client.get(PREFERENCES),
        client.post(PREFERENCES, {"reminder_window_days": 3}),
        client.post(read_url(stranger_note)),
        client.post(delete_url(stranger_note)),
        client.post(READ_ALL),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert Notification.objects.get(pk=stranger_note.pk).read_at is None
    assert not NotificationPreference.objects.exists()


def test_the_emails_preferences_link_opens_one_of_these_pages():
    assert reverse("dashboard-notifications") == CENTRE
    assert reverse("dashboard-notification-preferences") == PREFERENCES
    site = settings.SITE_URL.rstrip("/")
    assert emails.preferences_url() in {site + CENTRE, site + PREFERENCES}


def test_the_centre_lists_only_your_own_newest_first_with_unread_ones_marked(
    web, owner, stranger_note
):
    old = aged(NotificationFactory(user=owner, title="Old news"), 30)
    read = aged(NotificationFactory(user=owner, title="Read news", read_at=timezone.now()), 20)
    fresh = aged(NotificationFactory(user=owner, title="Fresh news", link="/dashboard/team/"), 10)

    response = web.get(CENTRE)

    assert response.status_code == 200
    assert rows(response) == [(str(fresh.pk), True), (str(read.pk), False), (str(old.pk), True)]
    page = text(response)
    assert "Somebody else" not in page
    assert '<a href="/dashboard/team/">Fresh news</a>' in page
    assert '<strong id="unread-count">2 unread</strong>' in page
    assert read_url(fresh) in page and read_url(read) not in page
    assert delete_url(read) in page


def test_the_unread_filter_leaves_out_what_was_read(web, owner):
    unread = NotificationFactory(user=owner, title="Unread one")
    NotificationFactory(user=owner, title="Read one", read_at=timezone.now())

    response = web.get(f"{CENTRE}?show=unread")

    assert rows(response) == [(str(unread.pk), True)]
    assert '<strong aria-current="page">Unread</strong>' in text(response)
    everything = NotificationFactory(user=owner, read_at=timezone.now())
    Notification.objects.filter(pk=unread.pk).update(read_at=timezone.now())
    empty = text(web.get(f"{CENTRE}?show=unread"))
    assert "No unread notifications." in empty and str(everything.pk) not in empty


def test_the_centre_shows_twenty_a_page_and_keeps_the_filter(web, owner):
    for minutes in range(25):
        aged(NotificationFactory(user=owner), minutes)

    first = web.get(f"{CENTRE}?show=unread")
    second = web.get(f"{CENTRE}?show=unread&page=2")

    assert len(rows(first)) == 20 and len(rows(second)) == 5
    assert "Page 1 of 2 · 25 in all" in text(first)
    assert 'href="?show=unread&amp;page=2"' in text(first)
    assert not {row for row, _ in rows(first)} & {row for row, _ in rows(second)}


def test_an_empty_centre_says_so(web):
    page = text(web.get(CENTRE))

    assert "No notifications yet." in page
    assert READ_ALL not in page


def test_titles_bodies_and_links_are_shown_as_text_and_only_safe_links_are_followed(web, owner):
    NotificationFactory(user=owner, title="<b>Bold</b>", body="<script>alert(1)</script>")
    NotificationFactory(user=owner, title="Script link", link="javascript:alert(1)")
    NotificationFactory(user=owner, title="Sneaky link", link="/\\evil.example/")
    NotificationFactory(user=owner, title="Elsewhere", link="https://docs.example.com/a")

    page = text(web.get(CENTRE))

    assert "&lt;b&gt;Bold&lt;/b&gt;" in page and "<b>Bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "javascript:" not in page and "evil.example" not in page
    assert "<strong>Script link</strong>" in page and "<strong>Sneaky link</strong>" in page
    assert '<a href="https://docs.example.com/a" rel="noopener noreferrer">Elsewhere</a>' in page


def test_the_centre_makes_as_many_queries_for_twelve_notifications_as_for_one(web, owner):
    NotificationFactory(user=owner)
    web.get(CENTRE)  # the first visit warms per-session caches
    with CaptureQueriesContext(connection) as one:
        web.get(CENTRE)
    NotificationFactory.create_batch(11, user=owner)

    with CaptureQueriesContext(connection) as twelve:
        response = web.get(CENTRE)

    assert len(rows(response)) == 12
    assert len(twelve) == len(one)


# --- Marking read and deleting --------------------------------------------------------------


def test_marking_one_read_goes_back_to_the_same_view_and_keeps_when_it_was_read(web, owner):
    notification = NotificationFactory(user=owner)
    other = NotificationFactory(user=owner)
    back = f"{CENTRE}?show=unread&page=1"

    response = web.post(read_url(notification), {"next": back})

    assert response.status_code == 302 and response["Location"] == back
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None
    first_read = notification.read_at
    web.post(read_url(notification))
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_an_off_site_next_is_ignored(web, owner):
    notification = NotificationFactory(user=owner)

    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = web.post(read_url(notification), {"next": target})
        assert response["Location"] == CENTRE


def test_mark_all_read_marks_yours_and_leaves_one_that_arrived_after_the_page(
    web, owner, stranger_note
):
    shown = NotificationFactory.create_batch(2, user=owner)
    page = text(web.get(CENTRE))
    drawn_at = re.search(r'name="before" value="([^"]+)"', page)[1]
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        late = NotificationFactory(user=owner, title="Arrived meanwhile")

        response = web.post(READ_ALL, {"before": drawn_at, "next": CENTRE}, follow=True)

    assert shown_messages(response) == ["Marked 2 notifications read."]
    assert all(Notification.objects.get(pk=n.pk).read_at for n in shown)
    assert Notification.objects.get(pk=late.pk).read_at is None
    assert Notification.objects.get(pk=stranger_note.pk).read_at is None
    assert rows(response)[0] == (str(late.pk), True)


def test_mark_all_read_without_a_time_marks_everything_of_yours(web, owner):
    NotificationFactory.create_batch(3, user=owner)

    response = web.post(READ_ALL, follow=True)

    assert shown_messages(response) == ["Marked 3 notifications read."]
    assert not Notification.objects.filter(user=owner, read_at__isnull=True).exists()
    again = web.post(READ_ALL, follow=True)
    assert shown_messages(again) == ["Nothing to mark: every notification was read already."]


def test_deleting_removes_only_that_notification(web, owner):
    doomed = NotificationFactory(user=owner, title="Doomed")
    kept = NotificationFactory(user=owner)

    response = web.post(delete_url(doomed), {"next": CENTRE}, follow=True)

    assert response.redirect_chain == [(CENTRE, 302)]
    assert shown_messages(response) == ["Deleted the notification “Doomed”."]
    assert list(Notification.objects.values_list("pk", flat=True)) == [kept.pk]


def test_another_persons_notification_is_a_404_and_stays_as_it_was(web, stranger_note):
    assert web.post(read_url(stranger_note)).status_code == 404
    assert web.post(delete_url(stranger_note)).status_code == 404
    assert Notification.objects.get(pk=stranger_note.pk).read_at is None


def test_the_actions_need_a_post(web, owner):
    notification = NotificationFactory(user=owner)

    assert web.get(read_url(notification)).status_code == 405
    assert web.get(delete_url(notification)).status_code == 405
    assert web.get(READ_ALL).status_code == 405
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_every_form_on_the_centre_carries_a_csrf_token(web, owner):
    NotificationFactory.create_batch(2, user=owner)

    page = text(web.get(CENTRE))

    # Mark all, mark read and delete for each, and the header's switcher and sign-out.
    assert page.count('<form method="post"') == page.count('name="csrfmiddlewaretoken"') == 7


# --- The badge ------------------------------------------------------------------------------


def test_the_header_counts_your_unread_notifications_on_every_page(web, owner, stranger_note):
    NotificationFactory.create_batch(2, user=owner)
    NotificationFactory(user=owner, read_at=timezone.now())

    for path in ("/dashboard/", "/dashboard/clients/", CENTRE):
        response = web.get(path)
        assert badge(response) == "2"
        assert f'<a href="{CENTRE}">Notifications <span' in text(response)


def test_no_badge_when_everything_is_read(web, owner):
    NotificationFactory(user=owner, read_at=timezone.now())

    page = text(web.get("/dashboard/"))

    assert badge(web.get("/dashboard/")) is None
    assert f'<a href="{CENTRE}">Notifications</a>' in page


def test_the_badge_stops_counting_at_ninety_nine(web, owner):
    NotificationFactory.create_batch(100, user=owner)

    assert badge(web.get("/dashboard/")) == "99+"


def test_the_badge_costs_one_query_and_none_for_someone_signed_out(
    owner, django_assert_num_queries
):
    NotificationFactory.create_batch(3, user=owner)
    tag = Template("{% load notification_badge %}{% unread_notifications_badge %}")
    request = RequestFactory().get("/dashboard/")
    request.user = owner

    with django_assert_num_queries(1):
        first = tag.render(Context({"request": request}))
        again = tag.render(Context({"request": request}))

    assert BADGE.search(first)[1] == "3" and again == first
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert tag.render(Context({"request": request})) == ""


# --- Preferences ----------------------------------------------------------------------------


def box(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


def posted(changes: dict | None = None, window=1) -> dict:
    """The form as a browser posts it: every box at its default unless `changes` says
    otherwise (`{(kind, channel): bool}`); unticked boxes are simply absent."""
    changes = changes or {}
    data = {"reminder_window_days": window}
    for kind, spec in KINDS.items():
        for channel in Channel.values:
            if changes.get((kind, channel), spec.default(channel)):
                data[box(kind, channel)] = "on"
    return data


def checked(page: str, name: str) -> bool:
    tag = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', page)
    assert tag, f"no box {name}"
    return " checked" in tag[0]


def test_the_preferences_page_has_a_row_per_kind_ticked_as_the_defaults_say(web):
    response = web.get(PREFERENCES)

    page = text(response)
    assert response.status_code == 200
    for kind, spec in KINDS.items():
        assert spec.kind.label in page and escape(spec.help_text) in page
        for channel in Channel.values:
            assert checked(page, box(kind, channel)) == spec.default(channel)
    assert 'name="reminder_window_days" value="1"' in page
    assert 'min="1"' in page and 'max="14"' in page


def test_the_page_shows_your_choices(web, owner):
    NotificationPreference.objects.create(
        user=owner, choices={"weekly_summary": {"email": False}}, reminder_window_days=5
    )

    page = text(web.get(PREFERENCES))

    assert not checked(page, box("weekly_summary", "email"))
    assert checked(page, box("invite", "email"))
    assert 'name="reminder_window_days" value="5"' in page


def test_saving_stores_what_differs_from_the_defaults(web, owner):
    data = posted({("mention", "email"): True, ("deadline_reminder", "email"): False}, window=3)

    response = web.post(PREFERENCES, data, follow=True)

    assert response.redirect_chain == [(PREFERENCES, 302)]
    assert shown_messages(response) == ["Saved your notification preferences."]
    preference = NotificationPreference.objects.get(user=owner)
    assert preference.choices == {
        "mention": {"email": True},
        "deadline_reminder": {"email": False},
    }
    assert preference.reminder_window_days == 3
    preferences = selectors.preferences_for(owner)
    assert preferences.wants("mention", "email") and not preferences.wants(
        "deadline_reminder", "email"
    )
    assert checked(text(response), box("mention", "email"))


def test_ticking_a_box_back_to_its_default_returns_it_to_the_default(web, owner):
    NotificationPreference.objects.create(
        user=owner,
        choices={"weekly_summary": {"email": False}, "mention": {"in_app": True}},
        reminder_window_days=5,
    )

    web.post(PREFERENCES, posted(window=settings.REMINDER_DEFAULT_WINDOW_DAYS))

    preference = NotificationPreference.objects.get(user=owner)
    # The mention choice was not touched by the form (it was already what the box showed).
    assert preference.choices == {"mention": {"in_app": True}}
    assert preference.reminder_window_days is None


@pytest.mark.parametrize(
    ("window", "error"),
    [
        ("0", "greater than or equal to 1"),
        ("15", "less than or equal to 14"),
        ("soon", "Enter a whole number."),
        ("", "This field is required."),
    ],
)
def test_a_bad_window_shows_the_error_and_saves_nothing(web, owner, window, error):
    data = posted({("mention", "email"): True}, window=window)

    response = web.post(PREFERENCES, data)

    page = text(response)
    assert response.status_code == 200
    assert '<ul class="errorlist' in page and error in page
    assert shown_messages(response) == ["Nothing was saved: correct what is marked below."]
    assert not NotificationPreference.objects.exists()
    # The form keeps what was ticked, so nothing has to be ticked again.
    assert checked(page, box("mention", "email"))


def test_saving_changes_nobody_elses_preferences(web, owner):
    neighbour = UserFactory()
    NotificationPreference.objects.create(user=neighbour, choices={"invite": {"email": False}})

    web.post(PREFERENCES, posted({("invite", "in_app"): False}))

    assert NotificationPreference.objects.get(user=neighbour).choices == {
        "invite": {"email": False}
    }
    assert NotificationPreference.objects.get(user=owner).choices == {"invite": {"in_app": False}}
