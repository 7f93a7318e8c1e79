"""Staff tools: the user admin and its revoke action, seed_demo, the session purge job."""

from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import LoginSession, User
from apps.accounts.tasks import purge_expired_sessions
from apps.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_admin_user_list_searches_and_filters(staff_client):
    UserFactory(name="Margaret Hamilton", email="mh@apollo.example")
    UserFactory(name="Someone Else", is_online=True)
    page = staff_client.get(reverse("admin:accounts_user_changelist"), {"q": "apollo"})
    assert page.status_code == 200
    assert b"mh@apollo.example" in page.content
    assert b"Someone Else" not in page.content
    online = staff_client.get(reverse("admin:accounts_user_changelist"), {"is_online__exact": "1"})
    assert b"Someone Else" in online.content and b"mh@apollo.example" not in online.content


def test_admin_user_page_shows_sessions_inline(staff_client, login):
    target = UserFactory()
    login(target, user_agent="curl/8.4.0")
    page = staff_client.get(reverse("admin:accounts_user_change", args=[target.pk]))
    assert page.status_code == 200
    assert b"curl" in page.content


def test_admin_action_revokes_all_of_a_users_sessions(staff_client, login):
    target = UserFactory()
    bystander = UserFactory()
    target_pairs = [login(target)[2] for _ in range(2)]
    _, bystander_session, _ = login(bystander)

    response = staff_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "revoke_all_sessions", "_selected_action": [target.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert b"Revoked 2 sessions" in response.content
    assert not LoginSession.objects.filter(user=target, revoked_at__isnull=True).exists()
    bystander_session.refresh_from_db()
    assert bystander_session.revoked_at is None
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {target_pairs[0].access}")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_seed_demo_is_idempotent_and_prints_credentials(settings):
    settings.DEBUG = True
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)

    assert User.objects.count() == 2
    admin = User.objects.get(email="admin@example.com")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password("demo-pass-2024")
    assert not User.objects.get(email="demo@example.com").is_staff
    assert EmailAddress.objects.filter(verified=True).count() == 2
    assert "demo@example.com" in first.getvalue() and "demo-pass-2024" in first.getvalue()
    assert "/accounts/login/" in second.getvalue()


def test_seed_demo_without_debug_never_uses_a_known_password():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    admin = User.objects.get(email="admin@example.com")
    assert not admin.check_password("demo-pass-2024")
    line = next(line for line in out.getvalue().splitlines() if "admin@example.com" in line)
    printed = line.split("password:")[1].split()[0]
    assert admin.check_password(printed)
    # Run again: the existing password stays.
    call_command("seed_demo", stdout=StringIO())
    admin.refresh_from_db()
    assert admin.check_password(printed)


def test_purge_job_deletes_long_ended_sessions_only(user, login):
    _, live, _ = login(user)
    _, old_revoked, _ = login(user)
    _, old_expired, _ = login(user)
    _, recent_revoked, _ = login(user)
    long_ago = timezone.now() - timedelta(days=45)
    LoginSession.objects.filter(pk=old_revoked.pk).update(revoked_at=long_ago)
    LoginSession.objects.filter(pk=old_expired.pk).update(expires_at=long_ago)
    LoginSession.objects.filter(pk=recent_revoked.pk).update(revoked_at=timezone.now())

    purge_expired_sessions.delay()

    remaining = set(LoginSession.objects.values_list("pk", flat=True))
    assert remaining == {live.pk, recent_revoked.pk}


def test_the_purge_job_is_scheduled_by_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "apps.accounts.tasks.purge_expired_sessions" in tasks


def test_api_signup_registers_an_unverified_email_address(api_client):
    api_client.post(
        "/api/v1/auth/signup",
        {"email": "new@example.com", "password": "a-good-pass-991"},
        format="json",
    )
    address = EmailAddress.objects.get(email="new@example.com")
    assert address.primary and not address.verified


def test_session_admin_shows_rotations_and_revokes_selected_sessions(staff_client, user, login):
    _, session, pair = login(user)
    _, kept, _ = login(user)
    APIClient().post("/api/v1/auth/refresh", {"refreshToken": pair.refresh}, format="json")

    page = staff_client.get(reverse("admin:accounts_loginsession_change", args=[session.pk]))
    assert page.status_code == 200
    assert page.content.count(b"field-jti") == 2  # the first token and its rotation

    response = staff_client.post(
        reverse("admin:accounts_loginsession_changelist"),
        {"action": "revoke", "_selected_action": [session.pk]},
        follow=True,
    )
    assert b"Revoked 1 sessions" in response.content
    session.refresh_from_db()
    kept.refresh_from_db()
    assert session.revoked_reason == LoginSession.RevokeReason.REVOKED_BY_STAFF
    assert kept.revoked_at is None
