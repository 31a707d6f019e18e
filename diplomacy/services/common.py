"""Helpers the diplomacy services share."""

from typing import Any

User = Any
