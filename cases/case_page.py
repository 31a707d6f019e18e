"""The captive's page below its summary, in headed sections with a small menu of anchors at the
summary's foot: identity, timeline, wishes, reviews, states involved, media, obligations,
documents, history. It stays the admin's one change form (the identity's fields and the editable
tables share its Save, which the identity section repeats at its end); the admin's inlines are
grouped under the section they belong to, and the blank forms that record a fact through a
service are folded away under their section (the summary's buttons are the way in). No script is
needed: the menu's links are anchors. See admin/cases/captive/change_form.html."""

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from cases.choices import CustodyEventKind, custody_final
from powtracker.admin import RecordInline
from powtracker.errors import ErrorCode, RuleError


@dataclass(frozen=True)
class Section:
    name: str
    title: Promise


SECTIONS = (
    Section("identity", _l("Identity")),
    Section("timeline", _l("Timeline")),
    Section("wishes", _l("Wishes")),
    Section("reviews", _l("Reviews")),
    Section("states", _l("States involved")),
    Section("media", _l("Media")),
    Section("obligations", _l("Obligations")),
    Section("documents", _l("Documents")),
    Section("history", _l("History")),
)

# The section of each inline, by the model it shows (media: the captives' link table).
INLINE_SECTIONS = {
    "captivename": "identity",
    "custodyevent": "timeline",
    "wishstatement": "wishes",
    "nonrefoulementreview": "reviews",
    "involvement": "states",
    "mediarecord_captives": "media",
    "obligation": "obligations",
}
# Read-only fields of the old "Case" block that belong to a later section.
FIELD_SECTIONS = {"wish_summary": "wishes", "disclosures": "documents"}
# Shown by the summary at the top: not repeated on the page.
SUMMARY_FIELDS = {"case_number", "custody_summary", "clearance"}
# Warnings that stay above the sections.
TOP_FIELDS = {"duplicate_banner", "fictional_warning", "possible_duplicates"}


def flat_fields(fields: Any) -> list[str]:
    """A fieldset's field names, its rows of several fields unfolded."""
    names: list[str] = []
    for item in fields:
        names.extend(item if isinstance(item, (list, tuple)) else [item])
    return names


@dataclass
class SectionContent:
    section: Section
    fieldsets: list[tuple[int, Any]] = field(default_factory=list)
    inlines: list[Any] = field(default_factory=list)
    # The blank forms that record a new fact (folded away).
    records: list[Any] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.section.name

    @property
    def title(self) -> Promise:
        return self.section.title

    @property
    def anchor(self) -> str:
        return f"case-{self.section.name}"


class CasePageMixin:
    """For the captive's model admin: the page's sections (see the module)."""

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        if obj is None or obj.pk is None:
            return fieldsets
        dropped = set(SUMMARY_FIELDS) | set(FIELD_SECTIONS)
        if obj.duplicate_of_id is None:
            dropped.add("duplicate_banner")
        kept = []
        for name, options in fieldsets:
            fields = [
                row for row in options.get("fields", []) if not set(flat_fields([row])) <= dropped
            ]
            if fields:
                kept.append((name, {**options, "fields": fields}))
        # The fields moved down keep a block of their own in their section.
        kept.extend((None, {"fields": [name]}) for name in FIELD_SECTIONS)
        return kept

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        if obj is not None and not add and context.get("case_summary") is not None:
            context.update(self.case_sections_context(request, context, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]

    def case_sections_context(
        self, request: HttpRequest, context: dict[str, Any], captive: Any
    ) -> dict[str, Any]:
        sections = {section.name: SectionContent(section) for section in SECTIONS}
        top = []
        for index, fieldset in enumerate(context["adminform"]):
            names = set(flat_fields(fieldset.fields))
            if names & TOP_FIELDS:
                top.append((index, fieldset))
                continue
            moved = {FIELD_SECTIONS[n] for n in names if n in FIELD_SECTIONS}
            target = moved.pop() if moved else "identity"
            sections[target].fieldsets.append((index, fieldset))
        for formset in context.get("inline_admin_formsets", []):
            inline = formset.opts
            target = INLINE_SECTIONS.get(inline.opts.model_name, "identity")
            if isinstance(inline, RecordInline):
                sections[target].records.append(formset)
            else:
                sections[target].inlines.append(formset)
        return {
            "case_sections": list(sections.values()),
            "case_top_fieldsets": top,
            "case_documents": self.case_documents(request, captive),
            "case_history_url": reverse("admin:cases_captive_history", args=[captive.pk]),
        }

    def case_documents(self, request: HttpRequest, captive: Any) -> list[dict[str, Any]]:
        """The documents printed for him, for the documents section: each a dict of `document`
        (its reference, kind, format, time and author), `printed` (its local time) and `url`
        (its record, or ""). Reports prints them and fills this in
        (reports.admin.parts.CaptiveReports); none without it."""
        return []


# --- which buttons a case leaves open ---------------------------------------------------------


def case_action_open_check(action: Any, captive: Any) -> None:
    """Refuse (RuleError) a button's step that the case itself no longer allows: no custody
    event follows a status that ends the case (the transition table lets nothing follow it;
    the service would refuse the event too)."""
    if action.name == "custody-event" and custody_final(captive.custody_status):
        raise RuleError(
            ErrorCode.TRANSITION_NOT_ALLOWED,
            _("“%(status)s” ends the case: no custody event can follow it."),
            {"status": CustodyEventKind(captive.custody_status).label},
        )


def case_action_open(action: Any, captive: Any) -> bool:
    """Whether the summary offers the button (see case_action_open_check)."""
    try:
        case_action_open_check(action, captive)
    except RuleError:
        return False
    return True
