"""The partner API's test world (the Kursk case), for the API export's tests."""

from tests.api.conftest import world  # noqa: F401
