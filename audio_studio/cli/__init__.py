"""The command line: grammar in parser.py, dispatch in main.py, one module per command."""
