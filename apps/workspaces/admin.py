"""Staff views of workspaces, members and invites. The invite actions call the invite services
as staff (an actor without a membership), so they record the same events as the API."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse

from apps.activity.models import ActivityChainHead, ActivityEvent
from apps.core.admin import DeletesDependentHistory, ReadOnlyAdmin, ReadOnlyInlineMixin
from apps.core.errors import ApplicationError

from . import services
from .models import Invite, Membership, Workspace

PERSONAL_STAYS = "A personal workspace goes with its account; delete the account instead."


class WorkspaceKindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("personal", "Personal"), ("team", "Team")]

    def queryset(self, request, queryset):
        if self.value() == "personal":
            return queryset.filter(personal_for__isnull=False)
        if self.value() == "team":
            return queryset.filter(personal_for__isnull=True)
        return queryset


class MembershipInline(ReadOnlyInlineMixin, admin.TabularInline):
    """Members join by invite and change through the team API and pages, which keep the
    ownership rules and write the events; here staff see them."""

    model = Membership
    show_change_link = True
    fields = ["user", "role", "created_at"]
    select_related = ("user",)


class InviteInline(ReadOnlyInlineMixin, admin.TabularInline):
    """Invites are written by the invite services only (they send the email and record the
    event); here staff see them and follow the link to act."""

    model = Invite
    show_change_link = True
    fields = ["email", "role", "status", "invited_by", "expires_at", "sent_count", "last_sent_at"]
    select_related = ("invited_by",)


@admin.register(Workspace)
class WorkspaceAdmin(DeletesDependentHistory, admin.ModelAdmin):
    list_display = ["name", "personal_owner", "member_count", "created_at"]
    list_filter = [WorkspaceKindFilter, "created_at"]
    search_fields = ["name", "memberships__user__email"]
    list_select_related = ["personal_for"]
    ordering = ["name", "id"]  # the member count's GROUP BY drops the model's ordering
    fields = ["id", "name", "personal_for", "created_by", "created_at", "updated_at"]
    readonly_fields = ["id", "personal_for", "created_by", "created_at", "updated_at"]
    inlines = [MembershipInline, InviteInline]
    dependent_history = (ActivityEvent, ActivityChainHead, Membership, Invite)

    def get_queryset(self, request):
        # distinct: a search by member email joins memberships a second time.
        return (
            super().get_queryset(request).annotate(member_count=Count("memberships", distinct=True))
        )

    @admin.display(description="personal owner", ordering="personal_for__email")
    def personal_owner(self, workspace):
        return workspace.personal_for

    @admin.display(description="members", ordering="member_count")
    def member_count(self, workspace):
        return workspace.member_count

    def has_add_permission(self, request):
        # Workspaces are made by their owners (sign-up, `POST teams`, the pages).
        return False

    def save_model(self, request, obj, form, change):
        services.update_workspace(
            workspace=Workspace.objects.get(pk=obj.pk), actor=request.user, name=obj.name
        )

    # A personal workspace goes with its account (as `services.delete_workspace` rules). Not a
    # missing delete permission: that would also stop the account's own deletion.
    def delete_view(self, request, object_id, extra_context=None):
        workspace = self.get_object(request, unquote(object_id))
        if workspace is not None and workspace.is_personal:
            self.message_user(request, PERSONAL_STAYS, messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:workspaces_workspace_change", args=[workspace.pk])
            )
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        if queryset.filter(personal_for__isnull=False).exists():
            self.message_user(
                request, f"Personal workspaces kept: {PERSONAL_STAYS}", messages.WARNING
            )
        super().delete_queryset(request, queryset.filter(personal_for__isnull=True))


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """A list to find people by; members are managed on their workspace's page, where the
    ownership rules are checked."""

    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role", "created_at"]
    search_fields = ["user__email", "user__name", "workspace__name"]
    list_select_related = ["user", "workspace"]
    readonly_fields = ["id", "workspace", "user", "role", "created_at", "updated_at"]


@admin.register(Invite)
class InviteAdmin(ReadOnlyAdmin):
    list_display = [
        "email",
        "workspace",
        "role",
        "current_status",
        "sent_count",
        "last_sent_at",
        "expires_at",
        "invited_by",
    ]
    list_filter = ["status", "role", "created_at"]
    search_fields = ["email", "workspace__name"]
    list_select_related = ["workspace", "invited_by"]
    readonly_fields = [
        "id",
        "workspace",
        "email",
        "role",
        "status",
        "invited_by",
        "expires_at",
        "responded_at",
        "sent_count",
        "last_sent_at",
        "created_at",
        "updated_at",
    ]
    actions = ["resend", "revoke"]

    @admin.display(description="status", ordering="status")
    def current_status(self, invite):
        return Invite.Status(invite.effective_status).label

    def has_manage_permission(self, request):
        return request.user.has_perm("workspaces.change_invite")

    def _act(self, request, queryset, service, done: str, failed: str) -> None:
        count = 0
        for invite in queryset.select_related("workspace"):
            try:
                service(invite=invite, actor=request.user)
            except ApplicationError as error:
                self.message_user(
                    request, f"{failed}: {invite.email}: {error.message}", messages.ERROR
                )
            else:
                count += 1
        if count:
            self.message_user(request, f"{done} {count} invite(s).", messages.SUCCESS)

    @admin.action(description="Resend invite", permissions=["manage"])
    def resend(self, request, queryset):
        self._act(request, queryset, services.resend_invite, "Resent", "Not resent")

    @admin.action(description="Revoke invite", permissions=["manage"])
    def revoke(self, request, queryset):
        self._act(request, queryset, services.revoke_invite, "Revoked", "Not revoked")
