"""Dialogs several tabs share: settings (providers, audio, budgets, models), the device doctor."""
