from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.crm import services
from apps.crm.models import Milestone, Project
from apps.workspaces.roles import Perm

from ..forms import MilestoneForm, MilestoneToggleForm, NoteForm, ProjectForm
from ..selectors import timeline
from ..workspace import require, workspace_page
from .ai import ai_panel
from .clients import client_url
from .common import Refusal, form_errors, refusal_message
from .files import file_panel
from .notes import add_note


def project_url(project: Project) -> str:
    return reverse("dashboard-project", args=[project.pk])


def _project(request, project_id) -> Project:
    projects = Project.objects.filter(workspace=request.workspace).select_related("client")
    return get_object_or_404(projects, pk=project_id)


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


@workspace_page(Perm.CRM_VIEW)
def project_detail(request, project_id):
    project = _project(request, project_id)
    context = {
        "project": project,
        "milestones": project.milestones.all(),
        "notes": project.notes.select_related("author"),
        "events": timeline(request.workspace, project_id=project.pk),
        "milestone_form": MilestoneForm(),
        "note_form": NoteForm(),
        **file_panel(project=project),
        **ai_panel(request, target=project),
    }
    return render(request, "dashboard/projects/detail.html", context)


@workspace_page(Perm.CRM_VIEW)
def project_edit(request, project_id):
    project = _project(request, project_id)
    require(request, Perm.CRM_EDIT)
    form = ProjectForm.for_project(project, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(project=project, actor=request.user, data=form.cleaned_data)
        except Refusal as error:
            form.add_error(None, refusal_message(error))
        else:
            messages.success(request, f"Saved {project.name}.")
            return redirect(project_url(project))
    context = {"form": form, "project": project, "client": project.client}
    return render(request, "dashboard/projects/form.html", context)


@workspace_page(Perm.CRM_VIEW)
def project_delete(request, project_id):
    project = _project(request, project_id)
    require(request, Perm.CRM_EDIT)
    if request.method == "POST":
        services.delete_project(project=project, actor=request.user)
        messages.success(request, f"Deleted the project {project.name}.")
        return redirect(client_url(project.client))
    return render(
        request,
        "dashboard/confirm_delete.html",
        {
            "object": project,
            "kind": "project",
            "consequence": "Its milestones, notes and time entries go with it.",
            "cancel_url": project_url(project),
        },
    )


@workspace_page(Perm.CRM_VIEW)
@require_POST
def milestone_create(request, project_id):
    project = _project(request, project_id)
    require(request, Perm.CRM_EDIT)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        services.create_milestone(project=project, actor=request.user, **form.cleaned_data)
        messages.success(request, f"Added the milestone {form.cleaned_data['title']}.")
    else:
        messages.error(request, f"The milestone was not added. {form_errors(form)}")
    return redirect(f"{project_url(project)}#milestones")


@workspace_page(Perm.CRM_VIEW)
@require_POST
def milestone_toggle(request, project_id, milestone_id):
    project = _project(request, project_id)
    milestone = get_object_or_404(
        Milestone.objects.filter(workspace=request.workspace, project=project), pk=milestone_id
    )
    require(request, Perm.CRM_EDIT)
    form = MilestoneToggleForm(request.POST)
    form.is_valid()
    done = form.cleaned_data.get("done")
    milestone = services.update_milestone(
        milestone=milestone,
        actor=request.user,
        data={"done": (not milestone.done) if done is None else done},
    )
    if _wants_json(request):
        return JsonResponse({"id": str(milestone.pk), "done": milestone.done})
    state = "done" if milestone.done else "open again"
    messages.success(request, f"{milestone.title} is {state}.")
    return redirect(f"{project_url(project)}#milestones")


@workspace_page(Perm.CRM_VIEW)
@require_POST
def note_create(request, project_id):
    project = _project(request, project_id)
    require(request, Perm.CRM_EDIT)
    add_note(request, project=project)
    return redirect(f"{project_url(project)}#notes")
