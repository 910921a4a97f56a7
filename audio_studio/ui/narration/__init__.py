"""The Narration tab: tab.py (widgets and wiring), view_model.py, its sentence list and dialogs."""
