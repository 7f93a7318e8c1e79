"""Application settings: the cached selector, the services, and the dashboard banner."""

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from apps.accounts.tests.factories import UserFactory
from apps.core.errors import ApplicationError
from apps.preferences import services
from apps.preferences.models import AppSetting
from apps.preferences.selectors import APP_SETTINGS_CACHE_KEY, app_setting, app_settings

pytestmark = pytest.mark.django_db


def test_an_unset_setting_answers_its_declared_default():
    assert app_settings() == {
        "support_email": None,
        "maintenance_banner": "",
        "default_timezone": "UTC",
    }


def test_the_selector_reads_through_the_cache_and_sees_a_save(
    set_app_setting, django_assert_num_queries
):
    set_app_setting("support_email", "help@example.com")

    with django_assert_num_queries(1):
        assert app_setting("support_email") == "help@example.com"
    with django_assert_num_queries(0):
        assert app_setting("support_email") == "help@example.com"
        assert app_setting("maintenance_banner") == ""

    set_app_setting("support_email", "desk@example.com")

    with django_assert_num_queries(1):
        assert app_setting("support_email") == "desk@example.com"
    with django_assert_num_queries(0):
        assert app_setting("support_email") == "desk@example.com"


def test_a_reset_drops_the_row_and_the_cached_value(
    staff, set_app_setting, django_capture_on_commit_callbacks
):
    setting = set_app_setting("maintenance_banner", "Back at 18:00")
    assert app_setting("maintenance_banner") == "Back at 18:00"

    with django_capture_on_commit_callbacks(execute=True):
        services.reset_app_setting(setting=setting, actor=staff)

    assert not AppSetting.objects.exists()
    assert app_setting("maintenance_banner") == ""


def test_the_cache_is_invalidated_only_once_the_change_commits(staff):
    assert app_setting("default_timezone") == "UTC"

    services.set_app_setting(key="default_timezone", value="Europe/Paris", actor=staff)

    # The test's transaction never commits, so the entry is still the one read before.
    assert cache.get(APP_SETTINGS_CACHE_KEY) == {}


def test_the_service_refuses_a_value_of_the_wrong_type(staff):
    with pytest.raises(ApplicationError) as refused:
        services.set_app_setting(key="default_timezone", value="Mars/Olympus", actor=staff)

    assert refused.value.details[0]["field"] == "defaultTimezone"
    assert not AppSetting.objects.exists()


def test_the_service_refuses_an_undeclared_key(staff):
    with pytest.raises(ValueError, match="signup_bonus"):
        services.set_app_setting(key="signup_bonus", value=10, actor=staff)


def test_a_row_the_declaration_no_longer_allows_is_ignored():
    AppSetting.objects.create(key="default_timezone", value="Mars/Olympus")
    AppSetting.objects.create(key="retired_setting", value=1)

    assert app_settings()["default_timezone"] == "UTC"


def test_dashboard_pages_show_the_maintenance_banner_while_it_is_set(set_app_setting):
    browser = Client()
    browser.force_login(UserFactory())
    assert "maintenance-banner" not in browser.get("/dashboard/").content.decode()

    set_app_setting("maintenance_banner", "Down for upgrades <b>at 18:00</b>")

    page = browser.get("/dashboard/").content.decode()
    assert "Down for upgrades &lt;b&gt;at 18:00&lt;/b&gt;" in page
    assert "<b>at 18:00</b>" not in page


def test_the_banner_costs_no_query_once_cached(set_app_setting, django_assert_num_queries):
    set_app_setting("maintenance_banner", "Read-only mode")
    request = RequestFactory().get("/dashboard/")
    render_to_string("preferences/_maintenance_banner.html", request=request)

    with django_assert_num_queries(0):
        html = render_to_string("preferences/_maintenance_banner.html", request=request)

    assert "Read-only mode" in html
