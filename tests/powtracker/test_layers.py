"""The layers hold (.importlinter, run by `make lint`), and an import that climbs breaks them.

import-linter reads the code's imports without running it. The second and third tests copy the
packages into a temporary directory, add one forbidden import and check that the contract
refuses it, so the contract cannot silently pass by checking nothing."""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")
# Every package the contracts name (the root packages of .importlinter).
_CONFIG = configparser.ConfigParser()
_CONFIG.read(ROOT / ".importlinter")
PACKAGES = tuple(_CONFIG["importlinter"]["root_packages"].split())
SKIPPED = shutil.ignore_patterns(
    "__pycache__", "locale", "static", "templates", "fonts", "*.typ", "*.po", "*.mo"
)

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=SKIPPED)
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_code_keeps_its_layers() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_import_that_climbs_a_layer_breaks_the_contract(tree: Path) -> None:
    assert _lint(tree).returncode == 0
    _append(tree / "cases" / "selectors.py", "from reports import statistics  # noqa: E402")
    result = _lint(tree)
    assert result.returncode == 1
    assert "cases is not allowed to import reports" in result.stdout
    assert "cases.selectors -> reports.statistics" in result.stdout


def test_the_core_may_not_import_an_app(tree: Path) -> None:
    _append(tree / "powtracker" / "roles.py", "from partners import models  # noqa: E402")
    result = _lint(tree)
    assert result.returncode == 1
    assert "powtracker is not allowed to import partners" in result.stdout


def test_a_domain_module_may_not_import_a_door(tree: Path) -> None:
    _append(tree / "cases" / "gate.py", "from cases.admin import display  # noqa: E402")
    result = _lint(tree)
    assert result.returncode == 1
    assert "cases.gate is not allowed to import cases.admin" in result.stdout
