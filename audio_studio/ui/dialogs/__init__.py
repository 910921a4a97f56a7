"""Dialogs: settings, device doctor, about."""
