"""What a summary is made from: a client or a project with its notes and milestones (and, for a
client, its projects), gathered into plain facts and passages of free text.

The material is capped (newest notes first, each note and the whole cut to a length), so a
client with years of notes costs a bounded prompt, and the hash is taken over exactly what a
provider would read. Timestamps of edits are left out: saving a note unchanged does not make
the material new.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field

from apps.crm.models import Client, Milestone, Note, Project

MAX_NOTES = 50
MAX_NOTE_CHARS = 4_000
MAX_PASSAGE_CHARS = 40_000


@dataclass(frozen=True)
class Material:
    kind: str
    title: str
    # Short statements that always belong in a summary (status, progress, what is next).
    facts: list[str] = field(default_factory=list)
    # Structured lines a reader may want (each milestone, each project), not free text.
    details: list[str] = field(default_factory=list)
    # Free text written by people: descriptions and notes, oldest first.
    passages: list[str] = field(default_factory=list)

    def digest(self, provider_key: str) -> str:
        """A hash of the material and of who summarizes it: the same material read by another
        provider or model is another summary."""
        payload = json.dumps(
            {"provider": provider_key, **asdict(self)}, sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def as_text(self) -> str:
        sections = [f"{self.kind.title()}: {self.title}"]
        if self.facts:
            sections.append("Facts:\n" + "\n".join(f"- {fact}" for fact in self.facts))
        if self.details:
            sections.append("Details:\n" + "\n".join(f"- {line}" for line in self.details))
        if self.passages:
            sections.append("Notes and descriptions:\n" + "\n\n".join(self.passages))
        return "\n\n".join(sections)

    def snapshot(self) -> dict:
        return asdict(self)

    @classmethod
    def from_snapshot(cls, data: dict) -> "Material":
        return cls(**data)


def material_for(target: Client | Project) -> Material:
    if isinstance(target, Project):
        return _project_material(target)
    return _client_material(target)


def _day(value) -> str:
    return value.isoformat() if value else ""


def _milestone_line(milestone: Milestone) -> str:
    state = "done" if milestone.done else "open"
    due = f", due {_day(milestone.due_date)}" if milestone.due_date else ""
    return f"Milestone '{milestone.title}': {state}{due}."


def _next_milestone(milestones: list[Milestone]) -> str | None:
    open_ones = [m for m in milestones if not m.done]
    if not open_ones:
        return None
    dated = sorted((m for m in open_ones if m.due_date), key=lambda m: (m.due_date, m.order))
    upcoming = dated[0] if dated else open_ones[0]
    due = f", due {_day(upcoming.due_date)}" if upcoming.due_date else ""
    return f"Next milestone: '{upcoming.title}'{due}."


def _note_passages(notes) -> list[str]:
    # Newest first to pick which notes fit, oldest first to read them in order.
    newest = list(notes.order_by("-created_at", "-id")[:MAX_NOTES])
    passages = []
    for note in reversed(newest):
        text = note.body_text[:MAX_NOTE_CHARS]
        passages.append(f"{note.title}: {text}" if note.title else text)
    return passages


def _capped(passages: list[str]) -> list[str]:
    kept, total = [], 0
    # The newest passages are at the end; keep as many of them as fit.
    for passage in reversed(passages):
        if total + len(passage) > MAX_PASSAGE_CHARS:
            break
        kept.append(passage)
        total += len(passage)
    return list(reversed(kept))


def _project_material(project: Project) -> Material:
    client = project.client
    milestones = list(project.milestones.order_by("order", "created_at", "id"))
    facts = [
        f"Project '{project.name}' for client '{client.name}'.",
        f"Status: {project.get_status_display().lower()}.",
    ]
    if project.start_date or project.due_date:
        dates = []
        if project.start_date:
            dates.append(f"starts {_day(project.start_date)}")
        if project.due_date:
            dates.append(f"due {_day(project.due_date)}")
        facts.append(f"Dates: {', '.join(dates)}.")
    if project.budget is not None:
        facts.append(f"Budget: {project.budget}.")
    if milestones:
        done = sum(1 for milestone in milestones if milestone.done)
        facts.append(f"Milestones: {done} of {len(milestones)} done.")
        if upcoming := _next_milestone(milestones):
            facts.append(upcoming)
    passages = []
    if project.description.strip():
        passages.append(f"Description: {' '.join(project.description.split())}")
    passages += _note_passages(Note.objects.filter(project=project))
    return Material(
        kind="project",
        title=project.name,
        facts=facts,
        details=[_milestone_line(milestone) for milestone in milestones],
        passages=_capped(passages),
    )


def _client_material(client: Client) -> Material:
    projects = list(client.projects.order_by("created_at", "id"))
    milestones: dict = {}
    for milestone in Milestone.objects.filter(project__client=client).order_by(
        "order", "created_at", "id"
    ):
        milestones.setdefault(milestone.project_id, []).append(milestone)
    facts = [
        f"Client '{client.name}'" + (f" of {client.company}." if client.company else "."),
        f"Status: {client.get_status_display().lower()}"
        + (", archived." if client.archived_at else "."),
    ]
    if projects:
        active = sum(1 for project in projects if project.status == Project.Status.ACTIVE)
        facts.append(f"Projects: {len(projects)}, {active} active.")
    details = []
    for project in projects:
        own = milestones.get(project.pk, [])
        line = f"Project '{project.name}': {project.get_status_display().lower()}"
        if project.due_date:
            line += f", due {_day(project.due_date)}"
        if own:
            done = sum(1 for milestone in own if milestone.done)
            line += f", {done} of {len(own)} milestones done"
        details.append(line + ".")
    passages = [
        f"Project '{project.name}': {' '.join(project.description.split())}"
        for project in projects
        if project.description.strip()
    ]
    passages += _note_passages(Note.objects.filter(client=client))
    return Material(
        kind="client",
        title=client.name,
        facts=facts,
        details=details,
        passages=_capped(passages),
    )
