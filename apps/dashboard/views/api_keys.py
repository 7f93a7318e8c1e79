"""The API keys page, for owners and admins: the workspace's keys, issuing, rotating, revoking.

The full key is shown once, in the answer to the POST that made it, never stored anywhere on the
way: not in the session (a row in the session store, kept until the redirect is followed, if it
ever is), and never in a flash message (the cookie storage would send it back and forth). The
answer says `no-store`, so no browser or proxy keeps a copy, and reloading it asks to post the
form again, which makes a new key rather than showing the old one.
"""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from apps.api_keys import services
from apps.api_keys.models import ApiKey
from apps.api_keys.scopes import READ, RESOURCES, SCOPES, WRITE
from apps.billing import entitlements
from apps.billing.entitlements import Feature
from apps.workspaces.roles import Perm

from ..forms import DATE
from ..workspace import require, workspace_page
from .common import Refusal, report

PER_PAGE = 50

# Badge classes of the stylesheet that carry each state's colour.
_STATUS_BADGES = {
    ApiKey.Status.ACTIVE: "active",
    ApiKey.Status.EXPIRED: "paused",
    ApiKey.Status.REVOKED: "archived",
}
_ACCESS_LABELS = {READ: "Read", WRITE: "Write"}


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Where the key is used, e.g. “Nightly CRM sync”."
    )
    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in SCOPES],
        error_messages={"required": "Choose at least one scope."},
    )
    expires_on = forms.DateField(label="Expires on", required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["expires_on"]
        field.widget.attrs["min"] = (timezone.localdate() + timedelta(days=1)).isoformat()
        field.help_text = (
            "Optional. The key stops working when this day begins "
            f"({timezone.get_current_timezone_name()}); without a date it works until revoked."
        )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("Choose a day after today.")
        return day

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data["expires_on"]
        return None if day is None else timezone.make_aware(datetime.combine(day, time.min))


def _scope_rows(form: ApiKeyForm) -> list[dict]:
    """One row per resource with its read and write boxes, ticked as the form was posted."""
    ticked = set(form["scopes"].value() or ()) if form.is_bound else set()
    rows = []
    for resource in RESOURCES:
        label = resource.replace("-", " ").capitalize()
        boxes = [
            {
                "value": f"{resource}:{access}",
                "id": f"scope-{resource}-{access}",
                "label": f"{_ACCESS_LABELS[access]} {label.lower()}",
                "checked": f"{resource}:{access}" in ticked,
            }
            for access in (READ, WRITE)
        ]
        rows.append({"label": label, "boxes": boxes})
    return rows


def _keys(request):
    return ApiKey.objects.filter(workspace=request.workspace)


def _api_key(request, key_id) -> ApiKey:
    return get_object_or_404(_keys(request).select_related("workspace"), pk=key_id)


def _page(request, form: ApiKeyForm | None = None):
    plan = entitlements.plan_for(request.workspace.pk)
    entitled = Feature.API_KEYS in plan.features
    keys = _keys(request).select_related("created_by").order_by("-created_at", "id")
    page = Paginator(keys, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {"key": key, "status": key.status, "badge": _STATUS_BADGES[key.status]}
        for key in page.object_list
    ]
    form = form or ApiKeyForm()
    context = {
        "plan": plan,
        "entitled": entitled,
        "page": page,
        "rows": rows,
        "form": form,
        "scope_rows": _scope_rows(form),
    }
    return render(request, "dashboard/api_keys.html", context)


def _issued(request, api_key: ApiKey, text: str, *, replaced: ApiKey | None = None):
    response = render(
        request,
        "dashboard/api_keys/issued.html",
        {"api_key": api_key, "secret": text, "replaced": replaced},
    )
    add_never_cache_headers(response)
    return response


@workspace_page(Perm.API_KEYS_MANAGE)
def api_keys(request):
    return _page(request)


@workspace_page(Perm.API_KEYS_MANAGE)
@require_POST
def api_key_create(request):
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    try:
        api_key, text = services.create_api_key(
            workspace=request.workspace,
            actor=request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.expires_at(),
        )
    except Refusal as error:
        report(request, error)
        return redirect("dashboard-api-keys")
    return _issued(request, api_key, text)


@workspace_page(Perm.WORKSPACE_VIEW)
@require_POST
def api_key_rotate(request, key_id):
    old = _api_key(request, key_id)
    require(request, Perm.API_KEYS_MANAGE)
    try:
        api_key, text = services.rotate_api_key(api_key=old, actor=request.user)
    except Refusal as error:
        report(request, error)
        return redirect("dashboard-api-keys")
    return _issued(request, api_key, text, replaced=old)


@workspace_page(Perm.WORKSPACE_VIEW)
def api_key_revoke(request, key_id):
    api_key = _api_key(request, key_id)
    require(request, Perm.API_KEYS_MANAGE)
    if request.method != "POST":
        return render(request, "dashboard/api_keys/confirm_revoke.html", {"api_key": api_key})
    try:
        services.revoke_api_key(api_key=api_key, actor=request.user)
    except Refusal as error:
        report(request, error)
    else:
        messages.success(request, f"Revoked the API key {api_key.name}; it no longer works.")
    return redirect("dashboard-api-keys")
