"""The server-rendered pages: allauth's sign-in, sign-up, reset and verification, and the dashboard.

Forms are submitted the way a browser does: open the page, take its CSRF token, post it back,
with a client that enforces CSRF, so a page that forgets `{% csrf_token %}` fails here.
"""

import re
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils.html import escape

from apps.accounts.models import LoginSession, User, username_validator
from apps.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
DASHBOARD_URL = "/dashboard/"
NEW_PASSWORD = "plum-tree-harbour-71"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LINK = re.compile(r"https?://testserver(/\S+)")


@pytest.fixture
def web():
    return Client(enforce_csrf_checks=True)


def submit(client, url, data, *, page=None):
    """Open `page` (by default the form's own URL); post `data` with the page's CSRF token."""
    response = client.get(page or url, follow=True)
    match = CSRF_INPUT.search(response.content.decode())
    assert match, f"{page or url} renders no CSRF token"
    return client.post(url, {**data, "csrfmiddlewaretoken": match.group(1)})


def sign_in(client, email, password=DEFAULT_PASSWORD):
    return submit(client, LOGIN_URL, {"login": email, "password": password})


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, f"no link in the email {message.subject!r}"
    return match.group(1)


def greeting(user) -> str:
    return f"Welcome, {escape(user.name)}"


def test_anonymous_visitor_is_sent_from_the_dashboard_to_sign_in(web):
    response = web.get(DASHBOARD_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={DASHBOARD_URL}"


def test_home_sends_an_anonymous_visitor_to_sign_in(web):
    response = web.get("/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL


def test_home_sends_a_signed_in_user_to_the_dashboard(web, user):
    sign_in(web, user.email)

    response = web.get("/")

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD_URL


def test_signing_in_lands_on_the_dashboard_with_a_greeting_and_the_api_sessions(web, user, login):
    login(user)
    outsider = UserFactory()
    login(outsider, user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Firefox/128.0")

    response = sign_in(web, user.email)

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD_URL
    page = web.get(DASHBOARD_URL)
    assert page.status_code == 200
    assert greeting(user) in page.content.decode()
    assert f"@{user.username}" in page.content.decode()
    # The fixture's user agent is not one ua-parser knows, so the device is the raw agent.
    assert "pytest-client/1.0" in page.content.decode()
    assert "127.0.0.1" in page.content.decode()
    assert "Firefox" not in page.content.decode()


def test_a_wrong_password_stays_on_the_sign_in_page(web, user):
    response = sign_in(web, user.email, password="not-the-password")

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert web.get(DASHBOARD_URL).status_code == 302


def test_a_sign_in_post_without_the_pages_csrf_token_is_refused(web, user):
    response = web.post(LOGIN_URL, {"login": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 403
    assert web.get(DASHBOARD_URL).status_code == 302


def test_a_user_without_api_sessions_is_told_so(web, user):
    sign_in(web, user.email)

    page = web.get(DASHBOARD_URL)

    assert "No API sessions yet." in page.content.decode()


def test_sign_out_button_revokes_the_session_and_its_access_token(web, user, login):
    api, session, _ = login(user)
    assert api.get("/api/v1/auth/me").status_code == 200
    sign_in(web, user.email)

    response = submit(web, f"/dashboard/sessions/{session.pk}/revoke", {}, page=DASHBOARD_URL)

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD_URL
    session.refresh_from_db()
    assert session.revoked_at is not None
    assert session.revoked_reason == LoginSession.RevokeReason.REVOKED_BY_USER
    assert api.get("/api/v1/auth/me").status_code == 401
    page = web.get(DASHBOARD_URL).content.decode()
    assert "Signed out pytest-client/1.0." in page
    assert "No API sessions yet." in page


def test_another_users_session_answers_404_and_stays_active(web, user, login):
    outsider_api, outsider_session, _ = login(UserFactory())
    sign_in(web, user.email)

    response = submit(
        web, f"/dashboard/sessions/{outsider_session.pk}/revoke", {}, page=DASHBOARD_URL
    )

    assert response.status_code == 404
    outsider_session.refresh_from_db()
    assert outsider_session.revoked_at is None
    assert outsider_api.get("/api/v1/auth/me").status_code == 200


def test_an_unknown_session_answers_404(web, user):
    sign_in(web, user.email)

    response = submit(web, f"/dashboard/sessions/{uuid.uuid4()}/revoke", {}, page=DASHBOARD_URL)

    assert response.status_code == 404


def test_revoking_a_session_needs_a_post(web, user, login):
    _, session, _ = login(user)
    sign_in(web, user.email)

    response = web.get(f"/dashboard/sessions/{session.pk}/revoke")

    assert response.status_code == 405
    session.refresh_from_db()
    assert session.revoked_at is None


def test_an_anonymous_revoke_is_sent_to_sign_in_and_revokes_nothing(user, login):
    _, session, _ = login(user)

    response = Client().post(f"/dashboard/sessions/{session.pk}/revoke")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    session.refresh_from_db()
    assert session.revoked_at is None


def test_signing_up_creates_the_user_with_a_name_and_signs_them_in(web):
    response = submit(
        web,
        "/accounts/signup/",
        {
            "email": "Grace.Hopper@Example.com",
            "name": "Grace Hopper",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD_URL
    user = User.objects.get(email="grace.hopper@example.com")
    assert user.name == "Grace Hopper"
    assert user.initials == "GH"
    assert user.username
    username_validator(user.username)
    assert user.check_password(NEW_PASSWORD)
    page = web.get(DASHBOARD_URL).content.decode()
    assert greeting(user) in page
    assert f"@{user.username}" in page


def test_signing_up_on_the_web_derives_the_username_from_the_name_as_the_api_does(web):
    submit(
        web,
        "/accounts/signup/",
        {
            "email": "g.hopper@example.com",
            "name": "Grace Hopper",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert User.objects.get(email="g.hopper@example.com").username == "grace_hopper"


def test_signing_up_with_a_taken_email_creates_no_second_user(web, user):
    response = submit(
        web,
        "/accounts/signup/",
        {
            "email": user.email,
            "name": "Someone Else",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "A user is already registered with this email address." in response.content.decode()
    assert User.objects.filter(email=user.email).count() == 1
    assert web.get(DASHBOARD_URL).status_code == 302


def test_password_reset_email_link_sets_a_new_password(web, user):
    response = submit(web, "/accounts/password/reset/", {"email": user.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    reset_link = link_in(mail.outbox[0])
    assert reset_link.startswith("/accounts/password/reset/key/")

    # The emailed link stores the key in the session and redirects to a URL without it.
    form_page = web.get(reset_link)
    assert form_page.status_code == 302
    set_password_url = form_page["Location"]
    response = submit(web, set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    fresh = Client(enforce_csrf_checks=True)
    assert sign_in(fresh, user.email).status_code == 200  # the old password no longer works
    response = sign_in(fresh, user.email, password=NEW_PASSWORD)
    assert response["Location"] == DASHBOARD_URL
    assert greeting(user) in fresh.get(DASHBOARD_URL).content.decode()


def test_a_used_password_reset_link_does_not_work_twice(web, user):
    submit(web, "/accounts/password/reset/", {"email": user.email})
    reset_link = link_in(mail.outbox[0])
    set_password_url = web.get(reset_link)["Location"]
    submit(web, set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    other = Client(enforce_csrf_checks=True)
    response = other.get(reset_link, follow=True)

    assert "Bad Token" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_mandatory_verification_keeps_a_new_user_out_until_they_follow_the_link(web, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    email = "ada@example.com"

    response = submit(
        web,
        "/accounts/signup/",
        {
            "email": email,
            "name": "Ada Lovelace",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]
    assert web.get(DASHBOARD_URL).status_code == 302
    assert sign_in(web, email, password=NEW_PASSWORD)["Location"] == "/accounts/confirm-email/"
    assert web.get(DASHBOARD_URL).status_code == 302
    address = EmailAddress.objects.get(email=email)
    assert not address.verified

    confirm_link = link_in(mail.outbox[0])
    assert confirm_link.startswith("/accounts/confirm-email/")
    response = submit(web, confirm_link, {})

    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified
    signed_in = sign_in(Client(enforce_csrf_checks=True), email, password=NEW_PASSWORD)
    assert signed_in["Location"] == DASHBOARD_URL


def test_signing_out_ends_the_browser_session(web, user):
    sign_in(web, user.email)
    assert web.get(DASHBOARD_URL).status_code == 200

    response = submit(web, "/accounts/logout/", {}, page=DASHBOARD_URL)

    assert response.status_code == 302
    assert web.get(DASHBOARD_URL).status_code == 302
    assert "Sign in" in web.get(LOGIN_URL).content.decode()
