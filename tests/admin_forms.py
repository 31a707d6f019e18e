"""Read an admin form off a rendered page, so a test can post it back as a browser would."""

from html.parser import HTMLParser
from typing import Any

from django.urls import reverse


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if "__prefix__" in name:
            return
        if tag == "input" and name and a.get("type") not in {"submit", "button"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            else:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += (
                data.lstrip("\n") if not self.data[self._textarea] else data
            )


def admin_form_data(html: str) -> dict[str, str]:
    """The values a browser would submit for the page's form, as they stand."""
    reader = _FormReader()
    reader.feed(html)
    return reader.data


def inline_prefix(data: dict[str, str], field: str) -> str:
    """The prefix of the inline whose blank form holds `field` (e.g. the record-a-wish form)."""
    matches = [
        name.removesuffix(f"-0-{field}")
        for name in data
        if name.endswith(f"-0-{field}")
        and data.get(name.replace(f"-0-{field}", "-INITIAL_FORMS")) == "0"
    ]
    assert len(matches) == 1, matches
    return matches[0]


def admin_step(client: Any, record: Any, step: str, **data: str) -> Any:
    """Press the button of a step on a record's admin page, as its form posts it (with the
    version of the record as it stands now), and follow back to the page."""
    from powtracker.admin_steps import record_version

    record.refresh_from_db()
    opts = record._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_step", args=[record.pk, step])
    return client.post(url, {"version": record_version(record), **data}, follow=True)


def page_messages(response: Any) -> list[str]:
    """The messages the page shows (success, warning, error), in order."""
    return [str(message) for message in response.context["messages"]]
