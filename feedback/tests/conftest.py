import pytest
from django.core.cache import cache

from feedback import lookups


@pytest.fixture(autouse=True)
def _clear_cache():
    # Each test's rows vanish with its transaction (no signal): start every test from a fresh snapshot.
    cache.clear()
    lookups.invalidate()
    yield
    cache.clear()
    lookups.invalidate()
