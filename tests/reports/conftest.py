"""The partner API's test world (the Kursk case), for the exports' tests."""

from typing import Any

import pytest

from tests.partners.api.conftest import kursk_world


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return kursk_world()
