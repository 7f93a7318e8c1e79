"""End to end in a real browser: Playwright drives Debian's Chromium against the live server."""

import os
import shutil
from pathlib import Path

import pytest

from apps.accounts import sessions
from apps.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROME_ON_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


@pytest.fixture
def chromium(tmp_path):
    if not CHROMIUM.exists():
        message = f"the browser test needs Chromium at {CHROMIUM}"
        if os.environ.get("SERVICES_RUN") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )
        yield context
        context.close()


def screenshot(page, path: Path) -> None:
    """Save a full-page screenshot; BROWSER_SCREENSHOT_DIR keeps a copy for a person to review."""
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    if review_dir := os.environ.get("BROWSER_SCREENSHOT_DIR"):
        Path(review_dir).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(review_dir) / path.name)


@pytest.mark.browser
def test_signing_in_through_the_browser_opens_the_dashboard(
    transactional_db, live_server, tmp_path, request
):
    # Rows first: once Playwright's event loop runs in this thread, Django refuses ORM calls.
    user = UserFactory(name="Ada Lovelace")
    sessions.start_session(
        user=user, client=sessions.ClientInfo(ip="203.0.113.7", user_agent=CHROME_ON_LINUX)
    )
    page = request.getfixturevalue("chromium").new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    screenshot(page, tmp_path / "login.png")
    page.locator('form[action="/accounts/login/"] button[type="submit"]').click()
    page.wait_for_url(f"{live_server.url}/dashboard/")

    assert page.title() == "Dashboard · Platform"
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Ada Lovelace"
    assert page.get_by_role("cell", name="Chrome on Linux").is_visible()
    assert page.get_by_role("cell", name="203.0.113.7").is_visible()
    screenshot(page, tmp_path / "dashboard.png")
