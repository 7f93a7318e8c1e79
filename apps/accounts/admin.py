from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import ngettext

from . import sessions
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
class UserAdmin(DjangoUserAdmin):
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
