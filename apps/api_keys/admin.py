"""Staff view of API keys. Keys are made through the API (so the secret is shown once, to the
person who will hold it); here staff find them and revoke them through the service."""

from django.contrib import admin, messages
from django.utils import timezone

from apps.core.errors import ApplicationError

from . import services
from .models import ApiKey


class KeyStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return ApiKey.Status.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == ApiKey.Status.ACTIVE:
            return queryset.usable()
        if self.value() == ApiKey.Status.EXPIRED:
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == ApiKey.Status.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        return queryset


class ScopeFilter(admin.SimpleListFilter):
    title = "resource"
    parameter_name = "resource"

    def lookups(self, request, model_admin):
        from .scopes import RESOURCES

        return [(resource, resource) for resource in RESOURCES]

    def queryset(self, request, queryset):
        if self.value():
            # JSON containment is PostgreSQL-only; the scope strings are distinctive enough
            # to find as text on every backend.
            return queryset.filter(scopes__icontains=f'"{self.value()}:')
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "prefix", "name", "workspace", "created_by", "scope_list", "last_used_at", "expires_at",
        "revoked",
    ]  # fmt: skip
    list_filter = [
        KeyStatusFilter,
        ScopeFilter,
        ("workspace", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["prefix", "name", "workspace__name", "created_by__email"]
    list_select_related = ["workspace", "created_by"]
    fields = [
        "id", "name", "prefix", "secret_hash", "workspace", "created_by", "scopes", "expires_at",
        "last_used_at", "revoked_at", "rotated_from", "created_at", "updated_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="scopes")
    def scope_list(self, api_key):
        return ", ".join(api_key.scopes)

    @admin.display(boolean=True, ordering="revoked_at")
    def revoked(self, api_key):
        return api_key.is_revoked

    def has_add_permission(self, request):
        return False

    # Deleting stays allowed: a workspace or an account takes its keys with it, and the admin
    # would refuse that deletion if staff could not delete the keys.

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke(self, request, queryset):
        done = skipped = 0
        for api_key in queryset:
            try:
                services.revoke_api_key(api_key=api_key, actor=request.user)
            except ApplicationError:  # revoked already
                skipped += 1
            else:
                done += 1
        self.message_user(request, f"Revoked {done} API key(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"Skipped {skipped} API key(s) revoked already.", messages.WARNING
            )
