"""The API's one JSON parser: refuses bodies no partner sends but that would crash what reads them.

Too deep a nesting exhausts Python's recursion; a NUL character cannot be stored in PostgreSQL
text, nor is it part of any name, code or statement; a lone surrogate (`"\ud800"`) is no text at
all, and an answer that repeats it back could not even be written.
"""

import json
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No body of this API nests more than three levels; the margin is generous.
MAX_JSON_DEPTH = 32


def json_junk_reason(data: Any) -> str | None:
    """Say why a parsed JSON document is refused (too deep, a NUL character, a lone surrogate),
    or None."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return _("A NUL character is not allowed in the body.")
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return _("The body holds a lone surrogate, which is not text.")
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                return _("The body nests deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                stack.append((key, depth))
                stack.append((item, depth + 1))
    return None


class StrictJSONParser(JSONParser):
    """JSON that cannot crash the server: bounded depth, no NUL characters, only real text."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except ParseError as error:
            # DRF words it in English only ("JSON parse error - …"); say it in the reader's
            # language, keeping where the parser stopped.
            cause = error.__cause__ or error.__context__
            if isinstance(cause, json.JSONDecodeError):
                raise ParseError(
                    _("The body is not valid JSON (line %(line)d, column %(column)d).")
                    % {"line": cause.lineno, "column": cause.colno}
                ) from error
            raise ParseError(_("The body is not valid JSON.")) from error
        except RecursionError as error:
            raise ParseError(
                _("The body nests deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}
            ) from error
        reason = json_junk_reason(data)
        if reason:
            raise ParseError(reason)
        return data
