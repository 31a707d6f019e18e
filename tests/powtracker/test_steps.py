"""Every step is declared once (powtracker.steps): its permission is real, and the services refuse
a role only through a declared step."""

import importlib
import pkgutil
from types import ModuleType

import pytest
from django.contrib.auth.models import Permission

from powtracker.steps import DECLARED, Step

# The modules that declare steps, next to their tables.
DECLARING = [
    "cases.choices",
    "diplomacy.choices",
    "imports.choices",
    "partners.choices",
    "reports.choices",
    "states.choices",
    "partners.signin",
    "webhooks.choices",
]
# The services, and the core modules that refuse on their behalf.
SERVICES = [
    "cases.services",
    "diplomacy.services",
    "imports.services",
    "partners.services",
    "reports.services",
    "states.services",
    "partners.signin",
    "powtracker.history",
    "webhooks.services",
]


def _modules(name: str) -> list[ModuleType]:
    module = importlib.import_module(name)
    if not hasattr(module, "__path__"):
        return [module]
    return [module] + [
        importlib.import_module(f"{name}.{info.name}")
        for info in pkgutil.iter_modules(module.__path__)
    ]


def _declared_by_module() -> dict[int, str]:
    found = {}
    for name in DECLARING:
        for value in vars(importlib.import_module(name)).values():
            candidates = value if isinstance(value, tuple) else (value,)
            for step in candidates:
                if isinstance(step, Step):
                    found[id(step)] = name
    return found


def test_every_step_is_declared_next_to_its_table() -> None:
    for name in DECLARING:
        importlib.import_module(name)
    declared = _declared_by_module()
    assert DECLARED
    stray = [step.name for step in DECLARED if id(step) not in declared]
    assert stray == []


@pytest.mark.django_db
def test_every_step_names_a_real_permission() -> None:
    for name in DECLARING:
        importlib.import_module(name)
    missing = []
    for step in DECLARED:
        app_label, codename = step.permission.split(".")
        if not Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).exists():
            missing.append(step.permission)
    assert missing == []


def test_every_step_has_its_verb_and_the_admin_buttons_their_labels() -> None:
    for name in DECLARING:
        importlib.import_module(name)
    for step in DECLARED:
        assert str(step.verb).strip(), step.name
        if step.to_status is not None or step.needs_reason:
            assert step.label is not None, step.name


def test_step_names_are_unique_among_a_records_buttons() -> None:
    """A record's page names each of its buttons' URLs by its step's name."""
    for name in DECLARING:
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, tuple) and value and isinstance(value[0], Step):
                names = [step.name for step in value]
                assert len(names) == len(set(names)), names


@pytest.mark.parametrize("name", SERVICES)
def test_services_refuse_a_role_only_through_a_declared_step(name: str) -> None:
    """A service that called role_require itself would name a permission and a verb of its own:
    none of them holds it, so every refusal comes from step_require and a declared step."""
    for module in _modules(name):
        assert "role_require" not in vars(module), module.__name__
