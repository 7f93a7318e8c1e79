"""Uploading, reading, listing and deleting files over the API: each accepted kind lands with
its row, its blob, its usage and its event; each refusal leaves none of the four."""

from pathlib import Path

import pytest
from django.db import DatabaseError
from django.db.models.signals import pre_save
from django.urls import reverse

from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.billing.entitlements import free_plan
from apps.billing.models import Plan
from apps.core.testing import data_of, error_of
from apps.crm import services as crm
from apps.files import services
from apps.files.models import FileAsset
from apps.files.tests import samples
from apps.files.tests.conftest import (
    assert_nothing_stored,
    post_upload,
    random_id,
    storage_used,
    stored_blobs,
)
from apps.files.tests.factories import FileAssetFactory

UPLOAD = reverse("files-upload")
MAYCOLE_UPLOAD = reverse("upload")
MB = 1024 * 1024

KINDS = [
    ("Contract.pdf", samples.pdf(), "application/pdf", "pdf"),
    ("logo.png", samples.png(), "image/png", "png"),
    ("photo.jpg", samples.jpeg(), "image/jpeg", "jpg"),
    (
        "proposal.docx",
        samples.docx(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    ("notes.txt", samples.txt(), "text/plain", "txt"),
]


def upload_to_client(api, team, name, content, url=UPLOAD):
    return post_upload(api, url, name, content, team.header, clientId=team.client.pk)


# --- Accepted ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "content_type", "extension"), KINDS)
def test_a_member_uploads_each_kind_onto_a_client(
    team, api_for, settings, name, content, content_type, extension
):
    response = upload_to_client(api_for(team.member), team, name, content)

    data = data_of(response, 201)
    assert data["name"] == name
    assert data["contentType"] == content_type
    assert data["size"] == len(content)
    assert data["clientId"] == str(team.client.pk)
    assert data["projectId"] is None
    assert data["uploadedBy"] == {"id": str(team.member.pk), "name": team.member.name}
    file = FileAsset.objects.get(pk=data["id"])
    assert file.storage_key == f"workspaces/{team.workspace.pk}/files/{file.pk}.{extension}"
    assert file.sha256 == data["sha256"]
    blob = Path(settings.PRIVATE_MEDIA_ROOT) / file.storage_key
    assert stored_blobs(settings) == [blob]
    assert blob.read_bytes() == content
    assert storage_used(team.workspace) == len(content)


def test_an_upload_onto_a_project_is_listed_on_the_project(team, api_for):
    api = api_for(team.member)

    response = post_upload(
        api, UPLOAD, "brief.pdf", samples.pdf(), team.header, projectId=team.project.pk
    )

    data = data_of(response, 201)
    assert (data["clientId"], data["projectId"]) == (None, str(team.project.pk))
    listed = data_of(api.get(reverse("project-files", args=[team.project.pk]), **team.header))
    assert [row["id"] for row in listed] == [data["id"]]


def test_maycoles_upload_may_stand_alone_in_the_workspace(team, api_for):
    response = post_upload(api_for(team.member), MAYCOLE_UPLOAD, "a.txt", b"hi", team.header)

    data = data_of(response, 201)
    assert (data["clientId"], data["projectId"]) == (None, None)
    assert FileAsset.objects.get(pk=data["id"]).workspace == team.workspace


def test_maycoles_upload_attaches_to_a_client_too(team, api_for):
    response = upload_to_client(api_for(team.member), team, "a.txt", b"hi", url=MAYCOLE_UPLOAD)

    assert data_of(response, 201)["clientId"] == str(team.client.pk)


def test_the_upload_writes_one_event_with_its_actor_target_and_size(team, api_for):
    response = upload_to_client(api_for(team.member), team, "Contract.pdf", samples.pdf())

    data = data_of(response, 201)
    event = ActivityEvent.objects.get(verb=Verb.FILE_UPLOADED)
    assert event.workspace_id == team.workspace.pk
    assert event.actor_id == team.member.pk
    assert (event.target_type, str(event.target_id)) == ("file", data["id"])
    assert event.target_label == "Contract.pdf"
    assert event.client_id == team.client.pk
    assert event.changes == {"size": len(samples.pdf()), "content_type": "application/pdf"}
    assert event.request_id == response["X-Request-ID"]


def test_the_stored_key_never_carries_the_uploaders_name(team, api_for):
    response = upload_to_client(api_for(team.owner), team, "  Q3 <plan>.PDF ", samples.pdf())

    data = data_of(response, 201)
    assert data["name"] == "Q3 _plan_.pdf"
    assert "Q3" not in FileAsset.objects.get(pk=data["id"]).storage_key


def test_the_declared_content_type_is_ignored(team, api_for):
    # The helper declares every part as application/octet-stream.
    response = upload_to_client(api_for(team.owner), team, "logo.png", samples.png())

    assert data_of(response, 201)["contentType"] == "image/png"


# --- Refused, and nothing stored ----------------------------------------------------------------

BAD_UPLOADS = [
    pytest.param("report.pdf", samples.exe(), 400, "INVALID_FILE_TYPE", id="exe-behind-pdf"),
    pytest.param("photo.png", samples.pdf(), 400, "INVALID_FILE_TYPE", id="pdf-behind-png"),
    pytest.param("letter.docx", samples.zip_archive(), 400, "INVALID_FILE_TYPE", id="zip-as-docx"),
    pytest.param("notes.txt", b"", 400, "EMPTY_FILE", id="empty"),
    pytest.param(
        "report.pdf", samples.pdf() + samples.zip_archive(), 400, "UNSAFE_FILE_CONTENT",
        id="pdf-then-zip",
    ),
    pytest.param(
        "report.pdf", b"%PDF-1.7\n" + samples.html_page() + b"\n%%EOF", 400,
        "UNSAFE_FILE_CONTENT", id="pdf-header-then-html",
    ),
    pytest.param(
        "letter.docx", b"%PDF-1.7\n" + samples.docx(), 400, "UNSAFE_FILE_CONTENT",
        id="pdf-header-then-docx",
    ),
    pytest.param("../../etc/passwd", samples.txt(), 400, "INVALID_FILE_NAME", id="traversal"),
    pytest.param(
        "..\\..\\boot.ini", samples.txt(), 400, "INVALID_FILE_NAME", id="windows-traversal"
    ),
    pytest.param("..", samples.txt(), 400, "INVALID_FILE_NAME", id="dot-dot"),
    pytest.param("invoice.pdf.exe", samples.pdf(), 400, "INVALID_FILE_NAME", id="double-ext"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "status", "code"), BAD_UPLOADS)
@pytest.mark.parametrize("url", [UPLOAD, MAYCOLE_UPLOAD], ids=["files-upload", "upload"])
def test_a_bad_upload_gets_its_code_and_stores_nothing(
    team, api_for, settings, url, name, content, status, code
):
    events_before = ActivityEvent.objects.count()

    response = upload_to_client(api_for(team.member), team, name, content, url=url)

    error = error_of(response, status, code, field="file")
    assert error["message"]
    assert_nothing_stored(settings, team.workspace)
    assert ActivityEvent.objects.count() == events_before


def test_a_file_one_byte_over_10_mb_is_too_large_and_stores_nothing(team, api_for, settings):
    content = b"a" * (10 * MB + 1)

    response = upload_to_client(api_for(team.member), team, "big.txt", content)

    error_of(response, 413, "FILE_TOO_LARGE", field="file")
    assert_nothing_stored(settings, team.workspace)


def test_a_file_of_exactly_10_mb_is_accepted(team, api_for):
    response = upload_to_client(api_for(team.member), team, "big.txt", b"a" * (10 * MB))

    assert data_of(response, 201)["size"] == 10 * MB


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(team, api_for, settings):
    settings.FILE_MAX_BYTES = 1000

    response = upload_to_client(api_for(team.member), team, "big.txt", b"a" * (200 * 1024))

    error_of(response, 413, "FILE_TOO_LARGE")
    assert_nothing_stored(settings, team.workspace)


def test_an_upload_over_the_plans_storage_is_refused_with_402_and_stores_nothing(
    team, api_for, settings
):
    Plan.objects.filter(pk=free_plan().pk).update(storage_bytes=100)

    response = upload_to_client(api_for(team.member), team, "Contract.pdf", samples.pdf())

    error_of(response, 402, "PLAN_LIMIT_REACHED")
    assert_nothing_stored(settings, team.workspace)


def test_the_last_bytes_of_the_plan_can_be_used_and_no_more(team, api_for, settings):
    Plan.objects.filter(pk=free_plan().pk).update(storage_bytes=len(samples.txt()) + 1)
    api = api_for(team.member)

    first = upload_to_client(api, team, "notes.txt", samples.txt())
    second = upload_to_client(api, team, "more.txt", b"xy")

    data_of(first, 201)
    error_of(second, 402, "PLAN_LIMIT_REACHED")
    assert FileAsset.objects.count() == 1
    assert len(stored_blobs(settings)) == 1
    assert storage_used(team.workspace) == len(samples.txt())


def test_an_upload_whose_transaction_fails_leaves_no_blob(team, settings):
    def database_fails(sender, instance, **kwargs):
        raise DatabaseError("the disk is full")

    pre_save.connect(database_fails, sender=FileAsset)
    try:
        with pytest.raises(DatabaseError):
            services.upload_file(
                actor=team.owner,
                workspace=team.workspace,
                upload=_upload("notes.txt", samples.txt()),
                client=team.client,
            )
    finally:
        pre_save.disconnect(database_fails, sender=FileAsset)

    assert_nothing_stored(settings, team.workspace)
    assert not ActivityEvent.objects.filter(verb=Verb.FILE_UPLOADED).exists()


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "clientId"),
        ({"clientId": "not-an-id"}, "clientId"),
        ({"clientId": random_id()}, "clientId"),
    ],
)
def test_files_upload_needs_a_client_or_project_of_this_workspace(
    team, api_for, settings, fields, field
):
    api = api_for(team.member)

    response = post_upload(api, UPLOAD, "a.txt", b"hi", team.header, **fields)

    error_of(response, 400, "VALIDATION_ERROR", field=field)
    assert_nothing_stored(settings, team.workspace)


def test_a_client_of_another_workspace_is_unknown_here(team, api_for, settings):
    elsewhere = crm.create_client(
        workspace=team.outsider.personal_workspace, actor=team.outsider, name="Theirs"
    )

    response = post_upload(
        api_for(team.member), UPLOAD, "a.txt", b"hi", team.header, clientId=elsewhere.pk
    )

    error_of(response, 400, "VALIDATION_ERROR", field="clientId")
    assert_nothing_stored(settings, team.workspace)


def test_a_file_goes_on_a_client_or_a_project_not_both(team, api_for, settings):
    response = post_upload(
        api_for(team.member),
        MAYCOLE_UPLOAD,
        "a.txt",
        b"hi",
        team.header,
        clientId=team.client.pk,
        projectId=team.project.pk,
    )

    error_of(response, 400, "VALIDATION_ERROR", field="projectId")
    assert_nothing_stored(settings, team.workspace)


def test_no_file_is_a_validation_error(team, api_for, settings):
    from apps.files.tests.conftest import BOUNDARY, multipart

    response = api_for(team.member).generic(
        "POST",
        UPLOAD,
        multipart({"clientId": team.client.pk}),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **team.header,
    )

    error_of(response, 400, "VALIDATION_ERROR", field="file")
    assert_nothing_stored(settings, team.workspace)


def test_one_file_per_request(team, api_for, settings):
    from apps.files.tests.conftest import BOUNDARY, multipart

    body = multipart(
        {"clientId": team.client.pk}, [("file", "a.txt", b"a"), ("file", "b.txt", b"b")]
    )
    response = api_for(team.member).generic(
        "POST", UPLOAD, body, content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **team.header,
    )  # fmt: skip

    error_of(response, 400, "VALIDATION_ERROR", field="file")
    assert_nothing_stored(settings, team.workspace)


def test_an_upload_must_be_multipart(team, api_for):
    response = api_for(team.member).post(
        UPLOAD, {"clientId": str(team.client.pk)}, format="json", **team.header
    )

    error_of(response, 415, "UNSUPPORTED_MEDIA_TYPE")


# --- Who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [UPLOAD, MAYCOLE_UPLOAD])
def test_a_viewer_may_not_upload(team, api_for, settings, url):
    response = upload_to_client(api_for(team.viewer), team, "a.txt", b"hi", url=url)

    error_of(response, 403, "FORBIDDEN")
    assert_nothing_stored(settings, team.workspace)


def test_a_viewer_may_not_delete_but_may_read(team, api_for):
    file = FileAssetFactory(client=team.client)
    api = api_for(team.viewer)

    error_of(api.delete(reverse("file", args=[file.pk]), **team.header), 403, "FORBIDDEN")
    assert data_of(api.get(reverse("file", args=[file.pk]), **team.header))["id"] == str(file.pk)
    assert FileAsset.objects.filter(pk=file.pk).exists()


@pytest.mark.parametrize("url", [UPLOAD, MAYCOLE_UPLOAD])
def test_an_outsider_cannot_upload_into_the_team(team, api_for, settings, url):
    response = upload_to_client(api_for(team.outsider), team, "a.txt", b"hi", url=url)

    error_of(response, 404, "NOT_FOUND")
    assert_nothing_stored(settings, team.workspace)


def test_an_outsider_gets_404_for_the_teams_file_and_lists(team, api_for):
    file = FileAssetFactory(client=team.client)
    api = api_for(team.outsider)
    urls = [
        ("get", reverse("file", args=[file.pk])),
        ("delete", reverse("file", args=[file.pk])),
        ("get", reverse("file-download", args=[file.pk])),
        ("get", reverse("client-files", args=[team.client.pk])),
        ("get", reverse("project-files", args=[team.project.pk])),
    ]

    for method, url in urls:
        # In their own workspace, the team's ids name nothing; naming the team is a 404 too.
        for headers in ({}, team.header):
            response = getattr(api, method)(url, **headers)
            error = error_of(response, 404, "NOT_FOUND")
            assert str(file.pk) not in str(error)
    assert FileAsset.objects.filter(pk=file.pk).exists()
    assert not ActivityEvent.objects.filter(verb=Verb.FILE_DOWNLOADED).exists()


def test_signed_out_callers_get_401(api_client, team):
    file = FileAssetFactory(client=team.client)

    for method, url in [
        ("post", UPLOAD),
        ("post", MAYCOLE_UPLOAD),
        ("get", reverse("file", args=[file.pk])),
        ("delete", reverse("file", args=[file.pk])),
        ("get", reverse("file-download", args=[file.pk])),
        ("get", reverse("client-files", args=[team.client.pk])),
        ("get", reverse("project-files", args=[team.project.pk])),
    ]:
        error_of(getattr(api_client, method)(url), 401, "UNAUTHORIZED")


# --- Reading and listing ------------------------------------------------------------------------


def test_a_file_reads_the_same_in_its_detail_as_in_the_answer_to_its_upload(team, api_for):
    api = api_for(team.member)
    uploaded = data_of(upload_to_client(api, team, "notes.txt", samples.txt()), 201)

    detail = data_of(api.get(reverse("file", args=[uploaded["id"]]), **team.header))
    listed = data_of(api.get(reverse("client-files", args=[team.client.pk]), **team.header))

    assert detail == uploaded == listed[0]


def test_a_missing_file_is_404(team, api_for):
    response = api_for(team.member).get(reverse("file", args=[random_id()]), **team.header)

    error_of(response, 404, "NOT_FOUND")


def test_each_list_holds_only_its_parents_files_newest_first(team, api_for):
    other_client = crm.create_client(workspace=team.workspace, actor=team.owner, name="Initech")
    older = FileAssetFactory(client=team.client)
    newer = FileAssetFactory(client=team.client)
    FileAssetFactory(client=other_client)
    on_project = FileAssetFactory(client=None, project=team.project)
    api = api_for(team.viewer)

    client_files = api.get(reverse("client-files", args=[team.client.pk]), **team.header)
    project_files = api.get(reverse("project-files", args=[team.project.pk]), **team.header)

    assert [row["id"] for row in data_of(client_files)] == [str(newer.pk), str(older.pk)]
    assert client_files.json()["meta"] == {"total": 2, "page": 1, "perPage": 20, "totalPages": 1}
    assert [row["id"] for row in data_of(project_files)] == [str(on_project.pk)]


@pytest.mark.parametrize(
    ("route", "parent"), [("client-files", "client"), ("project-files", "project")]
)
def test_a_list_costs_the_same_queries_for_10_files_as_for_100(
    team, api_for, django_assert_max_num_queries, route, parent
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(team.member)
    url = reverse(route, args=[getattr(team, parent).pk])

    def grow(count):
        for _ in range(count):
            if parent == "client":
                FileAssetFactory(client=team.client, uploaded_by=team.member)
            else:
                FileAssetFactory(client=None, project=team.project, uploaded_by=team.member)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url, {"perPage": 100}, **team.header)
        return len(queries), len(data_of(response))

    grow(10)
    few, few_rows = measure()
    grow(90)
    many, many_rows = measure()

    assert (few_rows, many_rows) == (10, 100)
    # Authentication, membership, the parent in the path, the count, the rows.
    assert few == many <= 5


# --- Deleting -----------------------------------------------------------------------------------


def test_deleting_a_file_releases_its_storage_and_drops_the_blob_after_commit(
    team, api_for, settings, django_capture_on_commit_callbacks
):
    api = api_for(team.member)
    data = data_of(upload_to_client(api, team, "Contract.pdf", samples.pdf()), 201)
    assert storage_used(team.workspace) == len(samples.pdf())

    with django_capture_on_commit_callbacks() as callbacks:
        response = api.delete(reverse("file", args=[data["id"]]), **team.header)

    assert response.status_code == 204
    assert not FileAsset.objects.filter(pk=data["id"]).exists()
    assert storage_used(team.workspace) == 0
    # The blob outlives the row until the deletion commits.
    assert len(stored_blobs(settings)) == 1
    for callback in callbacks:
        callback()
    assert stored_blobs(settings) == []
    event = ActivityEvent.objects.get(verb=Verb.FILE_DELETED)
    assert (event.actor_id, str(event.target_id)) == (team.member.pk, data["id"])
    assert event.target_label == "Contract.pdf"


def test_storage_freed_by_a_delete_can_be_used_again(team, api_for):
    Plan.objects.filter(pk=free_plan().pk).update(storage_bytes=len(samples.pdf()))
    api = api_for(team.member)
    first = data_of(upload_to_client(api, team, "a.pdf", samples.pdf()), 201)
    error_of(upload_to_client(api, team, "b.pdf", samples.pdf()), 402, "PLAN_LIMIT_REACHED")

    api.delete(reverse("file", args=[first["id"]]), **team.header)

    data_of(upload_to_client(api, team, "b.pdf", samples.pdf()), 201)


def test_deleting_a_client_takes_its_files_storage_and_blobs_with_it(
    team, api_for, settings, django_capture_on_commit_callbacks
):
    api = api_for(team.member)
    data_of(upload_to_client(api, team, "a.pdf", samples.pdf()), 201)
    data_of(post_upload(api, UPLOAD, "b.txt", b"b", team.header, projectId=team.project.pk), 201)

    with django_capture_on_commit_callbacks(execute=True):
        crm.delete_client(client=team.client, actor=team.owner)

    assert not FileAsset.objects.exists()
    assert storage_used(team.workspace) == 0
    assert stored_blobs(settings) == []


def test_deleting_a_workspace_drops_its_blobs(
    team, api_for, settings, django_capture_on_commit_callbacks
):
    from apps.workspaces import services as workspaces
    from apps.workspaces.models import Membership

    data_of(upload_to_client(api_for(team.member), team, "a.pdf", samples.pdf()), 201)
    owner = Membership.objects.get(workspace=team.workspace, user=team.owner)

    with django_capture_on_commit_callbacks(execute=True):
        workspaces.delete_workspace(membership=owner)

    assert not FileAsset.objects.exists()
    assert stored_blobs(settings) == []
