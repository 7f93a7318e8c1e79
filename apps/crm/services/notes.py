from django.db import transaction

from apps.activity.services import record_activity
from apps.activity.verbs import Verb
from apps.core.errors import ApplicationError
from apps.core.html import html_to_text, sanitize_html

from ..models import Client, Note, NoteVersion, Project


def _clean_body(body: str) -> tuple[str, str]:
    clean = sanitize_html(body)
    text = html_to_text(clean)
    if not text:
        message = "A note needs some text."
        raise ApplicationError(message, details=[{"field": "body", "message": message}])
    return clean, text


@transaction.atomic
def create_note(
    *,
    actor,
    body: str,
    title: str = "",
    client: Client | None = None,
    project: Project | None = None,
) -> Note:
    if (client is None) == (project is None):
        raise ValueError("A note belongs to exactly one client or project.")
    parent = client or project
    clean, text = _clean_body(body)
    note = Note.objects.create(
        workspace_id=parent.workspace_id,
        client=client,
        project=project,
        title=title.strip(),
        body=clean,
        body_text=text,
        author=actor,
        updated_by=actor,
    )
    record_activity(
        workspace_id=note.workspace_id, actor=actor, verb=Verb.NOTE_CREATED, target=note
    )
    return note


@transaction.atomic
def update_note(
    *,
    note: Note,
    actor,
    title: str | None = None,
    body: str | None = None,
    expected_version: int | None = None,
) -> Note:
    """Edit a note, keeping what it said before as a version. With `expected_version`, an
    edit made on top of a stale copy is refused instead of overwriting someone's change."""
    note = Note.objects.select_for_update(of=("self",)).select_related("project").get(pk=note.pk)
    if expected_version is not None and expected_version != note.version:
        raise ApplicationError(
            f"This note changed since you opened it (now version {note.version}).",
            code="VERSION_CONFLICT",
            status_code=409,
        )
    changes = {}
    new_title = title.strip() if title is not None else note.title
    new_body, new_text = _clean_body(body) if body is not None else (note.body, note.body_text)
    if new_title != note.title:
        changes["title"] = [note.title, new_title]
    if new_body != note.body:
        changes["body"] = [f"v{note.version}", f"v{note.version + 1}"]
    if not changes:
        return note
    NoteVersion.objects.create(
        note=note,
        version=note.version,
        title=note.title,
        body=note.body,
        edited_by=note.updated_by,
    )
    note.title, note.body, note.body_text = new_title, new_body, new_text
    note.version += 1
    note.updated_by = actor
    note.save()
    record_activity(
        workspace_id=note.workspace_id,
        actor=actor,
        verb=Verb.NOTE_UPDATED,
        target=note,
        changes=changes,
    )
    return note


@transaction.atomic
def delete_note(*, note: Note, actor) -> None:
    record_activity(
        workspace_id=note.workspace_id, actor=actor, verb=Verb.NOTE_DELETED, target=note
    )
    note.delete()
