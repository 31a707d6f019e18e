"""Serializer pieces every app's API shares."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know (code `unknown_field`)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send a JSON object.")]}, code="invalid"
            )
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [_("This field is not accepted here.")] for name in unknown},
                code="unknown_field",
            )
        return super().to_internal_value(data)


class VoidInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=2000)
