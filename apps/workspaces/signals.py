"""Every account gets its personal workspace, however it was created: the API, the sign-up
page, Google or GitHub, the admin or `createsuperuser`. A receiver, because the accounts app
sits below workspaces and must not import it."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="personal_workspace")
def give_new_user_a_personal_workspace(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .services import create_personal_workspace

        with transaction.atomic():
            create_personal_workspace(user=instance)
