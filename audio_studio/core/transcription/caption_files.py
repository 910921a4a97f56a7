"""Shaped captions as files: SRT, WebVTT, ASS (styled, a colour per speaker) and TTML via pysubs2.

pysubs2 writes the formats; what goes in each event (the shaped lines, VTT's escaping, the
ASS styles) is decided here. Pure functions, no I/O.
"""

from __future__ import annotations

import pysubs2

from audio_studio.core.errors import InputError
from audio_studio.core.models import Transcript
from audio_studio.core.transcription.captions import PRESETS, Cue, CueStyle, caption_cues

__all__ = ["CAPTION_FORMATS", "captions_text", "write_cues"]

CAPTION_FORMATS = ("srt", "vtt", "ass", "ttml")

# Colours for speakers in ASS (white first, then the usual caption colours), as pysubs2 Colors.
_SPEAKER_COLOURS = (
    pysubs2.Color(255, 255, 255),
    pysubs2.Color(255, 255, 0),
    pysubs2.Color(0, 255, 255),
    pysubs2.Color(0, 255, 0),
    pysubs2.Color(255, 0, 255),
)


def _plain(text: str) -> str:
    # Braces open override blocks in ASS, which pysubs2 keeps when it converts to SRT too:
    # round brackets read the same and no word is lost.
    return text.replace("{", "(").replace("}", ")")


def _vtt(text: str) -> str:
    # "<" and "&" are markup in WebVTT and "-->" ends a cue timing line.
    return text.replace("-->", "->").replace("&", "&amp;").replace("<", "&lt;")


def _ass_styles(subs: pysubs2.SSAFile, cues: list[Cue]) -> dict[str | None, str]:
    subs.info["PlayResX"] = "1920"
    subs.info["PlayResY"] = "1080"
    subs.info["WrapStyle"] = "2"  # our line breaks only
    base = pysubs2.SSAStyle(
        fontname="DejaVu Sans",
        fontsize=60,
        primarycolor=_SPEAKER_COLOURS[0],
        outlinecolor=pysubs2.Color(0, 0, 0),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        outline=3,
        shadow=1,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginv=60,
    )
    subs.styles["Default"] = base
    names: dict[str | None, str] = {None: "Default"}
    for cue in cues:
        if cue.speaker is not None and cue.speaker not in names:
            n = len(names)
            style = base.copy()
            style.primarycolor = _SPEAKER_COLOURS[n % len(_SPEAKER_COLOURS)]
            name = f"Speaker{n}"
            subs.styles[name] = style
            names[cue.speaker] = name
    return names


def write_cues(cues: list[Cue], fmt: str) -> str:
    """``cues`` as a subtitle file in ``fmt`` (srt, vtt, ass or ttml).

    Raises:
        InputError: another format.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in CAPTION_FORMATS:
        raise InputError(f"Captions are written as {', '.join(CAPTION_FORMATS)}; not {fmt!r}.")
    subs = pysubs2.SSAFile()
    styles = _ass_styles(subs, cues) if fmt == "ass" else {}
    for cue in cues:
        text = _plain(cue.text)
        event = pysubs2.SSAEvent(start=round(cue.start * 1000), end=round(cue.end * 1000))
        if fmt == "vtt":
            # A voice tag names the speaker for players and readers (WebVTT §4.2.2).
            voice = f"<v {_vtt(cue.speaker).replace('>', '')}>" if cue.speaker else ""
            event.plaintext = voice + _vtt(text)
        else:
            event.plaintext = text
        if fmt == "ass":
            event.style = styles.get(cue.speaker, "Default")
            event.name = cue.speaker or ""
        subs.append(event)
    out: str = subs.to_string("ttml" if fmt == "ttml" else fmt)
    return out


def captions_text(t: Transcript, fmt: str, style: CueStyle | None = None) -> str:
    """``t`` shaped to ``style`` (Netflix-style by default) and written as ``fmt``."""
    return write_cues(caption_cues(t, style or PRESETS["netflix"]), fmt)
