"""Input of the pages. Plain forms, never model forms: the services do every write, and a model
form would change the instance before the service could see what changed."""

import re

from django import forms
from django.utils.html import linebreaks

from apps.core.html import ALLOWED_TAGS
from apps.crm.models import Client, Project
from apps.workspaces.roles import Perm, Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_HTML_TAG = re.compile(rf"</?(?:{'|'.join(sorted(ALLOWED_TAGS))})\b", re.IGNORECASE)
ARCHIVED_FILTERS = {"active": "false", "archived": "true", "all": "all"}


class ClientForm(forms.Form):
    name = forms.CharField(max_length=200)
    company = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=32, required=False)
    status = forms.ChoiceField(choices=Client.Status.choices, initial=Client.Status.ACTIVE)

    @classmethod
    def for_client(cls, client: Client, data=None) -> "ClientForm":
        initial = {field: getattr(client, field) for field in cls.base_fields}
        return cls(data, initial=initial)


class ClientFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(choices=[("", "Any status"), *Client.Status.choices], required=False)
    archived = forms.ChoiceField(
        label="Show",
        choices=[("active", "Active"), ("archived", "Archived"), ("all", "All")],
        required=False,
    )

    def filters(self) -> dict:
        """Keyword arguments for `filter_clients`; a value that does not parse is ignored."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "search": data.get("q", "").strip(),
            "status": [data["status"]] if data.get("status") else None,
            "archived": ARCHIVED_FILTERS[data.get("archived") or "active"],
        }


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(choices=Project.Status.choices, initial=Project.Status.ACTIVE)
    start_date = forms.DateField(required=False, widget=DATE)
    due_date = forms.DateField(required=False, widget=DATE)
    budget = forms.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=0)
    hourly_rate = forms.DecimalField(required=False, max_digits=10, decimal_places=2, min_value=0)

    @classmethod
    def for_project(cls, project: Project, data=None) -> "ProjectForm":
        initial = {field: getattr(project, field) for field in cls.base_fields}
        return cls(data, initial=initial)


class _OwnIds:
    """Forms that share a page with another form take ids of their own (`note_title`)."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class MilestoneForm(_OwnIds, forms.Form):
    id_prefix = "milestone"

    title = forms.CharField(max_length=200)
    due_date = forms.DateField(required=False, widget=DATE)


class MilestoneToggleForm(forms.Form):
    """`done` is the state the button asks for; without it, the milestone flips."""

    done = forms.NullBooleanField(required=False)


class NoteForm(_OwnIds, forms.Form):
    id_prefix = "note"

    title = forms.CharField(max_length=200, required=False)
    body = forms.CharField(
        max_length=100000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain text, or simple HTML (links, lists, bold, italics).",
    )

    def clean_body(self):
        body = self.cleaned_data["body"]
        # Plain text keeps its paragraphs (and a stray "<" stays text); the service sanitizes
        # whatever HTML arrives.
        return body if _HTML_TAG.search(body) else linebreaks(body, autoescape=True)


class TeamForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=120)


def _role_choices(membership) -> list[tuple[str, str]]:
    """Roles this member may hand out: only owners make owners."""
    if membership.can(Perm.OWNERS_MANAGE):
        return Role.choices
    return [(value, label) for value, label in Role.choices if value != Role.OWNER]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(membership)


class InviteForm(RoleForm):
    email = forms.EmailField()

    field_order = ["email", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = Role.MEMBER


class SwitchWorkspaceForm(forms.Form):
    workspace = forms.UUIDField()
    next = forms.CharField(required=False, max_length=2000)
