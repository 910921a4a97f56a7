"""The service facade that the UI and the CLI both call."""
