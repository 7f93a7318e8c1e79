from django.conf import settings
from django.db import models

from apps.core.models import BaseModel


class UserPreference(BaseModel):
    """A preference a user chose, by its declared key (`registry.USER_PREFERENCES`).

    A key the user never set, or reset, has no row and answers its declared default, so a
    changed default reaches everyone who has not chosen otherwise. Keys kept on the User row
    (theme, locale, timezone) never have one.
    """

    # The unique (user, key) index leads with user, so the foreign key needs no index of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferences",
        db_index=False,
    )
    key = models.CharField(max_length=64)
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="userpreference_user_key_unique")
        ]

    def __str__(self):
        return f"{self.key} = {self.value!r}"


class AppSetting(BaseModel):
    """An application setting staff set in the admin, by its declared key
    (`registry.APP_SETTINGS`). Without a row the declared default applies."""

    key = models.CharField(max_length=64, unique=True)
    # Blank allowed: an empty text (no banner) is a value; the declared type validates the rest.
    value = models.JSONField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["key"]
        verbose_name = "application setting"

    def __str__(self):
        return self.key
