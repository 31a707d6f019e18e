"""simple-history's commands that delete history refuse here and delete nothing."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command, get_commands

from states.models import State

pytestmark = pytest.mark.django_db

COMMANDS = ["clean_old_history", "clean_duplicate_history"]


@pytest.mark.parametrize("command", COMMANDS)
def test_history_cleaning_commands_refuse_and_delete_nothing(states, command):
    State.objects.get(code="UKR").save()  # a duplicate history row, the kind they would drop
    rows = State.history.count()

    assert get_commands()[command] == "powtracker"
    with pytest.raises(CommandError, match="Nothing was deleted"):
        call_command(command)
    assert State.history.count() == rows


@pytest.mark.parametrize("command", COMMANDS)
def test_history_cleaning_commands_exit_non_zero_from_the_shell(command):
    done = subprocess.run(
        [sys.executable, "manage.py", command, "--auto", "--days", "1"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    assert "Nothing was deleted" in done.stderr
