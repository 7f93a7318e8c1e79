import factory

from apps.api_keys.keys import hash_secret, key_text, new_prefix, new_secret
from apps.api_keys.models import ApiKey
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import MembershipFactory, WorkspaceFactory


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """A key with its text on `.text` (the factory knows the secret; the row never does).

    Without `created_by`, the creator is a new admin of the workspace."""

    class Meta:
        model = ApiKey

    workspace = factory.SubFactory(WorkspaceFactory)
    created_by = factory.LazyAttribute(
        lambda key: MembershipFactory(workspace=key.workspace, role=Role.ADMIN).user
    )
    name = factory.Sequence(lambda n: f"Integration {n}")
    prefix = factory.LazyFunction(new_prefix)
    secret = factory.LazyFunction(new_secret)
    secret_hash = factory.LazyAttribute(lambda key: hash_secret(key.secret))
    scopes = factory.LazyFunction(lambda: ["clients:read"])

    @classmethod
    def _create(cls, model_class, *args, secret, **kwargs):
        api_key = super()._create(model_class, *args, **kwargs)
        api_key.text = key_text(api_key.prefix, secret)
        return api_key


def key_header(api_key: ApiKey) -> dict:
    """The request header that presents a factory-made key (its `.text`)."""
    return {"HTTP_AUTHORIZATION": f"Api-Key {api_key.text}"}
