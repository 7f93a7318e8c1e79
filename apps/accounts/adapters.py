from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from .services import generate_unique_username


def user_display(user) -> str:
    return user.display_name


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # The name must be known before allauth asks for a username, as the API does it.
        user.name = form.cleaned_data.get("name", "").strip()
        return super().save_user(request, user, form, commit=commit)

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
