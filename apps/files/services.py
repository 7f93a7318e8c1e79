"""Writes about files: upload, delete, and issuing download links (each link is an audit
event: who was handed which file, when, and from where)."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.activity.services import record_activity
from apps.activity.verbs import Verb
from apps.billing.entitlements import Quota, quota_exceeded, release, spend, usage_of

from . import storage
from .models import FileAsset
from .validation import DOCUMENT_KINDS, check_upload

DOWNLOAD_SALT = "apps.files.download"


@dataclass(frozen=True)
class DownloadLink:
    url: str
    expires_at: datetime


def file_key(*, workspace_id, file_id, extension: str) -> str:
    return f"workspaces/{workspace_id}/files/{file_id}.{extension}"


def usage_reference(file_id) -> str:
    return f"file:{file_id}"


def upload_file(*, actor, workspace, upload, client=None, project=None, name=None) -> FileAsset:
    """Check the upload by its content, store it privately, and record it, counting its size
    against the plan's storage. Nothing is left behind when any step refuses: the blob is
    written only after the checks, and deleted again if the transaction fails."""
    if client is not None and project is not None:
        raise ValueError("A file belongs to a client, a project, or neither; not both.")
    for parent in (client, project):
        if parent is not None and parent.workspace_id != workspace.pk:
            raise ValueError("The parent must be in the file's workspace.")
    checked = check_upload(
        upload, kinds=DOCUMENT_KINDS, max_bytes=settings.FILE_MAX_BYTES, name=name
    )
    # A cheap look before the bytes travel to the store; `spend` decides under its lock.
    usage = usage_of(workspace_id=workspace.pk, quota=Quota.STORAGE)
    if usage.limit is not None and usage.used + checked.size > usage.limit:
        raise quota_exceeded(usage, checked.size)
    file_id = uuid.uuid4()
    key = file_key(workspace_id=workspace.pk, file_id=file_id, extension=checked.kind.extension)
    with (
        storage.stored_privately(upload, key=key, content_type=checked.kind.content_type),
        transaction.atomic(),
    ):
        spend(
            workspace=workspace,
            quota=Quota.STORAGE,
            amount=checked.size,
            actor=actor,
            reference=usage_reference(file_id),
        )
        file = FileAsset.objects.create(
            id=file_id,
            workspace=workspace,
            client=client,
            project=project,
            uploaded_by=actor,
            original_name=checked.name,
            content_type=checked.kind.content_type,
            size=checked.size,
            storage_key=key,
            sha256=checked.sha256,
        )
        record_activity(
            workspace_id=workspace.pk,
            actor=actor,
            verb=Verb.FILE_UPLOADED,
            target=file,
            changes={"size": checked.size, "content_type": checked.kind.content_type},
        )
    return file


@transaction.atomic
def delete_file(*, file: FileAsset, actor) -> None:
    """Delete the row; its storage is released and its blob deleted after the commit (by the
    receiver in signals.py, which also covers files deleted with their client or project)."""
    record_activity(
        workspace_id=file.workspace_id, actor=actor, verb=Verb.FILE_DELETED, target=file
    )
    file.delete()


def forget_file(*, file: FileAsset, release_storage: bool) -> None:
    """What a deleted row leaves to do: give its bytes back to the plan, and drop the blob
    once the deletion has committed."""
    if release_storage:
        release(
            workspace=file.workspace,
            quota=Quota.STORAGE,
            amount=file.size,
            reference=usage_reference(file.pk),
        )
    storage.delete_blob_on_commit(file.storage_key)


@transaction.atomic
def issue_download(*, file: FileAsset, actor) -> DownloadLink:
    """A link to the file that works for FILE_URL_TTL_SECONDS: S3 presigned on S3, otherwise
    signed by us for `signed_download`. The URL is relative when local; the view makes it
    absolute."""
    ttl = settings.FILE_URL_TTL_SECONDS
    expires_at = timezone.now() + timedelta(seconds=ttl)
    if storage.on_s3():
        url = storage.presigned_url(
            key=file.storage_key,
            filename=file.original_name,
            content_type=file.content_type,
            expires_in=ttl,
        )
    else:
        url = reverse("file-signed-download", kwargs={"token": download_token(file)})
    record_activity(
        workspace_id=file.workspace_id,
        actor=actor,
        verb=Verb.FILE_DOWNLOADED,
        target=file,
        changes={"expires_at": expires_at},
    )
    return DownloadLink(url=url, expires_at=expires_at)


def download_token(file: FileAsset) -> str:
    return signing.TimestampSigner(salt=DOWNLOAD_SALT).sign_object({"file": str(file.pk)})


def file_for_token(token: str) -> FileAsset | None:
    """The file a download token names, or None when it is gone. Raises SignatureExpired for
    a token older than FILE_URL_TTL_SECONDS and BadSignature for one we did not sign."""
    payload = signing.TimestampSigner(salt=DOWNLOAD_SALT).unsign_object(
        token, max_age=settings.FILE_URL_TTL_SECONDS
    )
    return FileAsset.objects.filter(pk=payload.get("file")).first()
