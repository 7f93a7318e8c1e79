from .selectors import app_setting


def _maintenance_banner() -> str:
    return app_setting("maintenance_banner")


def app_settings(request):
    """The maintenance banner for templates. Passed as a callable, so the template engine
    reads it (from the cache) only on pages that show it, not on every admin page."""
    return {"maintenance_banner": _maintenance_banner}
