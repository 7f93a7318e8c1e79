from django import forms


class SignupForm(forms.Form):
    """Extra field on allauth's sign-up page: the name the avatar initials come from."""

    name = forms.CharField(max_length=100, required=False, label="Your name")

    def signup(self, request, user):
        user.name = self.cleaned_data.get("name", "")
        user.save(update_fields=["name", "initials", "updated_at"])
