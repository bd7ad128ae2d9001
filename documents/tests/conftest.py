"""Fixtures shared by the documents tests."""

from documents.tests.outgoing_world import ow  # noqa: F401 - the outgoing documents' world
