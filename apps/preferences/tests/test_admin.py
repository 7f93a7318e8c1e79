"""Staff edit application settings in the admin; the form validates by the declared type."""

import pytest
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.preferences.models import AppSetting, UserPreference
from apps.preferences.selectors import app_setting

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:preferences_appsetting_add")


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def change_url(setting) -> str:
    return reverse("admin:preferences_appsetting_change", args=[setting.pk])


def test_the_add_and_change_pages_render(admin_client, set_app_setting):
    setting = set_app_setting("default_timezone", "Europe/Paris")

    assert admin_client.get(ADD_URL).status_code == 200
    change = admin_client.get(change_url(setting))
    assert change.status_code == 200
    assert b"Europe/Paris" in change.content
    assert admin_client.get(reverse("admin:preferences_appsetting_changelist")).status_code == 200


def test_the_add_form_rejects_a_bad_value_and_saves_nothing(admin_client):
    page = admin_client.post(ADD_URL, {"key": "support_email", "value": "not an email"})

    assert page.status_code == 200
    assert page.context["adminform"].form.errors["value"] == ["Enter a valid email address."]
    assert not AppSetting.objects.exists()


def test_the_add_form_accepts_a_good_value_and_the_selector_sees_it(
    admin_client, staff, django_capture_on_commit_callbacks
):
    assert app_setting("support_email") is None  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD_URL, {"key": "support_email", "value": "Help@Example.com"})

    assert response.status_code == 302
    setting = AppSetting.objects.get()
    assert (setting.key, setting.value, setting.updated_by) == (
        "support_email",
        "help@example.com",
        staff,
    )
    assert app_setting("support_email") == "help@example.com"


def test_the_add_form_offers_only_declared_keys(admin_client):
    page = admin_client.post(ADD_URL, {"key": "signup_bonus", "value": "10"})

    assert "key" in page.context["adminform"].form.errors
    assert not AppSetting.objects.exists()


def test_a_key_is_set_once_then_changed(admin_client, set_app_setting):
    set_app_setting("default_timezone", "Europe/Paris")

    page = admin_client.post(ADD_URL, {"key": "default_timezone", "value": "Asia/Tokyo"})

    assert "key" in page.context["adminform"].form.errors
    assert AppSetting.objects.get().value == "Europe/Paris"


def test_the_change_form_validates_by_type(
    admin_client, set_app_setting, django_capture_on_commit_callbacks
):
    setting = set_app_setting("default_timezone", "Europe/Paris")

    refused = admin_client.post(change_url(setting), {"value": "Mars/Olympus"})

    assert "Unknown time zone" in refused.context["adminform"].form.errors["value"][0]
    assert app_setting("default_timezone") == "Europe/Paris"

    with django_capture_on_commit_callbacks(execute=True):
        saved = admin_client.post(change_url(setting), {"value": "Asia/Tokyo"})

    assert saved.status_code == 302
    setting.refresh_from_db()
    assert setting.value == "Asia/Tokyo"
    assert app_setting("default_timezone") == "Asia/Tokyo"


def test_the_change_form_keeps_the_key(admin_client, set_app_setting):
    setting = set_app_setting("maintenance_banner", "Back soon")

    admin_client.post(change_url(setting), {"key": "support_email", "value": "Later"})

    setting.refresh_from_db()
    assert (setting.key, setting.value) == ("maintenance_banner", "Later")


def test_a_row_whose_key_is_no_longer_declared_cannot_be_saved(admin_client):
    retired = AppSetting.objects.create(key="retired_setting", value="x")

    page = admin_client.post(change_url(retired), {"value": "y"})

    assert "no longer a declared setting" in str(page.context["adminform"].form.errors)
    retired.refresh_from_db()
    assert retired.value == "x"


def test_deleting_a_setting_returns_it_to_its_default(
    admin_client, set_app_setting, django_capture_on_commit_callbacks
):
    setting = set_app_setting("maintenance_banner", "Back soon")
    assert app_setting("maintenance_banner") == "Back soon"

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:preferences_appsetting_delete", args=[setting.pk]), {"post": "yes"}
        )

    assert not AppSetting.objects.exists()
    assert app_setting("maintenance_banner") == ""


def test_staff_see_user_preferences_but_cannot_edit_them(admin_client):
    preference = UserPreference.objects.create(user=UserFactory(), key="items_per_page", value=50)

    listing = admin_client.get(reverse("admin:preferences_userpreference_changelist"))

    assert listing.status_code == 200
    assert b"items_per_page" in listing.content
    change = reverse("admin:preferences_userpreference_change", args=[preference.pk])
    admin_client.post(change, {"key": "theme", "value": '"dark"'})
    preference.refresh_from_db()
    assert preference.key == "items_per_page"
