"""The S3 path, against a local S3-compatible server (moto in server mode, in this process):
uploads land as private objects, downloads are presigned URLs fetched over real HTTP, and a
deletion or a failed upload leaves no object behind.

moto checks a presigned URL's signature but not its age, so the server here adds S3's own rule
in front of it: a query-signed request past `X-Amz-Date + X-Amz-Expires` is refused with 403
"Request has expired". That rule is the fake's; what the test proves is that the links we issue
carry the expiry S3 enforces.
"""

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.db.models.signals import pre_save
from django.urls import reverse
from moto.moto_server import threaded_moto_server
from moto.server import ThreadedMotoServer

from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.core.testing import data_of, error_of
from apps.files import services
from apps.files.models import FileAsset
from apps.files.storage import on_s3
from apps.files.tests import samples
from apps.files.tests.conftest import post_upload, storage_used, stored_blobs

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
EXPIRED = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
    b"<Message>Request has expired</Message></Error>"
)


class _ExpiringPresignedUrls:
    """S3's rule for query-signed (SigV4) requests, which moto does not apply."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "X-Amz-Expires" in query and "X-Amz-Date" in query:
            signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
            lifetime = timedelta(seconds=int(query["X-Amz-Expires"][0]))
            if datetime.now(UTC) > signed_at.replace(tzinfo=UTC) + lifetime:
                start_response(
                    "403 Forbidden",
                    [("Content-Type", "application/xml"), ("Content-Length", str(len(EXPIRED)))],
                )
                return [EXPIRED]
        return self.app(environ, start_response)


class _S3Server(ThreadedMotoServer):
    def _server_entry(self):
        app = threaded_moto_server.DomainDispatcherApplication(
            threaded_moto_server.create_backend_app
        )
        self._server = threaded_moto_server.make_server(
            self._ip_address,
            self._port,
            _ExpiringPresignedUrls(app),
            True,
            request_handler=threaded_moto_server.MotoRequestHandler,
        )
        self._server_ready_event.set()
        self._server.serve_forever()


@pytest.fixture(scope="session")
def s3_endpoint():
    server = _S3Server(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A fresh private bucket, and the settings pointing the files' storage at it."""
    name = f"files-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **CREDENTIALS)
    s3.create_bucket(Bucket=name)
    settings.AWS_STORAGE_BUCKET_NAME = name
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint
    settings.AWS_S3_REGION_NAME = REGION
    settings.AWS_ACCESS_KEY_ID = CREDENTIALS["aws_access_key_id"]
    settings.AWS_SECRET_ACCESS_KEY = CREDENTIALS["aws_secret_access_key"]
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    assert on_s3()
    s3.bucket_name = name
    return s3


def keys_in(bucket) -> list[str]:
    listing = bucket.list_objects_v2(Bucket=bucket.bucket_name)
    return [entry["Key"] for entry in listing.get("Contents", [])]


def upload(api, team, name="logo.png", content=None):
    return post_upload(
        api,
        reverse("files-upload"),
        name,
        samples.png() if content is None else content,
        team.header,
        clientId=team.client.pk,
    )


def test_an_upload_becomes_a_private_object_with_the_sniffed_type(team, api_for, bucket, settings):
    data = data_of(upload(api_for(team.member), team), 201)

    file = FileAsset.objects.get(pk=data["id"])
    assert keys_in(bucket) == [file.storage_key]
    stored = bucket.get_object(Bucket=bucket.bucket_name, Key=file.storage_key)
    assert stored["Body"].read() == samples.png()
    assert stored["ContentType"] == "image/png"
    assert stored["ContentDisposition"] == "attachment"
    grants = bucket.get_object_acl(Bucket=bucket.bucket_name, Key=file.storage_key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert "URI" not in grants[0]["Grantee"]
    # Nothing went to the local disk.
    assert stored_blobs(settings) == []


def test_the_download_link_is_presigned_and_fetches_the_bytes_over_http(
    team, api_for, bucket, settings
):
    api = api_for(team.viewer)
    file_id = data_of(upload(api_for(team.member), team), 201)["id"]

    response = api.get(reverse("file-download", args=[file_id]), **team.header)

    data = data_of(response)
    query = parse_qs(urlsplit(data["url"]).query)
    assert query["X-Amz-Expires"] == [str(settings.FILE_URL_TTL_SECONDS)]
    assert "X-Amz-Signature" in query
    fetched = requests.get(data["url"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == samples.png()
    assert fetched.headers["Content-Disposition"].startswith("attachment")
    assert fetched.headers["Content-Type"] == "image/png"
    event = ActivityEvent.objects.get(verb=Verb.FILE_DOWNLOADED)
    assert (event.actor_id, str(event.target_id)) == (team.viewer.pk, file_id)
    assert event.request_id == response["X-Request-ID"]


def test_redirect_1_answers_302_to_the_presigned_url(team, api_for, bucket):
    api = api_for(team.member)
    file_id = data_of(upload(api, team), 201)["id"]

    response = api.get(reverse("file-download", args=[file_id]), {"redirect": "1"}, **team.header)

    assert response.status_code == 302
    assert requests.get(response["Location"], timeout=10).content == samples.png()


def test_the_object_is_not_readable_without_a_signature(team, api_for, bucket):
    api = api_for(team.member)
    file_id = data_of(upload(api, team), 201)["id"]
    url = data_of(api.get(reverse("file-download", args=[file_id]), **team.header))["url"]

    unsigned = requests.get(url.split("?", 1)[0], timeout=10)

    assert unsigned.status_code == 403
    assert samples.png() not in unsigned.content


def test_an_expired_presigned_url_fails(team, api_for, bucket, settings):
    api = api_for(team.member)
    file_id = data_of(upload(api, team), 201)["id"]
    link = reverse("file-download", args=[file_id])
    issued_at = datetime.now(UTC) - timedelta(seconds=settings.FILE_URL_TTL_SECONDS + 5)

    with time_machine.travel(issued_at, tick=False):
        # Signed in then too: an access token from the future would not be valid yet.
        url = data_of(api_for(team.member).get(link, **team.header))["url"]

    expired = requests.get(url, timeout=10)
    assert expired.status_code == 403
    assert b"Request has expired" in expired.content
    # The same file, linked now, is readable: only the link's age differed.
    fresh = data_of(api.get(link, **team.header))["url"]
    assert requests.get(fresh, timeout=10).content == samples.png()


def test_deleting_a_file_deletes_its_object_after_commit(
    team, api_for, bucket, django_capture_on_commit_callbacks
):
    api = api_for(team.member)
    file_id = data_of(upload(api, team), 201)["id"]

    with django_capture_on_commit_callbacks() as callbacks:
        assert api.delete(reverse("file", args=[file_id]), **team.header).status_code == 204
    assert len(keys_in(bucket)) == 1
    for callback in callbacks:
        callback()

    assert keys_in(bucket) == []
    assert storage_used(team.workspace) == 0


def test_a_refused_upload_puts_nothing_in_the_bucket(team, api_for, bucket):
    response = upload(api_for(team.member), team, "invoice.pdf", samples.exe())

    error_of(response, 400, "INVALID_FILE_TYPE")
    assert keys_in(bucket) == []


def test_an_upload_whose_transaction_fails_leaves_no_object(team, bucket):
    def database_fails(sender, instance, **kwargs):
        raise DatabaseError("the disk is full")

    pre_save.connect(database_fails, sender=FileAsset)
    try:
        with pytest.raises(DatabaseError):
            services.upload_file(
                actor=team.owner,
                workspace=team.workspace,
                upload=SimpleUploadedFile("logo.png", samples.png()),
                client=team.client,
            )
    finally:
        pre_save.disconnect(database_fails, sender=FileAsset)

    assert keys_in(bucket) == []
    assert not FileAsset.objects.exists()
