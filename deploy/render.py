#!/usr/bin/env python3
"""Render deploy/'s configuration templates with one installation's ports, addresses and paths.

The templates are the real configuration; their only variables are written `@@NAME@@`, and
only for ports, addresses and paths (site.example.env lists them). Secrets never pass through
here. The drill (drill/, `make drill`) renders the same files with its own ports.

    deploy/render.py --values site.env --out DIR        every template, deploy/'s layout kept
    deploy/render.py --values site.env FILE             one template, to standard output
"""

import argparse
import re
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
# The folders holding templates (the drill, the runbook scripts and this file are not).
TEMPLATE_DIRS = ("systemd", "haproxy", "pgbouncer", "pgbackrest", "postgresql")
PLACEHOLDER = re.compile(r"@@([A-Z][A-Z0-9_]*)@@")


class RenderError(Exception):
    pass


def values_read(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (a shell-style environment file without expansion); # starts a comment."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", key.strip()):
            raise RenderError(f"{path}:{number}: expected NAME=value, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def render_text(text: str, values: dict[str, str], *, name: str = "template") -> str:
    missing = sorted({m for m in PLACEHOLDER.findall(text) if m not in values})
    if missing:
        raise RenderError(f"{name}: no value for {', '.join(missing)}")
    for key, value in values.items():
        if "\n" in value:
            raise RenderError(f"{key}: a value holds no line break")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def templates() -> list[Path]:
    return sorted(
        path
        for folder in TEMPLATE_DIRS
        for path in (DEPLOY / folder).rglob("*")
        if path.is_file() and not path.name.endswith(".md")
    )


def render_all(values: dict[str, str], out: Path) -> list[Path]:
    written = []
    for path in templates():
        target = out / path.relative_to(DEPLOY)
        target.parent.mkdir(parents=True, exist_ok=True)
        name = str(path.relative_to(DEPLOY))
        # Bytes in, bytes out: line ends are kept (HAProxy's error file is CRLF).
        text = path.read_bytes().decode("utf-8")
        target.write_bytes(render_text(text, values, name=name).encode("utf-8"))
        target.chmod(path.stat().st_mode & 0o777)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=Path, required=True, help="site.env (NAME=value lines)")
    parser.add_argument("--out", type=Path, help="render every template into this folder")
    parser.add_argument("file", nargs="?", type=Path, help="render this one template to stdout")
    args = parser.parse_args(argv)
    try:
        values = values_read(args.values)
        if args.file:
            sys.stdout.write(render_text(args.file.read_text(encoding="utf-8"), values))
        elif args.out:
            for path in render_all(values, args.out):
                print(path)
        else:
            parser.error("give --out DIR or a FILE")
    except RenderError as error:
        print(f"render: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
