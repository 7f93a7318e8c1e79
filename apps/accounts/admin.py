from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import ngettext

from apps.activity.models import ActivityChainHead, ActivityEvent
from apps.core.admin import DeletesDependentHistory
from apps.core.errors import ApplicationError
from apps.crm.models import NoteVersion
from apps.workspaces.models import Invite, Membership
from apps.workspaces.services import workspaces_blocking_account_deletion

from . import services, sessions
from .models import LoginSession, RefreshTokenRecord, User


class LoginSessionInline(admin.TabularInline):
    model = LoginSession
    extra = 0
    can_delete = False
    fields = [
        "device",
        "ip_address",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoked_reason",
    ]
    readonly_fields = fields
    ordering = ["-last_used_at"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DeletesDependentHistory, DjangoUserAdmin):
    # Deleting goes through the account service: it keeps teams from losing their last owner.
    dependent_history = (ActivityEvent, ActivityChainHead, Membership, Invite, NoteVersion)
    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "username",
        "is_staff",
        "is_active",
        "is_online",
        "last_active",
        "created_at",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_online", "created_at"]
    search_fields = ["email", "name", "username", "phone"]
    readonly_fields = [
        "id",
        "initials",
        "avatar_color",
        "last_login",
        "last_active",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["id", "email", "password"]}),
        (
            "Profile",
            {"fields": ["name", "username", "initials", "avatar_color", "avatar", "bio", "phone"]},
        ),
        ("Settings", {"fields": ["timezone", "locale", "theme"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (
            "Activity",
            {"fields": ["is_online", "last_active", "last_login", "created_at", "updated_at"]},
        ),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})
    ]
    inlines = [LoginSessionInline]
    actions = ["revoke_all_sessions"]

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, unquote(object_id))
        blocking = workspaces_blocking_account_deletion(user) if user is not None else []
        if blocking:
            names = ", ".join(sorted(workspace.name for workspace in blocking))
            self.message_user(
                request,
                f"{user.email} is the only owner of {names}; transfer ownership first.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        services.delete_user(user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            try:
                services.delete_user(user=user)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)

    @admin.action(description="Revoke all sessions (signs the user out everywhere)")
    def revoke_all_sessions(self, request, queryset):
        total = 0
        for user in queryset:
            total += sessions.revoke_all_sessions(
                user=user, reason=LoginSession.RevokeReason.REVOKED_BY_STAFF
            )
        self.message_user(
            request,
            ngettext("Revoked %d session.", "Revoked %d sessions.", total) % total,
            messages.SUCCESS,
        )


class RefreshTokenInline(admin.TabularInline):
    """The rotation history of a session: a used token presented again revoked it."""

    model = RefreshTokenRecord
    extra = 0
    can_delete = False
    fields = ["jti", "created_at", "expires_at", "used_at"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LoginSession)
class LoginSessionAdmin(admin.ModelAdmin):
    inlines = [RefreshTokenInline]
    list_display = [
        "user",
        "device",
        "ip_address",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_reason",
    ]
    list_filter = ["revoked_reason", "created_at"]
    search_fields = ["user__email", "device", "ip_address"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in LoginSession._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected sessions")
    def revoke(self, request, queryset):
        count = sum(
            sessions.revoke_session(session=s, reason=LoginSession.RevokeReason.REVOKED_BY_STAFF)
            for s in queryset
        )
        self.message_user(request, f"Revoked {count} sessions.", messages.SUCCESS)
