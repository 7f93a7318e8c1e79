"""Races on PostgreSQL with real transactions: requests in threads released together."""

import threading

import pytest
from django.db import connection

from apps.activity.chain import verify_workspace_chain
from apps.activity.models import ActivityEvent
from apps.crm.models import Client
from apps.workspaces import services
from apps.workspaces.models import Invite, Membership
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import InviteFactory, WorkspaceFactory, member_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Run every call in its own thread, all released at once; answer their results in order.

    Each thread closes its database connection, so none leaks into the next test. The test's
    own connection goes back to the pool first: ten threads must not wait on a pool of ten."""
    connection.close()
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - handed back to the test, which asserts on it
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(index, call)) for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def statuses(responses) -> list[int]:
    return sorted(getattr(response, "status_code", response) for response in responses)


def test_two_owners_demoting_each_other_leave_one_owner(login):
    team = WorkspaceFactory()
    ada, bob = member_of(team, Role.OWNER), member_of(team, Role.OWNER)
    ada_client, bob_client = login(ada)[0], login(bob)[0]

    def demote(client, target):
        return lambda: client.put(
            f"/api/v1/teams/{team.pk}/members/{target.pk}", {"role": "admin"}, format="json"
        )

    responses = run_together(demote(ada_client, bob), demote(bob_client, ada))

    # The loser sees LAST_OWNER (409), or, when the winner committed before it even began, is
    # an admin by then and may not touch owners (403).
    assert statuses(responses) in ([200, 403], [200, 409])
    assert Membership.objects.filter(workspace=team, role=Role.OWNER).count() == 1


def test_two_owners_leaving_at_once_leave_one_owner(login):
    team = WorkspaceFactory()
    ada, bob = member_of(team, Role.OWNER), member_of(team, Role.OWNER)
    member_of(team, Role.MEMBER)

    def leave(user):
        client = login(user)[0]
        return lambda: client.delete(f"/api/v1/teams/{team.pk}/members/{user.pk}")

    responses = run_together(leave(ada), leave(bob))

    assert statuses(responses) == [204, 409]
    assert Membership.objects.filter(workspace=team, role=Role.OWNER).count() == 1


def test_two_accepts_of_one_invite_make_one_membership(login):
    team = WorkspaceFactory()
    member_of(team, Role.OWNER)
    invite = InviteFactory(workspace=team, email="dana@example.com")
    dana = member_of(WorkspaceFactory(), Role.MEMBER, email="dana@example.com")
    token = services.invite_token(invite)
    clients = [login(dana)[0], login(dana)[0]]

    responses = run_together(
        *[
            lambda client=client: client.post(
                "/api/v1/invites/accept", {"token": token}, format="json"
            )
            for client in clients
        ]
    )

    assert statuses(responses) == [200, 409]
    assert Membership.objects.filter(workspace=team, user=dana).count() == 1
    assert Invite.objects.get(pk=invite.pk).status == Invite.Status.ACCEPTED
    assert ActivityEvent.objects.filter(workspace=team, verb="member.joined").count() == 1


def test_concurrent_writes_in_one_workspace_keep_the_activity_chain_whole(login):
    writers = 10
    team = WorkspaceFactory()
    users = [member_of(team, Role.MEMBER) for _ in range(writers)]
    clients = [login(user)[0] for user in users]

    def create(client, number):
        return lambda: client.post(
            "/api/v1/clients",
            {"name": f"Client {number}"},
            format="json",
            HTTP_X_WORKSPACE_ID=str(team.pk),
        )

    responses = run_together(*[create(client, n) for n, client in enumerate(clients)])

    assert statuses(responses) == [201] * writers
    assert Client.objects.filter(workspace=team).count() == writers
    seqs = sorted(ActivityEvent.objects.filter(workspace=team).values_list("seq", flat=True))
    assert seqs == list(range(1, writers + 1))
    assert verify_workspace_chain(team.pk) == (writers, None)
