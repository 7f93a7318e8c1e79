"""Downloads on local disk: a link signed by us, good for FILE_URL_TTL_SECONDS, that streams
the file as an attachment to whoever holds it; every link issued is an audit event; and the
private files are nowhere under a public path."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from rest_framework.test import APIClient

from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.core.testing import data_of, error_of
from apps.files import services
from apps.files.models import FileAsset
from apps.files.storage import private_storage
from apps.files.tests import samples
from apps.files.tests.conftest import post_upload

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def uploaded(team, api_for):
    response = post_upload(
        api_for(team.member),
        reverse("files-upload"),
        "Contract \u2013 signed.pdf",
        samples.pdf(),
        team.header,
        clientId=team.client.pk,
    )
    return FileAsset.objects.get(pk=data_of(response, 201)["id"])


def link_for(api, team, file, **query):
    return api.get(reverse("file-download", args=[file.pk]), query, **team.header)


def fetch(url: str):
    """GET a link as a stranger would: no session, no token."""
    parts = urlsplit(url)
    return APIClient().get(parts.path + (f"?{parts.query}" if parts.query else ""))


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_viewer_gets_a_short_lived_link_that_streams_the_file_as_an_attachment(
    team, api_for, uploaded, settings
):
    with time_machine.travel(NOW, tick=False):
        data = data_of(link_for(api_for(team.viewer), team, uploaded))

    assert data["expiresAt"] == "2026-03-02T09:35:00Z"
    assert data["url"].startswith("http://testserver/files/d/")
    with time_machine.travel(NOW + timedelta(seconds=10), tick=False):
        response = fetch(data["url"])
    assert response.status_code == 200
    assert body_of(response) == samples.pdf()
    assert response["Content-Type"] == "application/pdf"
    # A name outside ASCII travels in RFC 6266's encoded form.
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Contract%20%E2%80%93%20signed.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]


def test_redirect_1_answers_302_to_the_link(team, api_for, uploaded):
    response = link_for(api_for(team.member), team, uploaded, redirect="1")

    assert response.status_code == 302
    assert body_of(fetch(response["Location"])) == samples.pdf()


def test_the_link_stops_working_after_its_ttl(team, api_for, uploaded, settings):
    with time_machine.travel(NOW, tick=False):
        url = data_of(link_for(api_for(team.member), team, uploaded))["url"]

    with time_machine.travel(NOW + timedelta(seconds=settings.FILE_URL_TTL_SECONDS - 1)):
        assert fetch(url).status_code == 200
    with time_machine.travel(NOW + timedelta(seconds=settings.FILE_URL_TTL_SECONDS + 1)):
        error_of(fetch(url), 403, "LINK_EXPIRED")


def test_the_ttl_is_a_setting(team, api_for, uploaded, settings):
    settings.FILE_URL_TTL_SECONDS = 30
    with time_machine.travel(NOW, tick=False):
        data = data_of(link_for(api_for(team.member), team, uploaded))

    assert data["expiresAt"] == "2026-03-02T09:30:30Z"
    with time_machine.travel(NOW + timedelta(seconds=31)):
        error_of(fetch(data["url"]), 403, "LINK_EXPIRED")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token[1:],
        lambda token: token.split(":")[0],
        lambda token: "not-a-token",
    ],
    ids=["signature", "payload", "unsigned", "garbage"],
)
def test_a_tampered_link_is_refused(team, api_for, uploaded, tamper):
    url = data_of(link_for(api_for(team.member), team, uploaded))["url"]
    token = urlsplit(url).path.rsplit("/", 1)[1]

    response = fetch(reverse("file-signed-download", kwargs={"token": tamper(token)}))

    error_of(response, 403, "INVALID_LINK")


def test_a_link_to_someone_elses_file_cannot_be_made_from_mine(team, api_for, uploaded):
    """Signing is per file id: swapping the id in a payload breaks the signature."""
    other = services.upload_file(
        actor=team.owner, workspace=team.workspace, upload=_upload(), client=team.client
    )
    url = data_of(link_for(api_for(team.member), team, uploaded))["url"]
    payload, timestamp, signature = urlsplit(url).path.rsplit("/", 1)[1].split(":")
    swapped = signing.b64_decode(payload.encode()).replace(
        str(uploaded.pk).encode(), str(other.pk).encode()
    )
    assert str(other.pk).encode() in swapped
    forged = ":".join([signing.b64_encode(swapped).decode(), timestamp, signature])

    error_of(fetch(reverse("file-signed-download", kwargs={"token": forged})), 403, "INVALID_LINK")


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("other.txt", b"someone else's")


def test_a_link_to_a_deleted_file_is_404(team, api_for, uploaded):
    api = api_for(team.member)
    url = data_of(link_for(api, team, uploaded))["url"]

    api.delete(reverse("file", args=[uploaded.pk]), **team.header)

    error_of(fetch(url), 404, "NOT_FOUND")


def test_the_signed_link_only_answers_reads(team, api_for, uploaded):
    url = data_of(link_for(api_for(team.member), team, uploaded))["url"]

    assert APIClient().post(urlsplit(url).path).status_code == 405


def test_every_link_issued_is_an_audit_event_and_fetching_it_is_not(team, api_for, uploaded):
    api = api_for(team.viewer)
    before = ActivityEvent.objects.count()

    first = link_for(api, team, uploaded)
    second = link_for(api, team, uploaded, redirect="1")
    fetch(data_of(first)["url"])

    events = list(ActivityEvent.objects.filter(verb=Verb.FILE_DOWNLOADED).order_by("seq"))
    assert ActivityEvent.objects.count() == before + 2
    assert [event.request_id for event in events] == [first["X-Request-ID"], second["X-Request-ID"]]
    for event in events:
        assert event.workspace_id == team.workspace.pk
        assert event.actor_id == team.viewer.pk
        assert event.target_id == uploaded.pk
        assert event.target_label == uploaded.original_name
        assert event.client_id == team.client.pk
        assert event.ip_address == "127.0.0.1"


def test_the_private_files_are_not_under_the_public_media_path(team, uploaded, settings, client):
    blob = Path(settings.PRIVATE_MEDIA_ROOT) / uploaded.storage_key

    assert blob.is_file()
    assert not blob.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    for path in (
        f"{settings.MEDIA_URL}{uploaded.storage_key}",
        f"/private_media/{uploaded.storage_key}",
        f"/{uploaded.storage_key}",
    ):
        assert client.get(path).status_code == 404
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url(uploaded.storage_key)
