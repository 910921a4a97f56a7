"""Entry point of the bundled studio: the window, or a CLI command, exactly like `audio-studio`."""

import sys

from audio_studio.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
