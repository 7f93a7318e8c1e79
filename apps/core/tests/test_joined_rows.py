"""The precompiled lookups give the same instances the ORM would, on every backend."""

import uuid

import pytest
from django.forms.models import model_to_dict

from apps.accounts.authentication import ACTIVE_SESSION_WITH_USER
from apps.accounts.models import LoginSession
from apps.workspaces.tenancy import NAMED_MEMBERSHIP, PERSONAL_MEMBERSHIP

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_session_and_user_match_the_orm(user, login):
    _, session, _ = login(user)
    user.last_login = session.created_at
    user.bio = "Ünïcode bio"
    user.save()

    found_session, found_user = ACTIVE_SESSION_WITH_USER.fetch_one(session.pk)

    orm = LoginSession.objects.select_related("user").get(pk=session.pk)
    assert _fields(found_session) == _fields(orm)
    assert _fields(found_user) == _fields(orm.user)
    assert found_user.check_password is not None and not found_user._state.adding


def test_a_revoked_or_unknown_session_finds_nothing(user, login):
    _, session, _ = login(user)
    LoginSession.objects.filter(pk=session.pk).update(revoked_at=session.created_at)
    assert ACTIVE_SESSION_WITH_USER.fetch_one(session.pk) is None
    assert ACTIVE_SESSION_WITH_USER.fetch_one(uuid.uuid4()) is None
    assert ACTIVE_SESSION_WITH_USER.fetch_one(None) is None


def test_memberships_match_the_orm(user):
    personal = user.memberships.select_related("workspace").get()

    membership, workspace = PERSONAL_MEMBERSHIP.fetch_one(user.pk, user.pk)
    assert _fields(membership) == _fields(personal)
    assert model_to_dict(workspace) == model_to_dict(personal.workspace)

    membership, workspace = NAMED_MEMBERSHIP.fetch_one(user.pk, personal.workspace_id)
    assert membership.pk == personal.pk and workspace.pk == personal.workspace_id
    assert NAMED_MEMBERSHIP.fetch_one(user.pk, uuid.uuid4()) is None
