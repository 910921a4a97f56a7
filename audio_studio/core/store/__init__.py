"""Storage: paths, SQLite history, content-addressed files, settings and secrets."""
