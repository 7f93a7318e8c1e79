"""A file row can go three ways: through `services.delete_file`, with its client or project
(the CRM deletes those and must not know about files), or with its whole workspace. A
receiver, so that every way gives the bytes back to the plan and drops the blob after commit.

When the workspace itself goes, its usage ledger goes with it, so nothing is given back (a
release row would point at a workspace being deleted).
"""

from django.db.models import QuerySet
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import FileAsset


def _gives_storage_back(origin) -> bool:
    from apps.crm.models import Client, Project

    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model in (FileAsset, Client, Project)


@receiver(post_delete, sender=FileAsset, dispatch_uid="files_forget_deleted_file")
def forget_deleted_file(sender, instance, origin=None, **kwargs):
    from .services import forget_file

    forget_file(file=instance, release_storage=_gives_storage_back(origin))
