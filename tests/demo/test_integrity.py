"""The demo and the benchmark's synthetic register are whole as loaded: integrity_check passes
on what `load_demo` and `load_synthetic` write (the synthetic set writes its rows straight into
the tables, as the services would have: this holds it to that)."""

import pytest

from demo.scenario import demo_load
from demo.synthetic import synthetic_load
from tests.integrity import failed, integrity

pytestmark = pytest.mark.django_db


def test_the_demo_and_a_synthetic_register_are_whole():
    demo_load()
    synthetic_load(count=200, seed=5)

    status, report = integrity()

    assert failed(report) == {}
    assert status == 0
