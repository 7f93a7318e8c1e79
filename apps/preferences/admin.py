"""Staff edit application settings here; every save and delete goes through the services, which
invalidate the cached settings. User preferences are shown, never edited."""

from django import forms
from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin
from apps.core.errors import ApplicationError

from . import services
from .models import AppSetting, UserPreference
from .registry import APP_SETTINGS


def _key_help() -> str:
    return "; ".join(
        f"{name} ({setting.kind}, default {setting.default!r})"
        for name, setting in APP_SETTINGS.items()
    )


class AppSettingForm(forms.ModelForm):
    """Validates the value by the key's declared type. A new setting takes its value as text,
    read by the key's type; an existing one gets the widget its type calls for."""

    key = forms.ChoiceField(choices=[(name, name) for name in APP_SETTINGS], help_text=_key_help())
    value = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Read as the key's declared type, listed under Key.",
    )

    class Meta:
        model = AppSetting
        fields = ["key", "value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding and self.instance.key in APP_SETTINGS:
            self.fields["value"] = APP_SETTINGS[self.instance.key].form_field()

    def clean(self):
        cleaned = super().clean()
        key = cleaned.get("key") or self.instance.key
        setting = APP_SETTINGS.get(key)
        if setting is None:
            if not self.instance._state.adding:
                self.add_error(None, f"{key} is no longer a declared setting; delete this row.")
            return cleaned
        if "value" not in cleaned:
            return cleaned
        try:
            value = setting.form_field().clean(cleaned["value"])
            cleaned["value"] = setting.clean(value)
        except forms.ValidationError as error:
            self.add_error("value", error)
        except ApplicationError as error:
            self.add_error("value", error.message)
        return cleaned


@admin.register(AppSetting)
class AppSettingAdmin(admin.ModelAdmin):
    form = AppSettingForm
    list_display = ["key", "value", "updated_by", "updated_at"]
    list_select_related = ["updated_by"]
    search_fields = ["key"]
    fields = ["key", "value", "updated_by", "updated_at", "created_at"]
    readonly_fields = ["updated_by", "updated_at", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return ["key", *readonly] if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        saved = services.set_app_setting(
            key=obj.key, value=form.cleaned_data["value"], actor=request.user
        )
        # The admin's log entry and redirect use `obj`: make it the row the service saved.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.reset_app_setting(setting=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for setting in queryset:
            self.delete_model(request, setting)


@admin.register(UserPreference)
class UserPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "key", "value", "updated_at"]
    list_filter = ["key"]
    search_fields = ["user__email", "key"]
    list_select_related = ["user"]
