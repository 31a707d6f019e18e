"""Brief representations for nesting: a state by its code and name."""

from rest_framework import serializers

from states.models import State


class StateBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = State
        fields = ["code", "name"]
        read_only_fields = fields


class StateCodeField(serializers.SlugRelatedField):
    """A state given by its ISO 3166-1 alpha-3 code, e.g. "KOR"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", State.objects.all())
        super().__init__(**kwargs)
