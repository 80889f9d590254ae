"""Shared pytest set-up. Helpers for tests that need an optional component are in tests/needs.py."""
