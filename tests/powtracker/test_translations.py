"""The catalogues: every string of ours is translated into Ukrainian and Korean, really (no
English left, placeholders kept), the compiled catalogues are those of the sources, and the
sources have no string that the catalogues lack."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
# Our catalogues: the project's (locale/) and the reports app's, which the documents share.
CATALOGUE_DIRS = [ROOT / "locale", ROOT / "reports" / "locale"]
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]

BRACES = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")
PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
TAG = re.compile(r"<[^>]+>|&\w+;")
# Latin-letter words a Ukrainian or Korean text may keep: names, acronyms, formats and codes
# that are written the same in every language.
KEPT_WORDS = set(
    """
    Accept AES API Art CHE CICR cp CP CSV DD DOC ETag EUC EUC-KR GC GET HH HTTP HTTPS ICRC ID
    Idempotency-Key If-Match III IMP IP ISO ISO-8601 JSON KB KOR KR MB MM MR NIB No NUL OAuth
    OpenAPI PDF PNG POST PostgreSQL powtracker PRK Redoc Retry-After RR RUS SHA SQLite SVG Swagger
    Typst UKR URL UTC UTF UUID Windows XLSX XML YYYY YYYY-MM-DD ZIP django-tasks
    """.split()  # noqa: SIM905 (a list of words reads better as words)
)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")


def catalogues(language: str) -> list[Path]:
    return [
        folder / language / "LC_MESSAGES" / "django.po"
        for folder in CATALOGUE_DIRS
        if (folder / language / "LC_MESSAGES" / "django.po").exists()
    ]


def entries(language: str) -> list[tuple[Path, polib.POEntry]]:
    return [
        (path, entry)
        for path in catalogues(language)
        for entry in polib.pofile(str(path))
        if not entry.obsolete
    ]


def translations_of(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(English, translation) pairs of an entry: one, or one per plural form."""
    if entry.msgid_plural:
        forms = [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)]
        return [
            (entry.msgid if n == 0 else entry.msgid_plural, text) for n, text in enumerate(forms)
        ]
    return [(entry.msgid, entry.msgstr)]


def placeholders(text: str) -> tuple[list[str], list[str]]:
    named_braces = sorted(BRACES.findall(text))
    percents = sorted(m for m in PERCENT.findall(text))
    unnamed = PERCENT.sub(lambda m: "" if m.group(1) or m.group(0) == "%%" else "\0", text)
    return named_braces, percents + ["%"] * unnamed.count("\0")


def english_left(text: str) -> list[str]:
    text = TAG.sub(" ", BRACES.sub(" ", PERCENT.sub(" ", text)))
    return [word for word in LATIN_WORD.findall(text) if word not in KEPT_WORDS]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language: str) -> None:
    """No entry is empty or fuzzy: an untranslated string would show in English."""
    found = entries(language)
    assert len(found) > 500
    missing = [
        f"{path.relative_to(ROOT)}: {entry.msgid!r}"
        for path, entry in found
        if entry.fuzzy or any(not text for _english, text in translations_of(entry))
    ]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_is_left_in_a_translation(language: str) -> None:
    """A translation that copies the English (or keeps English words beside Ukrainian or
    Korean ones) is no translation; names, acronyms and codes are kept (KEPT_WORDS)."""
    left = [
        f"{entry.msgid!r} -> {text!r}: {words}"
        for _path, entry in entries(language)
        for _english, text in translations_of(entry)
        if (words := english_left(text))
    ]
    assert left == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_the_same_in_every_language(language: str) -> None:
    """A `{name}` or `%(name)s` that differs from the English breaks the message at run time
    (KeyError) or drops the value."""
    differ = [
        f"{english!r} -> {text!r}"
        for _path, entry in entries(language)
        for english, text in translations_of(entry)
        if text and placeholders(english) != placeholders(text)
    ]
    assert differ == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogues_are_those_of_the_sources(language: str) -> None:
    """The .mo beside each .po holds exactly its translations (`make messages` compiles)."""
    for path in catalogues(language):
        compiled = polib.mofile(str(path.with_suffix(".mo")))
        have = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in compiled}
        for entry in polib.pofile(str(path)):
            if entry.obsolete or entry.fuzzy:
                continue
            plural = {int(k): v for k, v in entry.msgstr_plural.items()}
            mo = have.get((entry.msgctxt, entry.msgid))
            assert mo is not None, f"{path.relative_to(ROOT)}: {entry.msgid!r} not compiled"
            assert mo[0] == entry.msgstr, entry.msgid
            assert {int(k): v for k, v in mo[1].items()} == plural, entry.msgid


def test_a_rule_speaks_the_active_language() -> None:
    from powtracker.errors import ErrorCode

    with translation.override("uk"):
        ukrainian = str(ErrorCode.PERMISSION_DENIED.label)
    with translation.override("ko"):
        korean = str(ErrorCode.PERMISSION_DENIED.label)
    assert re.search(r"[\u0400-\u04ff]", ukrainian)
    assert re.search(r"[\uac00-\ud7a3]", korean)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_the_catalogues_hold_every_string_of_the_sources(tmp_path: Path) -> None:
    """Extracting the sources again (as `make messages` does) finds no string the catalogues
    lack: a string wrapped in gettext but never translated fails here."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "tests",
            "bench",
            "var",
            "test-artifacts",
            "node_modules",
            "*.pyc",
            "__pycache__",
            "*.sqlite3",
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "uk", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    for folder in CATALOGUE_DIRS:
        relative = folder.relative_to(ROOT)
        committed = {
            (e.msgctxt, e.msgid)
            for e in polib.pofile(str(folder / "uk" / "LC_MESSAGES" / "django.po"))
            if not e.obsolete
        }
        extracted = {
            (e.msgctxt, e.msgid)
            for e in polib.pofile(str(copy / relative / "uk" / "LC_MESSAGES" / "django.po"))
        }
        assert sorted(extracted - committed, key=str) == [], relative
