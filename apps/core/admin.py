"""Admin building blocks every app uses."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows staff may look at but never add, edit or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeletesDependentHistory:
    """For an admin whose objects take append-only rows with them (a workspace its events, a
    note its versions). Those rows refuse deletion one by one, and the admin would otherwise
    refuse to delete their owner for want of a permission nobody has."""

    dependent_history: tuple = ()

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        history = {str(model._meta.verbose_name) for model in self.dependent_history}
        return deleted, counts, perms_needed - history, protected


class ReadOnlyInlineMixin:
    """An inline of rows that other code writes (services, the audit trail): shown, never
    added or edited here. `select_related` names the relations its fields display."""

    extra = 0
    can_delete = False
    select_related: tuple = ()

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.select_related)
