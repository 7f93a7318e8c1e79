"""Search in the page's workspace: one list, best first, each result with its type, its
highlighted words and a link to the client or project page it belongs to."""

import html
import re

from django import forms
from django.core.paginator import Page, Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from apps.crm.models import Client, Project
from apps.search import selectors
from apps.search.query import MAX_LENGTH, parse
from apps.search.types import TYPES
from apps.workspaces.roles import Perm

from ..workspace import workspace_page

PER_PAGE = 20
LABELS = {"client": "Client", "project": "Project", "note": "Note", "file": "File"}
# Badge classes of the stylesheet, so the types can be told apart at a glance.
BADGES = {"client": "active", "project": "planning", "note": "", "file": ""}
_MARK = re.compile(r"(</?mark>)")


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", required=False, max_length=MAX_LENGTH)
    type = forms.ChoiceField(
        label="In",
        required=False,
        choices=[("", "Everything"), *((plural, plural.capitalize()) for plural in TYPES)],
    )
    archived = forms.BooleanField(label="Include archived clients", required=False)


def highlighted(value: str) -> SafeString:
    """The search app's highlight HTML, to be put in the page as HTML.

    The search app escapes the text and adds only `<mark>` tags. The page holds it to that:
    everything between the tags is unescaped and escaped again (a no-op for escaped text, and
    any raw `<` a future backend let through comes out as text), so nothing but `<mark>` can
    reach the page as markup.
    """
    parts = _MARK.split(value or "")
    return mark_safe(  # noqa: S308 - every part but the <mark> tags is escaped right here
        "".join(
            part if part in ("<mark>", "</mark>") else html.escape(html.unescape(part))
            for part in parts
        )
    )


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


def _parents(workspace, results) -> tuple[dict, dict]:
    """Names of the clients and projects the results belong to: two queries, whatever the
    page holds."""
    client_ids = {row["client_id"] for row in results if row["client_id"]}
    project_ids = {row["project_id"] for row in results if row["project_id"]}
    clients = dict(
        Client.objects.filter(workspace=workspace, pk__in=client_ids).values_list("pk", "name")
        if client_ids
        else ()
    )
    projects = dict(
        Project.objects.filter(workspace=workspace, pk__in=project_ids).values_list("pk", "name")
        if project_ids
        else ()
    )
    return clients, projects


def _row(result: dict, clients: dict, projects: dict) -> dict:
    kind = result["type"]
    client_id, project_id = result["client_id"], result["project_id"]
    url, parent = None, None
    if kind == "client":
        url = reverse("dashboard-client", args=[result["id"]])
    elif kind == "project":
        url = reverse("dashboard-project", args=[result["id"]])
        parent = clients.get(client_id)
    else:
        # A note or a file is shown on the page of the project or client it is attached to.
        anchor = "#notes" if kind == "note" else "#files"
        if project_id:
            url = reverse("dashboard-project", args=[project_id]) + anchor
            parent = projects.get(project_id)
        elif client_id:
            url = reverse("dashboard-client", args=[client_id]) + anchor
            parent = clients.get(client_id)
    return {
        "type": kind,
        "label": LABELS.get(kind, kind.capitalize()),
        "badge": BADGES.get(kind, ""),
        "title_html": highlighted(result["title_html"]),
        "snippet_html": highlighted(result["snippet_html"]),
        "url": url,
        "parent": parent,
        "archived": result["archived"],
        "fuzzy": result["match"] == "fuzzy",
    }


@workspace_page(Perm.CRM_VIEW)
def search(request):
    form = SearchForm(request.GET)
    context = {"form": form, "searched": False}
    if not form.is_valid():
        return render(request, "dashboard/search/results.html", context)
    text = form.cleaned_data["q"]
    if not parse(text).terms:
        # Nothing to look for (an empty box, or only quotes, `or` and `-word`s).
        return render(request, "dashboard/search/results.html", context)
    chosen = form.cleaned_data["type"]
    arguments = {
        "workspace_id": request.workspace.pk,
        "text": text,
        "types": [TYPES[chosen]] if chosen else list(TYPES.values()),
        "archived": "all" if form.cleaned_data["archived"] else "false",
        "per_page": PER_PAGE,
    }
    number = _page_number(request)
    found = selectors.search(page=number, **arguments)
    paginator = Paginator(range(found.total), PER_PAGE)
    if number > paginator.num_pages:
        # A page past the end (the results changed, or a typed URL): show the last one.
        number = paginator.num_pages
        found = selectors.search(page=number, **arguments)
        paginator = Paginator(range(found.total), PER_PAGE)
    clients, projects = _parents(request.workspace, found.results)
    rows = [_row(result, clients, projects) for result in found.results]
    context.update(
        {
            "searched": True,
            "query": text,
            "rows": rows,
            "page": Page(rows, number, paginator),
            "capped": found.capped,
            "fuzzy": found.fuzzy,
        }
    )
    return render(request, "dashboard/search/results.html", context)
