from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.crm import services
from apps.crm.models import Client
from apps.crm.selectors import filter_clients
from apps.workspaces.roles import Perm

from ..forms import ClientFilterForm, ClientForm, NoteForm, ProjectForm
from ..selectors import timeline
from ..workspace import require, workspace_page
from .ai import ai_panel
from .common import Refusal, refusal_message, report
from .files import file_panel
from .notes import add_note

PER_PAGE = 20


def client_url(client: Client) -> str:
    return reverse("dashboard-client", args=[client.pk])


def _client(request, client_id) -> Client:
    return get_object_or_404(Client.objects.filter(workspace=request.workspace), pk=client_id)


@workspace_page(Perm.CRM_VIEW)
def client_list(request):
    filters = ClientFilterForm(request.GET)
    clients = filter_clients(
        Client.objects.filter(workspace=request.workspace), **filters.filters()
    )
    page = Paginator(clients, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "dashboard/clients/list.html", {"filters": filters, "page": page})


@workspace_page(Perm.CRM_EDIT)
def client_create(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.create_client(
                workspace=request.workspace, actor=request.user, **form.cleaned_data
            )
        except Refusal as error:
            form.add_error(None, refusal_message(error))
        else:
            messages.success(request, f"Added {client.name}.")
            return redirect("dashboard-client", client.pk)
    return render(request, "dashboard/clients/form.html", {"form": form})


@workspace_page(Perm.CRM_VIEW)
def client_detail(request, client_id):
    client = _client(request, client_id)
    context = {
        "client": client,
        "projects": client.projects.order_by("-created_at"),
        "notes": client.notes.select_related("author"),
        "events": timeline(request.workspace, client_id=client.pk),
        "project_form": ProjectForm(),
        "note_form": NoteForm(),
        **file_panel(client=client),
        **ai_panel(request, target=client),
    }
    return render(request, "dashboard/clients/detail.html", context)


@workspace_page(Perm.CRM_VIEW)
def client_edit(request, client_id):
    client = _client(request, client_id)
    require(request, Perm.CRM_EDIT)
    form = ClientForm.for_client(client, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_client(client=client, actor=request.user, data=form.cleaned_data)
        except Refusal as error:
            form.add_error(None, refusal_message(error))
        else:
            messages.success(request, f"Saved {client.name}.")
            return redirect("dashboard-client", client.pk)
    return render(request, "dashboard/clients/form.html", {"form": form, "client": client})


@workspace_page(Perm.CRM_VIEW)
@require_POST
def client_archive(request, client_id):
    client = _client(request, client_id)
    require(request, Perm.CRM_EDIT)
    archiving = not client.archived
    service = services.archive_client if archiving else services.unarchive_client
    try:
        service(client=client, actor=request.user)
    except Refusal as error:
        report(request, error)
    else:
        messages.success(request, f"{'Archived' if archiving else 'Restored'} {client.name}.")
    return redirect("dashboard-client", client.pk)


@workspace_page(Perm.CRM_VIEW)
def client_delete(request, client_id):
    client = _client(request, client_id)
    require(request, Perm.CRM_EDIT)
    if request.method == "POST":
        services.delete_client(client=client, actor=request.user)
        messages.success(request, f"Deleted {client.name}.")
        return redirect("dashboard-clients")
    return render(
        request,
        "dashboard/confirm_delete.html",
        {
            "object": client,
            "kind": "client",
            "consequence": "Its projects, milestones, notes and time entries go with it.",
            "cancel_url": client_url(client),
        },
    )


@workspace_page(Perm.CRM_VIEW)
def project_create(request, client_id):
    client = _client(request, client_id)
    require(request, Perm.CRM_EDIT)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(
                client=client, actor=request.user, **form.cleaned_data
            )
        except Refusal as error:
            form.add_error(None, refusal_message(error))
        else:
            messages.success(request, f"Added the project {project.name}.")
            return redirect("dashboard-project", project.pk)
    return render(request, "dashboard/projects/form.html", {"form": form, "client": client})


@workspace_page(Perm.CRM_VIEW)
@require_POST
def note_create(request, client_id):
    client = _client(request, client_id)
    require(request, Perm.CRM_EDIT)
    add_note(request, client=client)
    return redirect(f"{client_url(client)}#notes")
