"""Files on the client and project pages: the list, uploading (checked by content, counted
against the plan's storage), downloading through a fresh signed link, and deleting."""

from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.tests.factories import UserFactory
from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.billing.entitlements import free_plan
from apps.billing.models import Plan
from apps.crm.tests.factories import ClientFactory, ProjectFactory
from apps.files import services
from apps.files.models import FileAsset
from apps.files.tests import samples
from apps.files.tests.conftest import storage_used, stored_blobs
from apps.files.tests.factories import FileAssetFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import member_of

from .helpers import shown_messages, text, verbs

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(team):
    return ClientFactory(workspace=team, name="Acme Corp")


@pytest.fixture
def website(acme):
    return ProjectFactory(client=acme, name="Harbour Website")


@pytest.fixture
def member(team):
    return member_of(team, Role.MEMBER, name="Max Member")


@pytest.fixture
def member_web(browse, team, member):
    return browse(member, team)


@pytest.fixture
def viewer(team):
    return member_of(team, Role.VIEWER, name="Vera Viewer")


@pytest.fixture
def viewer_web(browse, team, viewer):
    return browse(viewer, team)


@pytest.fixture
def contract(team, owner, acme):
    """A PDF on Acme, uploaded through the service, so its bytes and storage are real."""
    return services.upload_file(
        actor=owner,
        workspace=team,
        upload=SimpleUploadedFile("Contract.pdf", samples.pdf()),
        client=acme,
    )


@pytest.fixture
def stranger_file(db):
    """A file in someone else's workspace, with its bytes."""
    stranger = UserFactory()
    workspace = stranger.personal_workspace
    return services.upload_file(
        actor=stranger,
        workspace=workspace,
        upload=SimpleUploadedFile("Secret.pdf", samples.pdf("secret")),
        client=ClientFactory(workspace=workspace, name="Zebulon Stranger"),
    )


def client_page(acme) -> str:
    return f"/dashboard/clients/{acme.pk}/"


def project_page(project) -> str:
    return f"/dashboard/projects/{project.pk}/"


def upload(web, url: str, name: str, content: bytes, **kwargs):
    return web.post(url, {"file": SimpleUploadedFile(name, content)}, **kwargs)


def fetch(url: str):
    """GET a link as a stranger would: no session."""
    parts = urlsplit(url)
    return Client().get(parts.path + (f"?{parts.query}" if parts.query else ""))


# --- The list --------------------------------------------------------------------------------


def test_the_client_page_lists_its_files_with_size_type_and_uploader(web, owner, team, acme):
    services.upload_file(
        actor=owner,
        workspace=team,
        upload=SimpleUploadedFile("Notes.txt", samples.txt()),
        client=acme,
    )
    FileAssetFactory(client=ClientFactory(workspace=team), original_name="Elsewhere.pdf")

    page = text(web.get(client_page(acme)))

    assert 'id="files"' in page
    assert "Notes.txt" in page
    assert f"{len(samples.txt())}\xa0bytes" in page
    assert '<td data-label="Type">TXT</td>' in page
    assert '<td data-label="Uploaded by">Olive Owner</td>' in page
    assert "Elsewhere.pdf" not in page  # another client's file


def test_a_page_without_files_says_so(web, acme, website):
    assert "No files yet." in text(web.get(client_page(acme)))
    assert "No files yet." in text(web.get(project_page(website)))


def test_a_viewer_sees_the_files_and_download_links_but_no_upload_or_delete(
    viewer_web, acme, contract
):
    page = text(viewer_web.get(client_page(acme)))

    assert "Contract.pdf" in page
    assert f"/dashboard/files/{contract.pk}/download" in page
    assert f"/dashboard/files/{contract.pk}/delete" not in page
    assert f"/dashboard/clients/{acme.pk}/files" not in page
    assert 'type="file"' not in page


def test_a_member_sees_the_upload_form_and_delete_links(member_web, acme, contract):
    page = text(member_web.get(client_page(acme)))

    assert f'action="/dashboard/clients/{acme.pk}/files"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'accept=".pdf,.png,.jpg,.jpeg,.jpe,.jfif,.docx,.txt,.text"' in page
    assert "PDF, PNG, JPG, DOCX or TXT, up to 10.0\xa0MB." in page
    assert f"/dashboard/files/{contract.pk}/delete" in page


@pytest.mark.parametrize("page_of", ["client", "project"])
def test_the_detail_pages_cost_the_same_queries_for_one_file_or_twelve(web, acme, website, page_of):
    parent = {"client": acme} if page_of == "client" else {"client": None, "project": website}
    url = client_page(acme) if page_of == "client" else project_page(website)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert web.get(url).status_code == 200
        return len(captured)

    FileAssetFactory(uploaded_by=UserFactory(), **parent)
    queries()  # warms the cached application settings (the maintenance banner)
    one = queries()
    for _ in range(11):
        FileAssetFactory(uploaded_by=UserFactory(), **parent)

    assert queries() == one
    assert text(web.get(url)).count('<td data-label="Uploaded by">') == 12


# --- Uploading -------------------------------------------------------------------------------


def test_a_member_uploads_a_file_to_a_client(member_web, member, team, acme, settings):
    response = upload(
        member_web, f"/dashboard/clients/{acme.pk}/files", "Brief.pdf", samples.pdf(), follow=True
    )

    file = FileAsset.objects.get()
    assert (file.workspace, file.client, file.project) == (team, acme, None)
    assert (file.original_name, file.content_type, file.uploaded_by) == (
        "Brief.pdf",
        "application/pdf",
        member,
    )
    assert response.redirect_chain[-1][0] == f"/dashboard/clients/{acme.pk}/#files"
    assert "Uploaded Brief.pdf." in shown_messages(response)
    assert '<td data-label="Name">Brief.pdf</td>' in text(response)
    assert len(stored_blobs(settings)) == 1
    assert storage_used(team) == len(samples.pdf())
    event = ActivityEvent.objects.get(workspace=team, verb=Verb.FILE_UPLOADED)
    assert (event.actor, event.target_id) == (member, file.pk)


def test_a_file_uploaded_to_a_project_is_listed_on_the_project_not_the_client(web, acme, website):
    response = upload(
        web, f"/dashboard/projects/{website.pk}/files", "Photo.png", samples.png(), follow=True
    )

    file = FileAsset.objects.get()
    assert (file.project, file.client) == (website, None)
    assert response.redirect_chain[-1][0] == f"/dashboard/projects/{website.pk}/#files"
    assert '<td data-label="Type">PNG</td>' in text(response)
    assert '<td data-label="Name">Photo.png</td>' not in text(web.get(client_page(acme)))


@pytest.mark.parametrize(
    ("name", "content", "limits", "says"),
    [
        (
            "Big.pdf",
            samples.pdf(),
            {"FILE_MAX_BYTES": 100},
            "The file is larger than the 100 bytes allowed.",
        ),
        (
            "Report.pdf",
            samples.exe(),
            {},
            "This is a file of type EXE, which is not accepted. "
            "Accepted: PDF, PNG, JPG, DOCX, TXT.",
        ),
        ("Report.pdf", samples.png(), {}, "The content is PNG, but the name says .pdf."),
        (
            "Invoice.pdf.exe",
            samples.pdf(),
            {},
            "Files named with an executable or script extension (.exe) are not accepted.",
        ),
        ("Empty.txt", b"", {}, "The file is empty."),
        (
            "Brief.pdf",
            samples.pdf(),
            {"storage": 100},
            "Your plan's storage is full. Upgrade your plan to add more.",
        ),
    ],
    ids=["too-large", "wrong-content", "mismatched-content", "double-extension", "empty", "full"],
)
def test_a_refused_upload_shows_why_and_stores_nothing(
    web, team, acme, settings, name, content, limits, says
):
    if "FILE_MAX_BYTES" in limits:
        settings.FILE_MAX_BYTES = limits["FILE_MAX_BYTES"]
    if "storage" in limits:
        Plan.objects.filter(pk=free_plan().pk).update(storage_bytes=limits["storage"])

    response = upload(web, f"/dashboard/clients/{acme.pk}/files", name, content, follow=True)

    assert response.redirect_chain[-1][0] == f"/dashboard/clients/{acme.pk}/#files"
    assert shown_messages(response) == [f"{name} was not uploaded. {says}"]
    assert not FileAsset.objects.exists()
    assert stored_blobs(settings) == []
    assert storage_used(team) == 0
    assert Verb.FILE_UPLOADED not in verbs(team)


def test_posting_without_a_file_asks_for_one(web, acme):
    response = web.post(f"/dashboard/clients/{acme.pk}/files", {}, follow=True)

    assert shown_messages(response) == ["Nothing was uploaded. Attach a file."]
    assert not FileAsset.objects.exists()


def test_a_viewer_cannot_upload(viewer_web, team, acme, settings):
    response = upload(viewer_web, f"/dashboard/clients/{acme.pk}/files", "A.pdf", samples.pdf())

    assert response.status_code == 403
    assert "Your role does not allow this" in text(response)
    assert not FileAsset.objects.exists()
    assert stored_blobs(settings) == []


def test_uploading_needs_a_post(web, acme):
    assert web.get(f"/dashboard/clients/{acme.pk}/files").status_code == 405


# --- Downloading -----------------------------------------------------------------------------


def test_download_redirects_to_a_signed_link_that_serves_the_file_and_is_recorded(
    viewer_web, viewer, team, contract
):
    response = viewer_web.get(f"/dashboard/files/{contract.pk}/download")

    assert response.status_code == 302
    assert response["Location"].startswith("http://testserver/files/d/")
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    served = fetch(response["Location"])
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == samples.pdf()
    assert served["Content-Disposition"] == 'attachment; filename="Contract.pdf"'
    event = ActivityEvent.objects.get(workspace=team, verb=Verb.FILE_DOWNLOADED)
    assert (event.actor, event.target_id) == (viewer, contract.pk)


def test_each_download_is_a_fresh_link_and_a_new_event(web, team, contract):
    first = web.get(f"/dashboard/files/{contract.pk}/download")
    second = web.get(f"/dashboard/files/{contract.pk}/download")

    assert first.status_code == second.status_code == 302
    assert ActivityEvent.objects.filter(workspace=team, verb=Verb.FILE_DOWNLOADED).count() == 2


# --- Deleting --------------------------------------------------------------------------------


def test_deleting_a_file_asks_first_then_deletes_it_and_gives_its_storage_back(
    member_web, member, team, acme, contract, settings, django_capture_on_commit_callbacks
):
    confirm = member_web.get(f"/dashboard/files/{contract.pk}/delete")
    assert confirm.status_code == 200
    assert "Delete the file Contract.pdf?" in text(confirm)
    assert FileAsset.objects.filter(pk=contract.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = member_web.post(f"/dashboard/files/{contract.pk}/delete", follow=True)

    assert response.redirect_chain[-1][0] == f"/dashboard/clients/{acme.pk}/#files"
    assert "Deleted Contract.pdf." in shown_messages(response)
    assert not FileAsset.objects.exists()
    assert stored_blobs(settings) == []
    assert storage_used(team) == 0
    event = ActivityEvent.objects.get(workspace=team, verb=Verb.FILE_DELETED)
    assert (event.actor, event.target_id) == (member, contract.pk)


def test_deleting_a_projects_file_goes_back_to_the_project(web, owner, team, website):
    file = services.upload_file(
        actor=owner,
        workspace=team,
        upload=SimpleUploadedFile("Plan.txt", samples.txt()),
        project=website,
    )

    response = web.post(f"/dashboard/files/{file.pk}/delete")

    assert response["Location"] == f"/dashboard/projects/{website.pk}/#files"
    assert not FileAsset.objects.exists()


def test_a_viewer_cannot_delete_a_file(viewer_web, contract):
    assert viewer_web.get(f"/dashboard/files/{contract.pk}/delete").status_code == 403
    assert viewer_web.post(f"/dashboard/files/{contract.pk}/delete").status_code == 403
    assert FileAsset.objects.filter(pk=contract.pk).exists()


# --- Someone else's files --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "viewer"])
def test_another_workspaces_file_answers_404_and_nothing_happens(
    web, viewer_web, stranger_file, who
):
    browser = web if who == "owner" else viewer_web
    workspace = stranger_file.workspace
    before = verbs(workspace)

    assert browser.get(f"/dashboard/files/{stranger_file.pk}/download").status_code == 404
    assert browser.get(f"/dashboard/files/{stranger_file.pk}/delete").status_code == 404
    assert browser.post(f"/dashboard/files/{stranger_file.pk}/delete").status_code == 404

    assert FileAsset.objects.filter(pk=stranger_file.pk).exists()
    assert verbs(workspace) == before


def test_uploading_to_another_workspaces_client_or_project_answers_404(web, stranger_file):
    client = stranger_file.client
    project = ProjectFactory(client=client)

    for url in (f"/dashboard/clients/{client.pk}/files", f"/dashboard/projects/{project.pk}/files"):
        assert upload(web, url, "Sneaky.pdf", samples.pdf()).status_code == 404

    assert list(FileAsset.objects.all()) == [stranger_file]


def test_signing_in_is_required(client, contract):
    response = client.get(f"/dashboard/files/{contract.pk}/download")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not ActivityEvent.objects.filter(verb=Verb.FILE_DOWNLOADED).exists()
