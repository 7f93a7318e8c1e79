from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from .services import generate_unique_username


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        if not user.username:
            user.username = generate_unique_username(user.name or user.email)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        full_name = " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.name = data.get("name") or full_name or user.name
        return user
