"""The admin, Swagger UI and Redoc work in a real browser under the Content-Security-Policy.

No CSP violation, no console error, nothing fetched from another origin, and each page really
renders (Swagger and Redoc list an operation). Screenshots go to test-artifacts/.
"""

from typing import Any

import pytest
from django.apps import apps

from powtracker.roles import ROLE_SUPERVISOR, roles_sync
from tests.browser import ARTIFACTS, chromium, chromium_required
from tests.factories import UserFactory

chromium_required()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
# Recorded inside the page: what the CSP refused, as the browser reports it.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def test_admin_swagger_and_redoc_work_under_the_content_security_policy(
    live_server: Any, tmp_path: Any
) -> None:
    from playwright.sync_api import expect, sync_playwright

    roles_sync(apps)  # a transactional test before this one may have flushed the groups away
    UserFactory(username="sup", role=ROLE_SUPERVISOR)
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    outside: list[str] = []

    with sync_playwright() as playwright:
        browser = chromium(playwright, tmp_path / "profile")
        page = browser.new_page()
        page.add_init_script(WATCH_CSP)

        def on_console(message: Any) -> None:
            # A failed load is reported by URL below (the console does not say which one).
            if message.type not in ("error", "warning"):
                return
            if message.text.startswith("Failed to load resource"):
                return
            problems.append(f"console {message.type}: {message.text}")

        def on_response(response: Any) -> None:
            if response.status >= 400:
                problems.append(f"{response.status} {response.url}")
            # What came back from elsewhere (a request the policy blocks gets no response).
            if not response.url.startswith((live_server.url, "data:", "blob:")):
                outside.append(response.url)

        page.on("console", on_console)
        page.on("response", on_response)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

        def visit_checked(name: str, meant: tuple[str, ...] = ()) -> None:
            policy = page.evaluate("() => window.__cspViolations")
            assert [v for v in policy if v not in meant] == [], f"{name}: {policy}"
            assert problems == [], f"{name}: {problems}"
            page.screenshot(path=str(ARTIFACTS / f"csp-{name}.png"), full_page=False)

        login = page.goto(f"{live_server.url}/admin/login/")
        assert "default-src 'self'" in login.headers["content-security-policy"]
        expect(page.locator("#id_username")).to_be_visible()
        visit_checked("admin-login")

        page.fill("#id_username", "sup")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        expect(page.locator("#site-name")).to_contain_text("powtracker")
        expect(page.get_by_role("link", name="Captives", exact=True).first).to_be_visible()
        visit_checked("admin-index")

        page.goto(f"{live_server.url}/api/docs/")
        expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
        expect(page.locator(".opblock-summary-path").first).to_contain_text("/api/v1/")
        visit_checked("swagger")

        page.goto(f"{live_server.url}/api/redoc/")
        operation = page.locator("[data-section-id^='tag/'][data-section-id*='/operation/']")
        expect(operation.first).to_be_attached(timeout=20_000)
        expect(page.locator("h1").first).to_contain_text("powtracker partner API")
        # Redoc's own logo comes from its maker's CDN; the copy served here draws none
        # (powtracker.docs), so the policy has nothing to block.
        visit_checked("redoc")
        browser.close()

    assert outside == []
