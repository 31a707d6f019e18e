"""Steps: what a user may do to a record, each declared once next to its transition table.

A step names its permission and its verb, the words of the refusal "Your role does not allow you
to %(verb)s" (a lazy string in the context "your role does not allow you to …"). A step that
moves a record through its transition table names the status it leads to; a step the admin shows
as a button names its label and title. The services call `step_require` with the step, the admin
offers a button only to a role that holds the step's permission, and `transition_check` is the one
check of every transition table.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext

from powtracker.errors import ErrorCode, RuleError
from powtracker.roles import role_allows, role_require


@dataclass(frozen=True)
class Step:
    """One step (see the module). `name` is a slug, unique within its app's declarations: the
    admin's URL of a button names it."""

    name: str
    permission: str
    verb: Promise
    # The status the step leads to, for a step of a transition table.
    to_status: str | None = None
    # The statuses it leads from (every status the table allows when empty).
    from_statuses: frozenset[str] = field(default_factory=frozenset)
    # As an admin button: its label, the title of its page, what the page says once it is done,
    # and its submit button's label when not "Record".
    label: Promise | None = None
    title: Promise | None = None
    done: Promise | None = None
    submit: Promise | None = None
    # A step that closes the record without carrying it forward: shown apart from the others.
    closing: bool = False
    # A step that asks for a reason on a page of its own, and what that page says of it.
    needs_reason: bool = False
    explanation: Promise | None = None

    def __post_init__(self) -> None:
        DECLARED.append(self)

    def leads_from(self, status: str) -> bool:
        return not self.from_statuses or status in self.from_statuses

    def __str__(self) -> str:
        return self.name


# Every step declared, in the order of declaration (tests/powtracker/test_steps.py reads them).
DECLARED: list[Step] = []


def step_require(acting_user: Any, step: Step) -> None:
    """Refuse the step unless the acting user's role grants its permission (role_require, in the
    step's words). `acting_user=None` is the system itself."""
    role_require(acting_user, step.permission, step.verb)


def step_allowed(acting_user: Any, step: Step) -> bool:
    """Whether the acting user's role grants the step's permission (the admin's buttons)."""
    return role_allows(acting_user, step.permission)


def steps_leading(steps: Iterable[Step], current: str, wanted: str) -> Step | None:
    """The first of `steps` that leads from `current` to `wanted`, or None."""
    return next(
        (step for step in steps if step.to_status == wanted and step.leads_from(current)), None
    )


# The default refusal of a transition, with the current and wanted statuses and the allowed ones.
TRANSITION_REFUSAL = _l(
    "It is “%(current)s”: it cannot become “%(wanted)s”. Allowed next: %(allowed)s."
)


def transition_check(
    table: Mapping[Any, frozenset[str]],
    current: Any,
    wanted: str,
    labels: Any,
    *,
    message: Any = None,
    start_message: Any = None,
    final_message: Any = None,
) -> None:
    """Refuse (TRANSITION_NOT_ALLOWED) a move from `current` to `wanted` that `table` does not
    allow. `labels` is the statuses' TextChoices. The message's parameters are `current`,
    `wanted` and `allowed` (the labels of the statuses allowed next, in the choices' order); a
    table may give its own message, and one for the start (`current` None) and for a final status
    (nothing follows it)."""
    allowed = table[current]
    if wanted in allowed:
        return
    if current is None and start_message is not None:
        message = start_message
    elif not allowed and final_message is not None:
        message = final_message
    allowed_text = ", ".join(str(labels(s).label) for s in labels.values if s in allowed)
    raise RuleError(
        ErrorCode.TRANSITION_NOT_ALLOWED,
        str(message or TRANSITION_REFUSAL),
        {
            "current": labels(current).label if current is not None else "",
            "wanted": labels(wanted).label,
            "allowed": allowed_text or pgettext("no next status", "none"),
        },
    )
