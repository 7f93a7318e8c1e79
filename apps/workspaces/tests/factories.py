from datetime import timedelta

import factory
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.workspaces.models import Invite, Membership, Workspace
from apps.workspaces.roles import Role


class WorkspaceFactory(factory.django.DjangoModelFactory):
    """A team workspace (not personal). Add people with `MembershipFactory` or `member_of`."""

    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


def member_of(workspace: Workspace, role: str = Role.MEMBER, **user_fields):
    """A new user with `role` in `workspace`; answers the user."""
    user = UserFactory(**user_fields)
    MembershipFactory(workspace=workspace, user=user, role=role)
    return user


class InviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invite

    workspace = factory.SubFactory(WorkspaceFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
