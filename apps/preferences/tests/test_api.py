"""GET/PUT settings and GET settings/app, end to end through the API."""

import pytest

from apps.accounts.tests.factories import UserFactory
from apps.core.renderers import camel_key
from apps.core.testing import data_of, error_of
from apps.preferences.models import UserPreference
from apps.preferences.registry import USER_PREFERENCES

pytestmark = pytest.mark.django_db

URL = "/api/v1/settings"
APP_URL = "/api/v1/settings/app"

DEFAULTS = {
    "theme": "system",
    "locale": "en",
    "timezone": "UTC",
    "dateFormat": "YYYY-MM-DD",
    "weekStartsOn": "monday",
    "itemsPerPage": 20,
    "emailProductUpdates": False,
}


def test_get_answers_every_declared_key_with_its_default(user_client):
    settings = data_of(user_client.get(URL))

    assert settings == DEFAULTS
    assert set(settings) == {camel_key(name) for name in USER_PREFERENCES}


def test_put_of_a_subset_persists_it_and_answers_the_merged_set(user_client, user):
    changes = {"theme": "dark", "timezone": "Europe/Paris", "itemsPerPage": 50}

    answered = data_of(user_client.put(URL, changes, format="json"))

    assert answered == {**DEFAULTS, **changes}
    assert data_of(user_client.get(URL)) == answered
    # theme and timezone live on the user row the rest of the platform reads.
    user.refresh_from_db()
    assert (user.theme, user.timezone) == ("dark", "Europe/Paris")
    rows = dict(UserPreference.objects.filter(user=user).values_list("key", "value"))
    assert rows == {"items_per_page": 50}


def test_a_second_put_changes_only_the_keys_it_sends(user_client):
    user_client.put(URL, {"dateFormat": "DD/MM/YYYY", "itemsPerPage": 30}, format="json")

    answered = data_of(user_client.put(URL, {"itemsPerPage": 40}, format="json"))

    assert answered["dateFormat"] == "DD/MM/YYYY"
    assert answered["itemsPerPage"] == 40


def test_unknown_key_is_a_400_naming_it_and_nothing_is_written(user_client, user):
    response = user_client.put(URL, {"theme": "dark", "fontSize": 14}, format="json")

    error = error_of(response, 400, "VALIDATION_ERROR", field="fontSize")
    assert "weekStartsOn" in error["message"]
    user.refresh_from_db()
    assert user.theme == "system"
    assert not UserPreference.objects.exists()


def test_one_invalid_key_keeps_the_valid_ones_from_being_written(user_client, user):
    response = user_client.put(
        URL, {"itemsPerPage": 30, "locale": "fr", "weekStartsOn": "friday"}, format="json"
    )

    error_of(response, 400, "VALIDATION_ERROR", field="weekStartsOn")
    user.refresh_from_db()
    assert user.locale == "en"
    assert not UserPreference.objects.exists()


@pytest.mark.parametrize("zone", ["Mars/Olympus", "localtime", "", "europe/paris"])
def test_a_time_zone_that_is_not_an_iana_name_is_a_400(user_client, user, zone):
    response = user_client.put(URL, {"timezone": zone}, format="json")

    error_of(response, 400, "VALIDATION_ERROR", field="timezone")
    user.refresh_from_db()
    assert user.timezone == "UTC"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("itemsPerPage", "50"),
        ("itemsPerPage", 50.5),
        ("itemsPerPage", True),
        ("itemsPerPage", 9),
        ("itemsPerPage", 101),
        ("emailProductUpdates", "yes"),
        ("emailProductUpdates", 1),
        ("theme", "neon"),
        ("dateFormat", 20240101),
        ("timezone", 2),
    ],
)
def test_a_wrong_type_or_out_of_range_value_is_a_400_naming_the_field(user_client, field, value):
    response = user_client.put(URL, {field: value}, format="json")

    error_of(response, 400, "VALIDATION_ERROR", field=field)
    assert not UserPreference.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400(user_client):
    response = user_client.put(URL, [{"theme": "dark"}], format="json")

    error_of(response, 400, "VALIDATION_ERROR")


def test_null_resets_a_key_to_its_default(user_client, user):
    user_client.put(
        URL, {"itemsPerPage": 50, "theme": "dark", "emailProductUpdates": True}, format="json"
    )

    answered = data_of(user_client.put(URL, {"itemsPerPage": None, "theme": None}, format="json"))

    assert answered == {**DEFAULTS, "emailProductUpdates": True}
    assert list(UserPreference.objects.values_list("key", flat=True)) == ["email_product_updates"]
    user.refresh_from_db()
    assert user.theme == "system"


def test_resetting_the_time_zone_takes_the_applications_default(user_client, user, set_app_setting):
    set_app_setting("default_timezone", "America/New_York")
    user_client.put(URL, {"timezone": "Asia/Tokyo"}, format="json")

    answered = data_of(user_client.put(URL, {"timezone": None}, format="json"))

    assert answered["timezone"] == "America/New_York"
    user.refresh_from_db()
    assert user.timezone == "America/New_York"


def test_a_stored_value_the_declaration_no_longer_allows_answers_the_default(user_client, user):
    UserPreference.objects.create(user=user, key="items_per_page", value=500)
    UserPreference.objects.create(user=user, key="retired_setting", value="x")

    settings = data_of(user_client.get(URL))

    assert settings == DEFAULTS


def test_one_users_settings_are_invisible_to_another(user_client, login):
    user_client.put(URL, {"itemsPerPage": 80, "theme": "dark"}, format="json")
    someone_else, _, _ = login(UserFactory())

    assert data_of(someone_else.get(URL)) == DEFAULTS
    data_of(someone_else.put(URL, {"itemsPerPage": 10}, format="json"))
    assert data_of(user_client.get(URL))["itemsPerPage"] == 80


@pytest.mark.parametrize(("method", "url"), [("get", URL), ("put", URL), ("get", APP_URL)])
def test_anonymous_gets_401(api_client, method, url):
    if method == "put":
        response = api_client.put(url, {"theme": "dark"}, format="json")
    else:
        response = api_client.get(url)

    error_of(response, 401, "UNAUTHORIZED")
    assert not UserPreference.objects.exists()


def test_settings_app_answers_the_public_application_settings(user_client, set_app_setting):
    assert data_of(user_client.get(APP_URL)) == {
        "supportEmail": None,
        "maintenanceBanner": "",
        "defaultTimezone": "UTC",
    }
    set_app_setting("support_email", "Help@Example.com")

    assert data_of(user_client.get(APP_URL))["supportEmail"] == "help@example.com"


def test_settings_app_is_read_only(user_client):
    response = user_client.put(APP_URL, {"supportEmail": "x@example.com"}, format="json")

    error_of(response, 405, "METHOD_NOT_ALLOWED")


def test_the_schema_describes_every_setting(api_client):
    response = api_client.get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()

    paths = schema["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/settings"])
    assert "get" in paths["/api/v1/settings/app"]
    components = schema["components"]["schemas"]
    keys = {camel_key(name) for name in USER_PREFERENCES}
    assert set(components["UserSettings"]["properties"]) == keys
    assert set(components["UserSettingsUpdateRequest"]["properties"]) == keys
    assert set(components["PublicAppSettings"]["properties"]) == {
        "supportEmail",
        "maintenanceBanner",
        "defaultTimezone",
    }
