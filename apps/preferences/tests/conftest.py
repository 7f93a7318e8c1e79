import pytest

from apps.accounts.tests.factories import UserFactory
from apps.preferences import services


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def set_app_setting(staff, django_capture_on_commit_callbacks):
    """Set an application setting as staff would, running its after-commit cache invalidation
    (the test's transaction never commits)."""

    def _set(key, value):
        with django_capture_on_commit_callbacks(execute=True):
            return services.set_app_setting(key=key, value=value, actor=staff)

    return _set
