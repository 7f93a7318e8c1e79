import factory

from apps.accounts.tests.factories import UserFactory
from apps.notifications.kinds import Kind
from apps.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = Kind.SYSTEM
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened."
    link = "/dashboard/"
