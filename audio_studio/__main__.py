"""`python -m audio_studio` and the `audio-studio` command: the window, or a CLI subcommand."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from audio_studio.cli.parser import build_parser, parse_globals

    argv = sys.argv[1:] if argv is None else argv
    # The full grammar (every subcommand) is only built when there is more than --home.
    home, rest = parse_globals(argv)
    if not rest:
        from audio_studio.app import run_gui

        return run_gui(home=home)
    args = build_parser().parse_args(argv)
    if args.command is None:
        from audio_studio.app import run_gui

        return run_gui(home=args.home)
    from audio_studio.cli.main import run_command

    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
