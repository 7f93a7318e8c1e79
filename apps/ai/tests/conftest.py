"""The local Gemini stand-in, and settings that point the provider at it."""

import pytest

from apps.ai.providers.gemini import reset_breaker
from apps.ai.tests.fake_gemini import TEST_API_KEY, FakeGemini


@pytest.fixture(scope="session")
def _fake_gemini_server():
    with FakeGemini() as server:
        yield server


@pytest.fixture
def fake_gemini(_fake_gemini_server):
    """Gemini's API, answered locally and reset for each test (the settings are not touched)."""
    _fake_gemini_server.reset()
    reset_breaker()
    yield _fake_gemini_server
    reset_breaker()


@pytest.fixture
def gemini(fake_gemini, settings):
    """AI_PROVIDER=gemini against the stand-in, with retries that wait milliseconds."""
    settings.AI_PROVIDER = "gemini"
    settings.GEMINI_API_KEY = TEST_API_KEY
    settings.GEMINI_MODEL = "gemini-test-model"
    settings.GEMINI_API_BASE = fake_gemini.url
    settings.AI_TIMEOUT_SECONDS = 5
    settings.AI_MAX_RETRIES = 2
    settings.AI_RETRY_DELAY_SECONDS = 0.01
    settings.AI_BREAKER_FAILURES = 5
    settings.AI_BREAKER_RESET_SECONDS = 60
    return fake_gemini
