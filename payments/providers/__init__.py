"""Payment providers as plugins. See base.py for the interface and registry.py for configuration."""

from .base import PaymentProvider, ProviderEvent, StartResult  # noqa: F401
from .registry import COUNTER, UnknownProvider, enabled_providers, get_provider  # noqa: F401
