"""The API keys page: owners and admins list, create, rotate and revoke the workspace's keys; the
full key is shown once, in the answer to the POST that made it, and never again."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activity.models import ActivityEvent
from apps.api_keys.keys import hash_secret, split_key
from apps.api_keys.models import ApiKey
from apps.api_keys.scopes import SCOPES
from apps.api_keys.tests.factories import ApiKeyFactory
from apps.billing.tests.factories import SubscriptionFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import MembershipFactory, WorkspaceFactory, member_of

from .helpers import shown_messages, text, verbs

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/api-keys/"
NEW = "/dashboard/api-keys/new"
SECRET_FIELD = 'id="api-key-secret" value="'


@pytest.fixture
def paid(team):
    """The team on Business, whose plan includes API keys."""
    return SubscriptionFactory(workspace=team)


@pytest.fixture
def key(team, owner, paid):
    return ApiKeyFactory(workspace=team, created_by=owner, name="Nightly sync")


def rotate_url(api_key) -> str:
    return f"/dashboard/api-keys/{api_key.pk}/rotate"


def revoke_url(api_key) -> str:
    return f"/dashboard/api-keys/{api_key.pk}/revoke"


def secret_shown(response) -> str:
    """The key text in the page's read-only field."""
    page = text(response)
    start = page.index(SECRET_FIELD) + len(SECRET_FIELD)
    return page[start : page.index('"', start)]


def test_signing_in_is_required(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_navigation_links_to_the_api_keys_page(web):
    assert f'<a href="{PAGE}">API keys</a>' in text(web.get("/dashboard/"))


def test_a_manager_sees_the_workspaces_keys_newest_first_and_no_others(web, team, owner, paid):
    now = timezone.now()
    old = ApiKeyFactory(workspace=team, created_by=owner, name="Old export", scopes=["notes:read"])
    ApiKey.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=3))
    gone = ApiKeyFactory(workspace=team, name="Gone", revoked_at=now - timedelta(days=1))
    ApiKey.objects.filter(pk=gone.pk).update(created_at=now - timedelta(days=2))
    lapsed = ApiKeyFactory(workspace=team, name="Lapsed", expires_at=now - timedelta(hours=1))
    ApiKey.objects.filter(pk=lapsed.pk).update(created_at=now - timedelta(days=1))
    fresh = ApiKeyFactory(
        workspace=team,
        created_by=owner,
        name="CRM sync",
        scopes=["clients:read", "clients:write"],
        last_used_at=now,
    )
    ApiKeyFactory(workspace=WorkspaceFactory(), name="Somebody else's key")

    response = web.get(PAGE)

    page = text(response)
    assert response.status_code == 200
    names = ["CRM sync", "Lapsed", "Gone", "Old export"]
    assert [page.index(f'<td data-label="Name">{name}</td>') for name in names] == sorted(
        page.index(f'<td data-label="Name">{name}</td>') for name in names
    )
    assert "Somebody else&#x27;s key" not in page
    assert f"<code>pk_{fresh.prefix}_…</code>" in page
    assert "clients:read, clients:write" in page
    assert '<td data-label="Created by">Olive Owner</td>' in page
    assert '<span class="badge active">Active</span>' in page
    assert '<span class="badge archived">Revoked</span>' in page
    assert '<span class="badge paused">Expired</span>' in page
    assert '<td data-label="Last used">Never</td>' in page
    # Only a usable key can be rotated; a revoked one cannot be revoked again.
    assert rotate_url(fresh) in page and rotate_url(lapsed) not in page
    assert revoke_url(lapsed) in page and revoke_url(gone) not in page
    for api_key in (old, gone, lapsed, fresh):
        assert api_key.secret_hash not in page
        assert split_key(api_key.text)[1] not in page


def test_a_workspace_without_keys_says_so_and_offers_the_form(web, paid):
    page = text(web.get(PAGE))

    assert "No API keys yet." in page
    assert f'action="{NEW}"' in page
    for scope in SCOPES:
        assert f'name="scopes" value="{scope}"' in page
    assert '<th scope="row">Time entries</th>' in page
    assert 'type="date" name="expires_on"' in page


def test_an_owner_creates_a_key_and_sees_its_secret_once(web, team, owner, paid):
    response = web.post(NEW, {"name": "CI sync", "scopes": ["clients:write", "clients:read"]})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret_text = secret_shown(response)
    prefix, secret = split_key(secret_text)
    assert "readonly" in text(response)
    api_key = ApiKey.objects.get(workspace=team)
    assert (api_key.name, api_key.prefix, api_key.created_by) == ("CI sync", prefix, owner)
    assert api_key.scopes == ["clients:read", "clients:write"]
    assert api_key.expires_at is None
    assert api_key.secret_hash == hash_secret(secret)
    assert secret not in str(list(ApiKey.objects.values()))
    assert ActivityEvent.objects.get(workspace=team, verb="api_key.created").actor == owner

    again = text(web.get(PAGE))

    assert f"<code>pk_{prefix}_…</code>" in again
    assert secret not in again
    assert SECRET_FIELD not in again


def test_the_secret_is_kept_out_of_the_session_and_the_messages(web, team, paid):
    response = web.post(NEW, {"name": "CI sync", "scopes": ["clients:read"]})

    _, secret = split_key(secret_shown(response))
    assert secret not in str(dict(web.session.items()))
    assert all(secret not in cookie.value for cookie in web.cookies.values())


def test_an_admin_creates_a_key_that_expires_when_the_chosen_day_begins(browse, team, paid):
    admin = member_of(team, Role.ADMIN)
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)

    with time_machine.travel(noon, tick=False):
        day = timezone.localdate() + timedelta(days=30)
        response = browse(admin, team).post(
            NEW,
            {"name": "Quarterly report", "scopes": ["billing:read"], "expires_on": day.isoformat()},
        )

    assert response.status_code == 200
    api_key = ApiKey.objects.get(workspace=team)
    assert api_key.created_by == admin
    assert api_key.expires_at == timezone.make_aware(datetime.combine(day, time.min))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "CI sync"}, "Choose at least one scope."),
        ({"name": "CI", "scopes": ["clients:read"], "expires_on": "2001-01-01"}, "after today"),
        ({"scopes": ["clients:read"]}, "This field is required."),
        ({"name": "CI sync", "scopes": ["keys:write"]}, "Select a valid choice."),
    ],
)
def test_bad_input_shows_the_form_error_and_creates_nothing(web, team, paid, data, error):
    response = web.post(NEW, data)

    page = text(response)
    assert response.status_code == 200
    assert '<ul class="errorlist' in page and error in page
    assert SECRET_FIELD not in page
    assert not ApiKey.objects.exists()
    assert verbs(team) == []


def test_a_refused_form_keeps_what_was_ticked(web, paid):
    page = text(web.post(NEW, {"name": "", "scopes": ["notes:write"]}))

    assert 'value="notes:write" id="scope-notes-write" checked' in page
    assert 'value="notes:read" id="scope-notes-read">' in page


def test_an_expiry_of_today_is_refused(web, team, paid):
    today = timezone.localdate().isoformat()

    response = web.post(NEW, {"name": "CI", "scopes": ["clients:read"], "expires_on": today})

    assert "Choose a day after today." in text(response)
    assert not ApiKey.objects.exists()


def test_the_free_plan_explains_and_links_to_billing_instead_of_the_form(web, team, owner):
    ApiKeyFactory(workspace=team, created_by=owner, name="From the Business days")

    page = text(web.get(PAGE))

    assert "The Free plan does not include API keys." in page
    assert '<a href="/dashboard/billing/">Upgrade on the billing page</a>' in page
    assert f'action="{NEW}"' not in page
    assert "From the Business days" in page
    assert "/rotate" not in page


def test_on_the_free_plan_a_post_creates_nothing_and_says_why(web, team):
    response = web.post(NEW, {"name": "CI sync", "scopes": ["clients:read"]}, follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert shown_messages(response) == [
        "The Free plan does not include this feature; upgrade to use it."
    ]
    assert not ApiKey.objects.exists()
    assert verbs(team) == []


def test_revoking_asks_first_then_revokes_and_records_it(web, team, owner, key):
    assert f'href="{revoke_url(key)}"' in text(web.get(PAGE))
    confirm = web.get(revoke_url(key))
    assert "Revoke the API key Nightly sync?" in text(confirm)
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None

    response = web.post(revoke_url(key), follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert shown_messages(response) == ["Revoked the API key Nightly sync; it no longer works."]
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert '<span class="badge archived">Revoked</span>' in text(response)
    event = ActivityEvent.objects.get(workspace=team, verb="api_key.revoked")
    assert event.actor == owner


def test_revoking_a_revoked_key_shows_the_reason(web, key):
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])

    assert "is revoked" in text(web.get(revoke_url(key)))
    response = web.post(revoke_url(key), follow=True)

    assert shown_messages(response) == ["This API key is already revoked."]


def test_rotating_shows_the_new_secret_once_and_stops_the_old_key(web, team, owner, key):
    response = web.post(rotate_url(key))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    prefix, secret = split_key(secret_shown(response))
    assert f"The old key <code>pk_{key.prefix}_…</code> stopped working" in text(response)
    key.refresh_from_db()
    assert key.revoked_at is not None
    new = ApiKey.objects.get(rotated_from=key)
    assert (new.name, new.prefix, new.scopes) == ("Nightly sync", prefix, key.scopes)
    assert new.secret_hash == hash_secret(secret)
    assert ActivityEvent.objects.get(workspace=team, verb="api_key.rotated").actor == owner

    again = text(web.get(PAGE))

    assert secret not in again and SECRET_FIELD not in again


def test_rotating_a_revoked_key_shows_the_reason(web, key):
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])

    response = web.post(rotate_url(key), follow=True)

    assert shown_messages(response) == ["This API key is revoked; create a new one."]
    assert not ApiKey.objects.filter(rotated_from=key).exists()


def test_rotating_needs_a_post(web, key):
    assert web.get(rotate_url(key)).status_code == 405


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_get_the_forbidden_page_and_change_nothing(browse, team, key, role):
    web = browse(member_of(team, role), team)

    for response in (
        web.get(PAGE),
        web.post(NEW, {"name": "Mine", "scopes": ["clients:read"]}),
        web.get(revoke_url(key)),
        web.post(revoke_url(key)),
        web.post(rotate_url(key)),
    ):
        assert response.status_code == 403
        assert "Your role does not allow this" in text(response)
        assert "Nightly sync" not in text(response)
    assert list(ApiKey.objects.values_list("pk", "revoked_at")) == [(key.pk, None)]
    assert verbs(team) == []


def test_an_outsider_cannot_see_or_touch_another_workspaces_key(browse, team, key):
    elsewhere = WorkspaceFactory(name="Elsewhere")
    SubscriptionFactory(workspace=elsewhere)
    outsider = member_of(elsewhere, Role.OWNER)
    # A session naming the team they are not in falls back to a workspace of their own.
    web = browse(outsider, team)

    assert "Nightly sync" not in text(web.get(PAGE))
    assert web.get(revoke_url(key)).status_code == 404
    assert web.post(revoke_url(key)).status_code == 404
    assert web.post(rotate_url(key)).status_code == 404
    assert list(ApiKey.objects.values_list("pk", "revoked_at")) == [(key.pk, None)]
    assert verbs(team) == []


def test_a_member_asking_for_another_workspaces_key_gets_404_not_403(browse, team, key):
    elsewhere = WorkspaceFactory()
    viewer = member_of(elsewhere, Role.VIEWER)

    assert browse(viewer, elsewhere).post(revoke_url(key)).status_code == 404
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_the_page_makes_as_many_queries_for_twelve_keys_as_for_one(web, team, paid):
    ApiKeyFactory(workspace=team)
    web.get(PAGE)  # the first visit warms per-session caches (messages, session row)
    with CaptureQueriesContext(connection) as one:
        web.get(PAGE)
    now = timezone.now()
    for n in range(11):
        # Each made by a different admin, some revoked or expired, so every column has work.
        ApiKeyFactory(
            workspace=team,
            revoked_at=now if n % 3 == 0 else None,
            expires_at=now - timedelta(days=1) if n % 3 == 1 else None,
            last_used_at=now,
        )

    with CaptureQueriesContext(connection) as twelve:
        page = text(web.get(PAGE))

    assert page.count('<td data-label="Name">') == 12
    assert len(twelve) == len(one)


def test_every_form_on_the_page_carries_a_csrf_token(browse, web, team, owner, key):
    page = text(web.get(PAGE))
    confirm = text(web.get(revoke_url(key)))

    assert page.count('<form method="post"') == page.count('name="csrfmiddlewaretoken"') >= 3
    assert confirm.count('<form method="post"') == confirm.count('name="csrfmiddlewaretoken"')
    strict = browse(owner, team)
    strict.handler.enforce_csrf_checks = True
    refused = strict.post(revoke_url(key))
    assert refused.status_code == 403 and "CSRF" in text(refused)
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_switching_workspace_on_the_api_keys_page_stays_on_it(browse, owner, team):
    other = WorkspaceFactory()
    MembershipFactory(workspace=other, user=owner, role=Role.ADMIN)

    response = browse(owner, team).post(
        "/dashboard/workspace/switch", {"workspace": str(other.pk), "next": PAGE}
    )

    assert response["Location"] == PAGE
