"""The columns of the captive list and the read-only cells of his page."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

from cases.admin.display import (
    VOLUNTARINESS_TEXT,
    candidates_html,
    captive_candidates,
    local_day,
    wish_label,
    wish_marked,
    wish_text,
)
from cases.choices import (
    Voluntariness,
)
from cases.duplicates import Candidate
from cases.gate import captive_clearances, pending_statement
from cases.models import (
    Captive,
)


class CaptiveColumnsMixin:
    """The list columns and the summary cells of CaptiveAdmin, each one of his facts as shown."""

    @admin.display(description=_l("case"), ordering="case_number")
    def case_number_column(self, captive: Captive) -> str:
        return captive.case_number

    @admin.display(description=_l("name"), ordering="family_name")
    def name_column(self, captive: Captive) -> str:
        """His name in Latin letters, and beneath it in his own script."""
        latin = captive.name_latin
        original = captive.name_original
        if not original or original == latin:
            return format_html('<span class="cell-line" title="{}">{}</span>', latin, latin)
        return format_html(
            '<span class="cell-line" title="{0}">{0}</span>'
            '<span class="cell-line cell-quiet" title="{1}">{1}</span>',
            latin,
            original,
        )

    @admin.display(description=_l("nationality · held by"), ordering="nationality__code")
    def states_column(self, captive: Captive) -> str:
        nationality = captive.nationality
        power = captive.detaining_power
        return format_html(
            '<span title="{}">{} · {}</span>',
            _("Nationality: %(nationality)s; detaining power: %(power)s")
            % {
                "nationality": nationality.local_name if nationality else _("unknown"),
                "power": power.local_name,
            },
            nationality.code if nationality else "—",
            power.code,
        )

    @admin.display(description=_l("custody"), ordering="custody_status")
    def custody_column(self, captive: Captive) -> str:
        if not captive.custody_status:
            return "—"
        label = captive.get_custody_status_display()
        since = _("%(status)s since %(day)s") % {
            "status": label,
            "day": local_day(captive.custody_since),
        }
        if captive.custody_place:
            since = _("%(status)s at %(place)s") % {"status": since, "place": captive.custody_place}
        return format_html('<span class="cell-line" title="{}">{}</span>', since, label)

    @admin.display(description=_l("wish"), ordering="effective_wish")
    def wish_column(self, captive: Captive) -> str:
        """His effective wish with ✓ (else his latest statement with the sign of how far it
        counts), and a newer statement than the effective wish on a second line; the whole
        text is the cell's title, shown on hover."""
        effective = captive.effective_wish_statement
        latest = captive.latest_wish_statement
        lines: list[tuple[str, str]] = []
        if captive.effective_wish:
            wish, destination = captive.effective_wish, captive.effective_wish_destination
            lines.append(
                (
                    wish_marked(wish, destination, Voluntariness.FREE),
                    _("Effective wish: %(wish)s, stated %(day)s, assessed as free")
                    % {
                        "wish": wish_text(wish, destination),
                        "day": local_day(effective.stated_at if effective else None),
                    },
                )
            )
        if latest is not None and latest.pk != captive.effective_wish_statement_id:
            lines.append(
                (
                    wish_marked(latest.wish, latest.destination, latest.voluntariness),
                    _("%(which)s: %(wish)s, stated %(day)s, %(voluntariness)s — not consent")
                    % {
                        "which": _("Newer statement") if lines else _("Latest statement"),
                        "wish": wish_text(latest.wish, latest.destination),
                        "day": local_day(latest.stated_at),
                        "voluntariness": VOLUNTARINESS_TEXT[Voluntariness(latest.voluntariness)],
                    },
                )
            )
        if not lines:
            return format_html('<span title="{}">—</span>', _("No wish statement recorded"))
        shown = [(" cell-quiet" if index else "", text) for index, (text, _t) in enumerate(lines)]
        return format_html(
            '<span class="wish-cell" title="{}">{}</span>',
            ". ".join(full for _text, full in lines) + ".",
            format_html_join("", '<span class="cell-line{}">{}</span>', shown),
        )

    @admin.display(description=_l("health"), ordering="health")
    def health_column(self, captive: Captive) -> str:
        return captive.get_health_display()

    @admin.display(description=_l("captured"), ordering="captured_on")
    def captured_column(self, captive: Captive) -> str:
        return date_format(captive.captured_on, "DATE_FORMAT")

    @admin.display(description=_l("linked duplicate"))
    def duplicate_banner(self, captive: Captive) -> str:
        if captive.duplicate_of_id is None:
            return "—"
        kept = captive.duplicate_of
        link = format_html(
            '<a href="{}">{}</a>', reverse("admin:cases_captive_change", args=[kept.pk]), kept
        )
        return format_html(
            '<strong class="errornote">{}</strong>',
            format_html(
                _(
                    "This record is a linked duplicate of {case} — read-only: record everything "
                    "on the case kept."
                ),
                case=link,
            ),
        )

    @admin.display(description=_l("possible duplicates"))
    def possible_duplicates(self, captive: Captive) -> str:
        if captive.pk is None or captive.duplicate_of_id is not None:
            return "—"
        candidates = captive_candidates(captive)
        if not candidates:
            return _("None: no other captive is likely to be him.")
        url = reverse("admin:cases_captive_duplicate_decide", args=[captive.pk])

        def buttons(candidate: Candidate) -> str:
            # The buttons submit the page's own form (forms do not nest) to the decision view; a
            # role that may not decide is refused there by the service, with the reason.
            return format_html(
                '<button type="submit" formaction="{0}" name="duplicate_decision" '
                'value="same_person:{1}">{2}</button> '
                '<button type="submit" formaction="{0}" name="duplicate_decision" '
                'value="not_same:{1}">{3}</button>',
                url,
                candidate.captive.pk,
                _("Same person as %(case)s") % {"case": candidate.captive.case_number},
                _("Not the same"),
            )

        return candidates_html(candidates, buttons)

    @admin.display(description=_l("demo data"))
    def fictional_warning(self, captive: Captive) -> str:
        if captive.fictional:
            return _("Demo record: every name and identity item is fictional.")
        return "—"

    @admin.display(description=_l("custody"))
    def custody_summary(self, captive: Captive) -> str:
        if not captive.custody_status:
            return _("No custody event recorded.")
        values = {
            "status": captive.get_custody_status_display(),
            "day": timezone.localtime(captive.custody_since).strftime("%Y-%m-%d"),
            "place": captive.custody_place,
            "custodian": captive.custodian.local_name if captive.custodian else _("no state"),
        }
        if captive.custody_place:
            return _("%(status)s since %(day)s at %(place)s; custodian: %(custodian)s") % values
        return _("%(status)s since %(day)s; custodian: %(custodian)s") % values

    @admin.display(description=_l("wish"))
    def wish_summary(self, captive: Captive) -> str:
        effective = captive.effective_wish_statement
        latest = captive.latest_wish_statement
        lines = []
        if effective:
            lines.append(
                (
                    _("Effective wish"),
                    _("%(wish)s, stated %(day)s, assessed free by %(user)s")
                    % {
                        "wish": wish_label(effective.wish, effective.destination),
                        "day": f"{effective.stated_at:%Y-%m-%d}",
                        "user": effective.assessed_by or _("unknown"),
                    },
                )
            )
        else:
            lines.append((_("Effective wish"), _("none: no statement has been assessed as free")))
        if latest and latest != effective:
            values = {
                "wish": wish_label(latest.wish, latest.destination),
                "day": f"{latest.stated_at:%Y-%m-%d}",
                "mode": latest.get_mode_display(),
                "voluntariness": latest.get_voluntariness_display().lower(),
            }
            lines.append(
                (
                    _("Latest statement"),
                    (
                        _("%(wish)s, stated %(day)s (%(mode)s), %(voluntariness)s — verified")
                        if latest.is_verified
                        else _(
                            "%(wish)s, stated %(day)s (%(mode)s), %(voluntariness)s — NOT verified"
                        )
                    )
                    % values,
                )
            )
        pending = pending_statement(captive) if effective else None
        if pending is not None:
            lines.append(
                (
                    _("Suspended"),
                    _(
                        "his statement of %(day)s (“%(wish)s”) is newer and not yet assessed: "
                        "until a supervisor assesses it, the effective wish clears no handover"
                    )
                    % {"day": f"{pending.stated_at:%Y-%m-%d}", "wish": pending.get_wish_display()},
                )
            )
        return format_html_join(mark_safe("<br>"), "<strong>{}</strong>: {}", lines)

    @admin.display(description=_l("may be handed to"))
    def clearance(self, captive: Captive) -> str:
        if captive.pk is None:
            return "—"
        lines = [
            (_("cleared") if c.cleared else _("NOT cleared"), c.destination.code, c.reason)
            for c in captive_clearances(captive)
        ]
        if not lines:
            return _("No other state is involved.")
        return format_html_join(mark_safe("<br>"), "<strong>{1}</strong>: {0} — {2}", lines)

    @admin.display(description=_l("disclosed to partners"))
    def disclosures(self, captive: Captive) -> str:
        if captive.pk is None:
            return "—"
        reads = captive.disclosures.count()
        url = reverse("admin:partners_disclosurerecord_changelist")
        return format_html(
            '<a href="{}?captive__id__exact={}">{}</a> {}',
            url,
            captive.pk,
            ngettext("%(count)d read by partners", "%(count)d reads by partners", reads)
            % {"count": reads},
            _("(the disclosure ledger)"),
        )
