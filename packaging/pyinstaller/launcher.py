"""Entry point of the bundled studio: the window, or a CLI command, exactly like `audio-studio`."""

import multiprocessing
import sys

from audio_studio.__main__ import main

if __name__ == "__main__":
    # The offline engines run in spawned worker processes; a frozen app must route those
    # children to their entry point instead of starting a second studio.
    multiprocessing.freeze_support()
    sys.exit(main())
