"""Factories for every test. Captives are made through the registration service, as in life."""

import string
from datetime import date
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cases import services
from cases.models import Captive
from states.models import State


def _alpha3(n: int) -> str:
    letters = string.ascii_uppercase
    return "Q" + letters[(n // 26) % 26] + letters[n % 26]


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = State
        django_get_or_create = ["code"]

    code = factory.Sequence(_alpha3)
    name = factory.LazyAttribute(lambda o: f"State {o.code}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class CaptiveFactory(factory.Factory):
    """Builds keyword arguments and hands them to `captive_register`."""

    class Meta:
        model = Captive

    detaining_power = factory.SubFactory(StateFactory, code="UKR", name="Ukraine")
    nationality = factory.SubFactory(StateFactory, code="RUS", name="Russian Federation")
    power_depended_on = factory.SelfAttribute("nationality")
    family_name = factory.Sequence(lambda n: f"Testov{n}")
    given_names = "Ivan"
    service_number = factory.Sequence(lambda n: f"SN-{n:05d}")
    captured_on = date(2025, 1, 5)
    acting_user = None

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Captive:
        return services.captive_register(**kwargs)
