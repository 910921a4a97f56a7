"""A book narrated offline to an M4B and to chapter files: chapters, tags and cover checked by
ffprobe, captions by transcribing the audio under each cue, and an interrupted export resumed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pysubs2
import pytest

from audio_studio.core.audio.codec import AudioData, decode, resample
from audio_studio.core.narration.normalize import normalize
from audio_studio.core.narration.project import NarrationSettings
from tests.support.books import AUTHOR, BOOK_TITLE, CHAPTERS, cover_png, make_epub
from tests.support.offline import wer

pytestmark = pytest.mark.slow


def narrate(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), "narrate", *args],
        capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip


def probe(path: Path) -> dict:  # type: ignore[type-arg]
    ffprobe = shutil.which("ffprobe")
    assert ffprobe, "ffprobe is in the test set-up (scripts/setup.sh installs ffmpeg)"
    out = subprocess.run(
        [ffprobe, "-v", "error", "-print_format", "json", "-show_chapters", "-show_format",
         "-show_streams", str(path)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def transcribe(audio: AudioData) -> str:
    from tests.support.captions import _model

    samples = resample(audio, 16_000).samples.mean(axis=1).astype(np.float32)
    found, _ = _model().transcribe(samples, language="en", beam_size=1)  # type: ignore[attr-defined]
    return " ".join(s.text.strip() for s in found)


def test_three_chapter_epub_to_m4b_with_captions(tmp_path: Path) -> None:
    cover = cover_png()
    book = make_epub(tmp_path / "novel.epub", cover=cover, extras=False)
    out = tmp_path / "novel.m4b"
    done = narrate(tmp_path / "home", str(book), "-o", str(out), "--captions", "srt")
    assert done.returncode == 0, done.stderr
    assert "3 chapters" in done.stdout and "novel.srt" in done.stdout
    info = probe(out)
    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [name for name, _ in CHAPTERS]
    starts = [float(c["start_time"]) for c in chapters]
    ends = [float(c["end_time"]) for c in chapters]
    duration = float(info["format"]["duration"])
    assert (
        starts[0] == 0 and starts[1:] == ends[:-1] and ends[-1] == pytest.approx(duration, abs=0.1)
    )
    # Both chapter lists players read: the QuickTime chapter track (ffprobe) and Nero's
    # chpl atom (mutagen reads that one).
    from mutagen.mp4 import MP4

    nero = MP4(str(out)).chapters
    assert [c.title for c in nero] == [name for name, _ in CHAPTERS]
    assert all(abs(c.start - s) < 0.02 for c, s in zip(nero, starts, strict=True))
    tags = info["format"]["tags"]
    assert (tags["title"], tags["artist"], tags["album"], tags["date"]) == (
        BOOK_TITLE, AUTHOR, BOOK_TITLE, "2024"
    )  # fmt: skip
    assert "AI-generated voice" in tags["comment"]
    streams = info["streams"]
    assert any(s["codec_name"] == "aac" for s in streams)
    pictures = [s for s in streams if s.get("disposition", {}).get("attached_pic")]
    assert len(pictures) == 1 and pictures[0]["codec_name"] == "png"
    # Captions: one cue per sentence, in order, each starting inside its chapter; the audio
    # under each cue says the cue's words.
    subs = pysubs2.load(str(out.with_suffix(".srt")))
    said = [s for name, paragraphs in CHAPTERS for s in (name, *paragraphs)]
    assert [e.plaintext.replace("\n", " ") for e in subs.events] == said
    for k, name in enumerate(CHAPTERS):
        first = subs.events[k * 3]
        assert first.start / 1000 == pytest.approx(starts[k], abs=0.05), name
    audio = decode(out)
    texts = [e.plaintext.replace("\n", " ") for e in subs.events]
    errors = []
    for k, event in enumerate(subs.events):
        a = int(event.start / 1000 * audio.sample_rate)
        b = int(event.end / 1000 * audio.sample_rate)
        heard = normalize(transcribe(AudioData(audio.samples[a:b], audio.sample_rate)))
        errors.append(wer(texts[k], heard))
        # The cut holds this cue's words, not its neighbours' (the timing is right).
        for other in (k - 1, k + 1):
            if 0 <= other < len(texts):
                assert wer(texts[k], heard) < wer(texts[other], heard), (texts[k], heard)
    # Whisper tiny mishears a word or two of short cues ("calm and grey": "common gray").
    assert np.mean(errors) < 0.3 and max(errors) <= 0.6, errors


def test_chosen_chapters_to_a_folder_of_tagged_files(tmp_path: Path) -> None:
    book = make_epub(tmp_path / "novel.epub", cover=cover_png(), extras=False)
    folder = tmp_path / "chapters"
    done = narrate(tmp_path / "home", str(book), "-o", f"{folder}/", "--chapters", "1,3",
                   "--captions", "vtt")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "to make: 6 " in done.stderr  # the preflight prices the chosen chapters only
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "01 - Chapter One The Storm.mp3", "01 - Chapter One The Storm.vtt",
        "03 - Chapter Three The Morning.mp3", "03 - Chapter Three The Morning.vtt",
    ]  # fmt: skip
    tags = probe(folder / names[2])["format"]["tags"]
    assert (tags["title"], tags["track"], tags["album"], tags["artist"]) == (
        CHAPTERS[2][0], "2/2", BOOK_TITLE, AUTHOR
    )  # fmt: skip
    history = subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(tmp_path / "home"), "history",
         "--json"], capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    rows = json.loads(history.stdout)
    export = next(r for r in rows if "audiobook" in (r.get("tags") or []))
    book_row = next(r for r in rows if r["id"] == export["parent_id"])
    assert book_row["params"]["chapters"] == [name for name, _ in CHAPTERS]
    files = {Path(f["path"]).name: f["role"] for f in export["files"]}
    assert files == {n: ("export" if n.endswith(".mp3") else "captions") for n in names}


async def test_an_interrupted_export_is_finished_without_redoing_chapters(
    service, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    narration = service.narration
    book = make_epub(tmp_path / "novel.epub", extras=False)
    project = await narration.open_document(book, NarrationSettings())
    # About the export: no proof-listening, whose rare remake would add a take of its own.
    report = await narration.generate(project, proof=False)
    assert report.made == 9
    workdir = narration.projects.folder / f"{project.id}.export"

    class Killed(Exception):
        pass

    def stop_at_third(share: float | None, message: str | None) -> None:
        if message and message.startswith("Chapter 3 of 3"):
            raise Killed

    with pytest.raises(Killed):
        await narration.export_book(project, tmp_path / "novel.m4b", progress=stop_at_third)
    written = {p.name: p.stat().st_mtime_ns for p in workdir.glob("*.flac")}
    assert len(written) == 2 and not (tmp_path / "novel.m4b").exists()
    reused: dict[str, int] = {}

    def look_before_writing(share: float | None, message: str | None) -> None:
        if message and message.startswith("Writing"):
            reused.update({p.name: p.stat().st_mtime_ns for p in workdir.glob("*.flac")})

    outcome = await narration.export_book(
        project, tmp_path / "novel.m4b", progress=look_before_writing
    )
    assert outcome.chapters == 3 and outcome.path.exists()
    # The two chapters written before the kill were used as they were; only the third is new.
    assert len(reused) == 3 and all(reused[name] == when for name, when in written.items())
    assert not workdir.exists()  # tidied once the book is in place
    # No sentence was made again: every take is the one generated before.
    again = [(c.text, [t.proof for t in c.takes]) for c in project.chunks if len(c.takes) != 1]
    assert not again, again
    assert [c["tags"]["title"] for c in probe(outcome.path)["chapters"]] == [
        name for name, _ in CHAPTERS
    ]
