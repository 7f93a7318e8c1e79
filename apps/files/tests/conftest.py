import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from apps.accounts.tests.factories import UserFactory
from apps.billing.entitlements import Quota
from apps.billing.models import UsageRecord
from apps.crm import services as crm
from apps.files.models import FileAsset
from apps.workspaces import services as workspaces
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import member_of


@pytest.fixture(autouse=True)
def _signed_download_route(settings):
    """The signed links live outside /api/v1, in `apps.files.download_urls`. Until the project
    URLconf includes it, these tests run on one that does."""
    try:
        reverse("file-signed-download", kwargs={"token": "probe"})
    except NoReverseMatch:
        settings.ROOT_URLCONF = "apps.files.tests.urls"


@dataclass
class Team:
    workspace: object
    owner: object
    member: object
    viewer: object
    client: object
    project: object
    outsider: object

    @property
    def header(self) -> dict:
        return {"HTTP_X_WORKSPACE_ID": str(self.workspace.pk)}


@pytest.fixture
def team(db, user) -> Team:
    """A team workspace (on the free plan) with a client and a project, its people, and an
    outsider, who has only their personal workspace."""
    workspace = workspaces.create_workspace(actor=user, name="Files Team")
    client = crm.create_client(workspace=workspace, actor=user, name="Globex Corporation")
    project = crm.create_project(client=client, actor=user, name="Website relaunch")
    return Team(
        workspace=workspace,
        owner=user,
        member=member_of(workspace, Role.MEMBER),
        viewer=member_of(workspace, Role.VIEWER),
        client=client,
        project=project,
        outsider=UserFactory(),
    )


@pytest.fixture
def api_for(login):
    def _api_for(user):
        return login(user)[0]

    return _api_for


BOUNDARY = "----files-test-boundary"


def multipart(fields: dict | None = None, files: list[tuple[str, str, bytes]] = ()) -> bytes:
    """A multipart body written by hand, so a test can send any file name byte for byte (the
    test client would strip folders from it, as browsers do)."""
    lines = []
    for name, value in (fields or {}).items():
        lines += [
            f"--{BOUNDARY}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            str(value).encode(),
        ]
    for field, filename, content in files:
        lines += [
            f"--{BOUNDARY}".encode(),
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"'.encode(),
            # Declared types are ignored; say something misleading to prove it.
            b"Content-Type: application/octet-stream",
            b"",
            content,
        ]
    lines += [f"--{BOUNDARY}--".encode(), b""]
    return b"\r\n".join(lines)


def post_upload(api, url: str, name: str, content: bytes, headers=None, **fields):
    body = multipart(fields, [("file", name, content)])
    return api.generic(
        "POST",
        url,
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **(headers or {}),
    )


def stored_blobs(settings) -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def storage_used(workspace) -> int:
    return sum(
        UsageRecord.objects.filter(workspace=workspace, quota=Quota.STORAGE).values_list(
            "amount", flat=True
        )
    )


def assert_nothing_stored(settings, workspace) -> None:
    assert not FileAsset.objects.exists()
    assert stored_blobs(settings) == []
    assert not UsageRecord.objects.filter(workspace=workspace, quota=Quota.STORAGE).exists()


def random_id() -> str:
    return str(uuid.uuid4())
