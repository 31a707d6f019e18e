"""`manage.py load_demo` refuses to load the demo, with its known logins, while DEBUG is off
(a module of its own: test_load_demo.py keeps the demo loaded for all its tests)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Captive

pytestmark = pytest.mark.django_db


def test_the_demo_refuses_to_load_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", verbosity=0)
    assert not Captive.objects.exists()
