"""The offline summarizer and the material it reads."""

from apps.ai.material import MAX_NOTES, Material, material_for
from apps.ai.providers.extractive import ExtractiveProvider, key_sentences
from apps.crm import services as crm
from apps.crm.tests.factories import ClientFactory, MilestoneFactory, NoteFactory, ProjectFactory

NOTES = [
    "Kickoff went well. The client wants the checkout redesign before the spring sale.",
    "We agreed on weekly calls.",
    "The checkout redesign needs the payment provider's new API. Their sandbox is down again.",
    "Lunch was nice.",
    "Checkout redesign mockups approved; the payment form stays on one page.",
]


def test_the_key_sentences_are_about_what_the_notes_keep_returning_to_in_their_order():
    sentences = key_sentences(NOTES, limit=3)

    assert sentences == [
        "The client wants the checkout redesign before the spring sale.",
        "The checkout redesign needs the payment provider's new API.",
        "Checkout redesign mockups approved; the payment form stays on one page.",
    ]


def test_the_summary_is_the_same_every_time_for_the_same_material():
    material = Material(kind="project", title="Shop", facts=["Status: active."], passages=NOTES)
    provider = ExtractiveProvider()

    assert len({provider.summarize(material) for _ in range(5)}) == 1


def test_a_project_summary_starts_with_its_facts_then_its_key_points(db):
    project = ProjectFactory(
        name="Shop relaunch", client=ClientFactory(name="Globex"), description=NOTES[0]
    )
    MilestoneFactory(project=project, title="Mockups", done=True)
    MilestoneFactory(project=project, title="Build", due_date="2030-04-01")
    for text in NOTES[1:]:
        NoteFactory(project=project, body=f"<p>{text}</p>", body_text=text)

    summary = ExtractiveProvider().summarize(material_for(project))

    facts, points = summary.split("\n")
    assert facts == (
        "Project 'Shop relaunch' for client 'Globex'. Status: active. Milestones: 1 of 2 "
        "done. Next milestone: 'Build', due 2030-04-01."
    )
    assert points.startswith("Key points: ")
    assert "checkout redesign" in points
    assert "Lunch was nice." not in points


def test_a_client_summary_names_its_projects(db):
    client = ClientFactory(name="Initech", company="Initech Ltd")
    ProjectFactory(client=client, name="TPS reports", status="on_hold")
    ProjectFactory(client=client, name="Printer", description="Fix the printer. It jams daily.")

    material = material_for(client)

    assert material.facts[:3] == [
        "Client 'Initech' of Initech Ltd.",
        "Status: active.",
        "Projects: 2, 1 active.",
    ]
    assert "Project 'TPS reports': on hold." in material.details
    assert "Fix the printer" in ExtractiveProvider().summarize(material)


def test_material_without_notes_still_summarizes_to_its_facts(db):
    project = ProjectFactory(name="Bare")

    summary = ExtractiveProvider().summarize(material_for(project))

    assert summary.startswith("Project 'Bare' for client")
    assert "Key points" not in summary


def test_the_hash_changes_with_the_material_and_not_with_an_unchanged_save(db, user):
    project = ProjectFactory(name="Hashing")
    note = crm.create_note(actor=user, body="<p>First words.</p>", project=project)
    key = ExtractiveProvider().key
    before = material_for(project).digest(key)

    crm.update_note(note=note, actor=user, body="<p>First words.</p>")
    assert material_for(project).digest(key) == before

    crm.update_note(note=note, actor=user, body="<p>Other words.</p>")
    assert material_for(project).digest(key) != before


def test_the_hash_names_the_provider_and_model(db):
    material = material_for(ProjectFactory())

    assert material.digest("extractive:tf-v1") != material.digest("gemini:gemini-2.5-flash")


def test_only_the_newest_notes_are_read(db):
    project = ProjectFactory()
    notes = [
        NoteFactory(project=project, body_text=f"Note number {n} says something.")
        for n in range(MAX_NOTES + 5)
    ]

    passages = material_for(project).passages

    assert len(passages) == MAX_NOTES
    assert passages[-1] == notes[-1].body_text
    assert notes[0].body_text not in passages
