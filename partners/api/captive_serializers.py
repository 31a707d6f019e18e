"""Captives and their records as partners see them: fields above the reader's level are absent."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from cases.choices import CustodyEventKind, Health, NameSystem, Sex, Wish, WishMode
from cases.models import (
    Captive,
    CaptiveName,
    CustodyEvent,
    MediaRecord,
    Obligation,
    WishStatement,
)
from partners.api.brief import StateBriefSerializer, StateCodeField
from partners.choices import DisclosureLevel
from partners.disclosure import Viewer, captive_level, may_see_wishes
from powtracker.api.serializers import StrictInputSerializer

# What each level adds (GC III Art. 17 identity; the case; then everything).
IDENTITY_FIELDS = [
    "id",
    "case_number",
    "family_name",
    "given_names",
    "name_original",
    "original_script",
    "names",
    "rank",
    "rank_declined",
    "service_number",
    "service_number_declined",
    "birth_date",
    "birth_year",
    "birth_date_declined",
    "nationality",
    "power_depended_on",
    "detaining_power",
    "custody_status",
    "custody_since",
    "updated_at",
    "disclosure_level",
]
CASE_FIELDS = [
    "sex",
    "armed_force",
    "unit",
    "unit_declined",
    "allied_power",
    "captured_on",
    "capture_place",
    "capture_region",
    "capture_territory_state",
    "legal_status",
    "health",
    "custody_place",
    "custodian",
    "identity_status",
]
FULL_FIELDS = [
    "place_of_birth",
    "place_of_birth_declined",
    "father_first_name",
    "father_first_name_declined",
    "mother_maiden_name",
    "mother_maiden_name_declined",
    "languages",
    "identity_verified_by",
    "identity_verified_on",
    "identity_notes",
    "capture_circumstances",
    "health_notes",
    "next_of_kin_name",
    "next_of_kin_relationship",
    "next_of_kin_address",
]
WISH_FIELDS = ["effective_wish", "effective_wish_destination", "latest_wish"]
LEVEL_FIELDS = {
    DisclosureLevel.IDENTITY: IDENTITY_FIELDS,
    DisclosureLevel.CASE: IDENTITY_FIELDS + CASE_FIELDS,
    DisclosureLevel.FULL: IDENTITY_FIELDS + CASE_FIELDS + FULL_FIELDS,
}


def visible_fields(viewer: Viewer, captive: Captive) -> list[str]:
    """The fields of a captive this viewer may read."""
    fields = list(LEVEL_FIELDS[captive_level(viewer, captive)])
    if may_see_wishes(viewer, captive):
        fields += WISH_FIELDS
    return fields


class CaptiveNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaptiveName
        fields = list(CaptiveName.PARTNER_FIELDS)
        read_only_fields = fields


class WishBriefSerializer(serializers.ModelSerializer):
    destination = StateBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = WishStatement
        fields = ["id", "wish", "destination", "stated_at", "mode", "voluntariness"]
        read_only_fields = fields


class CaptiveSerializer(serializers.ModelSerializer):
    """A captive; each response carries only the fields the reader's level allows."""

    names = CaptiveNameSerializer(many=True, read_only=True)
    nationality = StateBriefSerializer(read_only=True, allow_null=True)
    power_depended_on = StateBriefSerializer(read_only=True, allow_null=True)
    detaining_power = StateBriefSerializer(read_only=True)
    allied_power = StateBriefSerializer(read_only=True, allow_null=True)
    capture_territory_state = StateBriefSerializer(read_only=True, allow_null=True)
    custodian = StateBriefSerializer(read_only=True, allow_null=True)
    effective_wish_destination = StateBriefSerializer(read_only=True, allow_null=True)
    latest_wish = WishBriefSerializer(
        source="latest_wish_statement", read_only=True, allow_null=True
    )
    custody_status = serializers.ChoiceField(
        choices=CustodyEventKind.choices, read_only=True, allow_blank=True
    )
    effective_wish = serializers.ChoiceField(choices=Wish.choices, read_only=True, allow_blank=True)
    disclosure_level = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        source="shown_updated_at",
        read_only=True,
        help_text="When something you may see of him last changed.",
    )

    class Meta:
        model = Captive
        fields = IDENTITY_FIELDS + CASE_FIELDS + FULL_FIELDS + WISH_FIELDS
        read_only_fields = fields

    def get_disclosure_level(self, captive: Captive) -> str:
        return captive_level(self.context["viewer"], captive)

    def to_representation(self, captive: Captive) -> dict[str, Any]:
        data = super().to_representation(captive)
        allowed = set(visible_fields(self.context["viewer"], captive))
        return {name: value for name, value in data.items() if name in allowed}


class CaptiveUpdateSerializer(StrictInputSerializer):
    """Particulars a partner may correct (PATCH, with If-Match). His legal status is not one of
    them: it is the detaining power's decision (GC III Art. 5)."""

    rank = serializers.CharField(max_length=80, required=False, allow_blank=True)
    service_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1900, max_value=2100
    )
    languages = serializers.CharField(max_length=200, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=200, required=False, allow_blank=True)
    health = serializers.ChoiceField(choices=Health.choices, required=False)
    health_notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    next_of_kin_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    next_of_kin_address = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CustodyEventSerializer(serializers.ModelSerializer):
    custodian = StateBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CustodyEvent
        fields = [
            "id",
            "kind",
            "occurred_at",
            "place",
            "custodian",
            "notes",
            "recorded_at",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields


class CustodyEventInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=CustodyEventKind.choices)
    occurred_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    custodian = StateCodeField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class WishStatementSerializer(serializers.ModelSerializer):
    destination = StateBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = WishStatement
        fields = [
            "id",
            "wish",
            "destination",
            "statement",
            "stated_at",
            "mode",
            "language",
            "interpreter",
            "is_formal_request",
            "voluntariness",
            "assessed_at",
            "supersedes",
            "recorded_at",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields


class WishStatementInputSerializer(StrictInputSerializer):
    """A statement as heard; a partner records words, it does not assess them."""

    wish = serializers.ChoiceField(choices=Wish.choices)
    destination = StateCodeField(required=False, allow_null=True, default=None)
    stated_at = serializers.DateTimeField()
    mode = serializers.ChoiceField(choices=WishMode.choices)
    statement = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10000
    )
    language = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    interpreter = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    persons_present = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    is_formal_request = serializers.BooleanField(required=False, default=False)


class InvolvementSerializer(serializers.Serializer):
    state = StateBriefSerializer(read_only=True)
    role = serializers.CharField(read_only=True)
    position = serializers.CharField(read_only=True)
    started_on = serializers.DateField(read_only=True, allow_null=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)


class MediaRecordSerializer(serializers.ModelSerializer):
    publisher_state = StateBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = MediaRecord
        fields = ["id", *MediaRecord.PARTNER_FIELDS]
        read_only_fields = fields


class ObligationSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = Obligation
        fields = ["id", "kind", "due_on", "state", "fulfilled_on", "reference"]
        read_only_fields = fields

    def get_state(self, obligation: Obligation) -> str:
        return obligation.state_on()


def history_snapshot(row: Any, fields: list[str]) -> dict[str, Any]:
    """The values of `fields` in one saved version, as JSON-ready values."""
    out: dict[str, Any] = {}
    for name in fields:
        field = Captive._meta.get_field(name)
        value = getattr(row, field.attname if field.is_relation else name, None)
        out[name] = value if value is None or isinstance(value, (bool, int, str)) else str(value)
    return out


class HistoryEntrySerializer(serializers.Serializer):
    """A version of the captive in which something the reader may see changed: what it became.
    `version` counts only those versions (a database id would count the hidden ones too). The
    reason is given only to full-level readers who are not hostile to him (it may speak of
    wishes or health)."""

    version = serializers.IntegerField(read_only=True)
    history_date = serializers.DateTimeField(read_only=True)
    history_type = serializers.CharField(read_only=True)
    history_change_reason = serializers.CharField(read_only=True, allow_null=True)
    values = serializers.DictField(read_only=True)


def history_fields(viewer: Viewer, captive: Captive) -> list[str]:
    """Concrete captive fields visible to the viewer, for history snapshots."""
    # updated_at changes with every save: it would mark versions the reader cannot see.
    concrete = {f.name for f in Captive._meta.concrete_fields} - {"updated_at"}
    names = [n for n in visible_fields(viewer, captive) if n in concrete]
    if "effective_wish" in names:
        names.append("effective_wish_destination")
    return names


# --- matching a list against the register (POST /captives/match/) ------------------------------

# Each person is a lookup of 15–40 ms at 100,000 captives: a request stays within seconds.
MATCH_PEOPLE_MAX = 100


class MatchPersonSerializer(StrictInputSerializer):
    """One person of a partner's list: names in any script, birth, service number."""

    reference = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Your own reference for the person, returned as sent.",
    )
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    given_names = serializers.CharField(max_length=150, required=False, allow_blank=True)
    name_original = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The name in any script: 김철수, Ким Чхоль Су, Иванов Иван.",
    )
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1900, max_value=2100
    )
    service_number = serializers.CharField(max_length=60, required=False, allow_blank=True)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not any(data.get(name) for name in ("family_name", "given_names", "name_original")):
            raise serializers.ValidationError(
                {"family_name": [_("Give a name (Latin or in the original script).")]},
                code="required",
            )
        return data


class MatchInputSerializer(StrictInputSerializer):
    people = MatchPersonSerializer(many=True, allow_empty=False, max_length=MATCH_PEOPLE_MAX)


class MatchCaptiveSerializer(serializers.ModelSerializer):
    """A candidate as a match shows him: identity-level fields only, whatever the reader's level
    (GC III Art. 17 identity, which every reader of a captive may see)."""

    class Meta:
        model = Captive
        fields = [
            "id",
            "case_number",
            "family_name",
            "given_names",
            "name_original",
            "birth_date",
            "birth_year",
            "service_number",
        ]
        read_only_fields = fields


class MatchCandidateSerializer(serializers.Serializer):
    captive = MatchCaptiveSerializer(read_only=True)
    score = serializers.IntegerField(read_only=True, help_text="0–100; proposed from 80.")
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)


class MatchResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(read_only=True, help_text="The person's place in `people`.")
    reference = serializers.CharField(read_only=True)
    candidates = MatchCandidateSerializer(many=True, read_only=True)


class MatchOutputSerializer(serializers.Serializer):
    results = MatchResultSerializer(many=True, read_only=True)


# --- registering a captive (POST /captives/, a partner state's agency) -------------------------


class RenderingInputSerializer(StrictInputSerializer):
    system = serializers.ChoiceField(choices=NameSystem.choices)
    full_name = serializers.CharField(max_length=200)


class CaptiveRegisterSerializer(StrictInputSerializer):
    """A captive your state holds, as its agency registers him: his capture opens his timeline,
    your state is his detaining power."""

    family_name = serializers.CharField(max_length=100, help_text="In Latin letters.")
    given_names = serializers.CharField(max_length=150, required=False, allow_blank=True)
    name_original = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The name in its own script: 김철수, Іваненко Петро. Its script is recognised.",
    )
    names = RenderingInputSerializer(
        many=True, required=False, max_length=20, help_text="Other renderings and aliases."
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1900, max_value=2100
    )
    place_of_birth = serializers.CharField(max_length=200, required=False, allow_blank=True)
    nationality = StateCodeField(required=False, allow_null=True)
    rank = serializers.CharField(max_length=80, required=False, allow_blank=True)
    service_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    armed_force = serializers.CharField(max_length=200, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=200, required=False, allow_blank=True)
    power_depended_on = StateCodeField(
        required=False,
        allow_null=True,
        help_text="The state he belongs to (GC III). Not given: his nationality is recorded.",
    )
    allied_power = StateCodeField(
        required=False,
        allow_null=True,
        help_text="The belligerent he fought alongside, where there is one.",
    )
    captured_on = serializers.DateField()
    captured_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="The moment, if known (else the day's start)."
    )
    capture_place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    capture_region = serializers.CharField(max_length=200, required=False, allow_blank=True)
    health = serializers.ChoiceField(choices=Health.choices, required=False)


class CaptiveRegisteredSerializer(serializers.Serializer):
    captive = CaptiveSerializer(read_only=True)
    possible_duplicates = MatchCandidateSerializer(
        many=True,
        read_only=True,
        help_text=(
            "Captives you may see who may be the same person (score from 80), with identity-"
            "level fields only. A caseworker of the detaining bureau decides."
        ),
    )
