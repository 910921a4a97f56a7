"""The command-line grammar of DESIGN.md ("The command line"): every subcommand and option."""

from __future__ import annotations

import argparse

from audio_studio import __version__

PROVIDER_HELP = (
    "provider: local (default, offline), openai, elevenlabs, groq, replicate, gateway, "
    "crazyrouter, imarouter, localai, speaches, kokoro"
)
AUDIO_FORMATS = ("wav", "mp3", "flac", "opus", "ogg", "pcm")
TRANSCRIPT_FORMATS = (
    "txt", "srt", "vtt", "ass", "ttml", "json", "md", "docx", "html", "csv", "pdf",
)  # fmt: skip


def _provider_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--provider", metavar="P", help=PROVIDER_HELP)
    p.add_argument("--base-url", metavar="URL", help="base URL of an OpenAI-compatible server")
    p.add_argument("--model", metavar="M")
    p.add_argument(
        "--yes",
        action="store_true",
        help="go ahead when the provider has a budget and this job's cost is unknown",
    )


def _speech_options(p: argparse.ArgumentParser) -> None:
    _provider_options(p)
    p.add_argument("--voice", metavar="V")
    p.add_argument("--speed", metavar="X", type=float, default=1.0)
    p.add_argument("--format", choices=AUDIO_FORMATS, help="default: from the output's extension")


def parse_globals(argv: list[str]) -> tuple[str | None, list[str]]:
    """Take ``--home DIR`` / ``--home=DIR`` off the front; return it and what is left.

    Anything else (a command, --help, --version, a typo) is left for the full parser.
    """
    home: str | None = None
    rest = list(argv)
    while rest:
        if rest[0] == "--home" and len(rest) > 1:
            home, rest = rest[1], rest[2:]
        elif rest[0].startswith("--home="):
            home, rest = rest[0].split("=", 1)[1], rest[1:]
        else:
            break
    return home, rest


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="audio-studio",
        description="Audio Studio. Without a command it opens the studio window; with one it "
        "runs headless on the same Studio and writes the same History.",
    )
    parser.add_argument("--version", action="version", version=f"audio-studio {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="keep all data, settings and logs in DIR (AUDIO_STUDIO_HOME does the same)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("speak", help="say a text and write the audio")
    text = p.add_mutually_exclusive_group(required=True)
    text.add_argument("text", nargs="?", metavar="TEXT")
    text.add_argument("-f", "--file", metavar="FILE", help="read the text from FILE")
    p.add_argument("-o", "--output", required=True, metavar="OUT")
    _speech_options(p)

    p = sub.add_parser(
        "narrate", help="narrate a script, book or subtitles: chapters, cache, markup, loudness"
    )
    p.add_argument(
        "script", metavar="BOOK", help="a script or book: .txt .md .epub .pdf .docx .html .srt .vtt"
    )
    p.add_argument(
        "-o", "--output", metavar="OUT", help="a file; OUT.m4b an audiobook, OUT/ a folder"
    )
    p.add_argument("--plan", action="store_true", help="print the chapters and what will be said")
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON on stdout: the plan (with --plan), else a report of every sentence",
    )
    p.add_argument("--chapters", metavar="LIST", help="the chapters to make, e.g. 1-3,5")
    p.add_argument("--captions", choices=("srt", "vtt"), help="also write captions beside OUT")
    p.add_argument(
        "--max-speedup",
        type=float,
        default=1.25,
        metavar="X",
        help="subtitles: speed a line up to X (pitch kept) to fit its cue (default 1.25)",
    )
    p.add_argument(
        "--read-as-written",
        action="store_true",
        help="send numbers and abbreviations as written to a cloud voice",
    )
    _speech_options(p)
    p.add_argument("--concurrency", type=int, metavar="N")
    p.add_argument("--lexicon", metavar="FILE", help="pronunciation list: one 'word = say' a line")
    p.add_argument("--instructions", metavar="TEXT", help="style prompt, for models that take one")
    p.add_argument("--paragraph-pause", type=float, metavar="S", help="seconds between paragraphs")
    p.add_argument("--loudness", type=float, metavar="LUFS", help="loudness target (default -16)")
    p.add_argument("--cast", metavar="FILE", help="cast file (TOML): a voice per role")
    p.add_argument(
        "--proof", action="store_true", help="listen to every take; remake misheard ones once"
    )

    p = sub.add_parser(
        "transcribe", help="transcribe audio files, every file in folders, or web addresses"
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE|DIR|URL",
        help="an audio file, a folder of them, or an https:// link to one",
    )
    p.add_argument("--recursive", action="store_true", help="look into folders' sub-folders")
    p.add_argument("-o", "--output", metavar="OUT", help="a file (one input) or a folder")
    p.add_argument("--format", choices=TRANSCRIPT_FORMATS, default=None)
    _provider_options(p)
    p.add_argument("--language", metavar="L", help="e.g. en; default: detect")
    p.add_argument("--prompt", metavar="TEXT", help="names and words to spell right")
    p.add_argument("--diarize", action="store_true", help="label speakers (offline too)")
    p.add_argument(
        "--speakers",
        metavar="auto|N",
        help="label speakers: auto, or how many (1-10 offline; implies --diarize)",
    )
    p.add_argument("--concurrency", type=int, metavar="N", help="parts or files sent at once")

    p = sub.add_parser("watch", help="transcribe every audio file that appears in a folder")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("-o", "--output", metavar="OUT", help="folder for the transcripts")
    p.add_argument(
        "--format", nargs="+", choices=TRANSCRIPT_FORMATS, metavar="F", default=None,
        help=f"one or more of {', '.join(TRANSCRIPT_FORMATS)} (default: txt)",
    )  # fmt: skip
    p.add_argument("--provider", metavar="P", help=PROVIDER_HELP)
    p.add_argument("--base-url", metavar="URL", help="base URL of an OpenAI-compatible server")
    p.add_argument("--recursive", action="store_true", help="watch sub-folders too")
    p.add_argument("--once", action="store_true", help="do what is there now, then stop")

    p = sub.add_parser("sfx", help="generate sound effects")
    p.add_argument("prompt", nargs="?", metavar="PROMPT")
    p.add_argument("--preset", metavar="NAME")
    p.add_argument("-o", "--output", required=True, metavar="OUT")
    p.add_argument(
        "--seed", type=int, metavar="N", help="offline engine only (cloud effects take no seed)"
    )
    p.add_argument("--duration", type=float, metavar="S")
    p.add_argument("--variations", type=int, default=1, metavar="N")
    p.add_argument("--prompt-influence", type=float, metavar="X", help="0-1 (cloud providers)")
    p.add_argument("--loop", action="store_true", help="a seamless loop (ElevenLabs)")
    _provider_options(p)

    p = sub.add_parser("music", help="generate music")
    p.add_argument("prompt", metavar="PROMPT")
    p.add_argument("-o", "--output", required=True, metavar="OUT")
    p.add_argument("--duration", type=float, metavar="S")
    p.add_argument("--lyrics", metavar="TEXT", help="words to sing (or @FILE)")
    p.add_argument("--instrumental", action="store_true", help="no vocals")
    _provider_options(p)
    p.add_argument("--no-wait", action="store_true", help="print the job id and return")

    p = sub.add_parser("jobs", help="unfinished async jobs")
    p.add_argument("action", nargs="?", choices=("list", "resume", "cancel"), default="list")
    p.add_argument("id", nargs="?", metavar="ID")

    p = sub.add_parser("record", help="record from the microphone (Ctrl+C stops and keeps it)")
    p.add_argument("-o", "--output", required=True, metavar="OUT")
    p.add_argument("--seconds", type=float, metavar="N")
    p.add_argument("--device", metavar="D")
    p.add_argument("--live", action="store_true", help="print the words as they are spoken")

    p = sub.add_parser("play", help="play an audio file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--device", metavar="D")

    p = sub.add_parser("devices", help="list audio devices")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("history", help="list or search History")
    p.add_argument("--json", action="store_true")
    p.add_argument("--search", metavar="TEXT")
    p.add_argument("--kind", metavar="K")
    p.add_argument("--provider", metavar="P")
    p.add_argument("--since", metavar="DATE", help="YYYY-MM-DD, or a number of days back")
    p.add_argument("--starred", action="store_true")
    p.add_argument("--limit", type=int, default=50, metavar="N")

    p = sub.add_parser("library", help="export the library to a zip, or import one")
    p.add_argument("action", choices=("export", "import"))
    p.add_argument("file", metavar="FILE.zip")
    p = sub.add_parser("speakers", help="voices you named, remembered for later recordings")
    p.add_argument("action", nargs="?", choices=("list", "rename", "not", "forget"), default="list")
    p.add_argument(
        "names",
        nargs="*",
        metavar="ARG",
        help="rename TRANSCRIPT_ID OLD NEW | not TRANSCRIPT_ID SPEAKER NAME | forget NAME",
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("models", help="offline models")
    p.add_argument("action", nargs="?", choices=("list", "download", "remove"), default="list")
    p.add_argument("name", nargs="?", metavar="NAME")
    return parser
