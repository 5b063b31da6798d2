"""Fixtures the upsert tests share: an emptied database and the small sandbox seller."""

import pytest
from sandbox_landing import reset, sandbox_world


@pytest.fixture
def conn(db):
    reset(db)
    return db


@pytest.fixture
def world():
    return sandbox_world()
