"""Staff views of the CRM. Every write goes through `apps.crm.services`, with the staff user as
the actor, so the admin leaves the same activity events as the API; the model forms only
validate. One module per area; importing them registers the models."""

from . import clients, notes, projects, time_entries  # noqa: F401
