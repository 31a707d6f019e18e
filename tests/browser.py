"""Debian's Chromium for the browser tests: one way to open it, one way to sign in."""

import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network: no background calls, no updates, no GPU, a fresh profile.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def chromium_required() -> None:
    """Skip the calling module (called at its top) or test where Debian's chromium is missing,
    saying how to enable it."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "Browser test skipped: Debian's chromium is not installed "
            "(enable it with `apt-get install chromium`; .ci/run does this).",
            allow_module_level=True,
        )


def chromium(
    playwright: Any,
    profile: Path,
    viewport: dict[str, int] | None = None,
    locale: str = "en-US",
    **options: Any,
) -> Any:
    """A headless Chromium context with a fresh profile, at this viewport, speaking this
    language (its Accept-Language)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        args=CHROMIUM_FLAGS,
        headless=True,
        viewport=viewport or {"width": 1400, "height": 1000},
        locale=locale,
        **options,
    )


def sign_in(page: Any, base: str, username: str, password: str) -> Any:
    """Sign in on the admin's sign-in page and wait for the admin."""
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page
