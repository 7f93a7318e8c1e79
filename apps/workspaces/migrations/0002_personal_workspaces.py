from django.db import migrations


def give_every_user_a_personal_workspace(apps, schema_editor):
    """Accounts made before workspaces existed get theirs; new ones get it at sign-up."""
    User = apps.get_model("accounts", "User")
    Workspace = apps.get_model("workspaces", "Workspace")
    Membership = apps.get_model("workspaces", "Membership")
    for user in User.objects.filter(personal_workspace__isnull=True).iterator():
        name = (user.name or user.email.split("@")[0]).strip()
        workspace = Workspace.objects.create(
            name=f"{name}'s workspace"[:120], personal_for=user, created_by=user
        )
        Membership.objects.create(workspace=workspace, user=user, role="owner")


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0001_initial"), ("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(give_every_user_a_personal_workspace, migrations.RunPython.noop)
    ]
