"""Staff look at notifications, preferences and emails; the users own the first two, so they
are shown, never edited. A failed email can be sent again."""

from django.contrib import admin, messages
from django.utils.html import format_html_join

from apps.core.admin import ReadOnlyAdmin

from . import emails, selectors
from .kinds import KINDS
from .models import EmailDelivery, Notification, NotificationPreference


class ReadFilter(admin.SimpleListFilter):
    title = "read"
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("yes", "Read"), ("no", "Unread")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "user", "kind", "read_at", "created_at"]
    list_filter = ["kind", ReadFilter]
    search_fields = ["title", "user__email"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    fields = ["user", "kind", "title", "body", "data", "link", "read_at", "key", "created_at"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "reminder_window_days", "updated_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "effective", "choices", "reminder_window_days", "updated_at"]

    @admin.display(description="In effect (choices and defaults)")
    def effective(self, obj):
        channels = selectors.preferences_for(obj.user).channels
        rows = [
            (KINDS[kind].kind.label, _on(chosen["in_app"]), _on(chosen["email"]))
            for kind, chosen in channels.items()
        ]
        return format_html_join("\n", "<div>{}: in app {}, email {}</div>", rows)


def _on(value: bool) -> str:
    return "on" if value else "off"


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["subject", "to", "template", "status", "attempts", "sent_at", "created_at"]
    list_filter = ["status", "template", "kind"]
    search_fields = ["to", "subject", "key"]
    date_hierarchy = "created_at"
    actions = ["requeue"]
    fields = [
        "key",
        "to",
        "user",
        "kind",
        "template",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "provider_message_id",
        "last_error",
        "text_body",
        "created_at",
    ]

    @admin.action(description="Send the selected failed emails again", permissions=["requeue"])
    def requeue(self, request, queryset):
        count = sum(
            emails.requeue_failed_email(delivery=delivery, actor=request.user)
            for delivery in queryset.filter(status=EmailDelivery.Status.FAILED)
        )
        self.message_user(request, f"Queued {count} email(s) again.", messages.SUCCESS)

    def has_requeue_permission(self, request):
        # Rows stay read-only; sending again is what changing one would mean.
        return request.user.has_perm("notifications.change_emaildelivery")
