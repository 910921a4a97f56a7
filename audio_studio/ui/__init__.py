"""The PySide6 shell over the core. Qt lives here only."""
