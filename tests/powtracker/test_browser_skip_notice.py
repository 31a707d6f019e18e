"""`make test` ends by saying that the browser tests were skipped, and how to run them, where
Debian's chromium is missing."""

from typing import Any

from tests import browser
from tests.conftest import pytest_terminal_summary


class Reporter:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write_sep(self, sep: str, title: str, **markup: Any) -> None:
        self.lines.append(title)

    def write_line(self, line: str, **markup: Any) -> None:
        self.lines.append(line)


def test_the_run_ends_saying_the_browser_tests_were_skipped_without_chromium(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    reporter = Reporter()
    pytest_terminal_summary(reporter)
    said = "\n".join(reporter.lines)
    assert "browser tests were skipped" in said
    assert "apt-get install chromium" in said


def test_the_run_says_nothing_of_it_with_chromium(monkeypatch, tmp_path):
    found = tmp_path / "chromium"
    found.touch()
    monkeypatch.setattr(browser, "CHROMIUM", str(found))
    reporter = Reporter()
    pytest_terminal_summary(reporter)
    assert reporter.lines == []
