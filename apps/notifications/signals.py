"""The welcome for accounts made by allauth (the sign-up page, Google or GitHub), which do not
pass through `accounts.services.create_user`. A receiver, because allauth owns those flows;
`send_welcome` is keyed, so an account made both ways is welcomed once."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from .services import send_welcome


@receiver(user_signed_up, dispatch_uid="notifications_welcome")
def welcome_new_user(sender, request, user, **kwargs):
    send_welcome(user=user)
