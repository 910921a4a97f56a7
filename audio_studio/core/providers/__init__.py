"""Providers: one vendor per module behind the capability protocols of base.py."""
