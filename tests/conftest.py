"""Fixtures for the cross-app tests in tests/ (the URL walk, hostile input, security, backups)."""

import pytest

from tests.world import build_world


@pytest.fixture
def world(db):
    """A running group with one of everything, its team, and people with no business in it."""
    return build_world()
