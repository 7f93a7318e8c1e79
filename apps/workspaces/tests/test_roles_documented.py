import re
from pathlib import Path

from django.conf import settings

from apps.workspaces.roles import PERMISSIONS, Perm, Role

ROW = re.compile(r"^\| `(?P<perm>[a-z_.]+)` \|(?P<cells>.*)\|\s*$")


def _readme_table() -> dict[str, set[str]]:
    table = {}
    for line in (Path(settings.BASE_DIR) / "README.md").read_text().splitlines():
        match = ROW.match(line)
        if match and match["perm"] in Perm._value2member_map_:
            cells = [cell.strip() for cell in match["cells"].split("|")]
            table[match["perm"]] = {
                role.value for role, cell in zip(Role, cells, strict=True) if cell
            }
    return table


def test_every_permission_has_roles():
    assert set(PERMISSIONS) == set(Perm)


def test_the_readme_role_table_matches_the_code():
    documented = _readme_table()
    actual = {perm.value: {role.value for role in roles} for perm, roles in PERMISSIONS.items()}
    assert documented == actual
