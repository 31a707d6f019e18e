"""Typst renders the GC III documents from the templates beside this module.

Data goes in as one JSON value (`sys.inputs.data`), read by the template as data: no text from
the register is ever evaluated as Typst markup. Only the shipped fonts (`fonts/`, OFL) and
Typst's embedded ones are used, never the machine's, so a PDF prints the same everywhere and
rebuilds byte for byte from the same records and the same time.
"""

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import typst

HERE = Path(__file__).resolve().parent
FONT_DIR = HERE / "fonts"
TEMPLATE_DIR = HERE / "templates"

_compilers: dict[str, Any] = {}
_lock = threading.Lock()


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def render_pdf(template: str, data: dict[str, Any], *, at: dt.datetime) -> bytes:
    """The PDF of `templates/<template>.typ` filled with `data`, dated `at`.

    One compiler per template keeps its parsed fonts between documents; a lock serialises
    compiles, since a compiler holds state between them."""
    payload = json.dumps(data, ensure_ascii=False, default=_json_default)
    with _lock:
        compiler = _compilers.get(template)
        if compiler is None:
            compiler = typst.Compiler(
                str(TEMPLATE_DIR / f"{template}.typ"),
                root=str(TEMPLATE_DIR),
                font_paths=[str(FONT_DIR)],
                ignore_system_fonts=True,
            )
            _compilers[template] = compiler
        return compiler.compile(
            sys_inputs={"data": payload}, timestamp=int(at.timestamp()), format="pdf"
        )
