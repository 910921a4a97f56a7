"""Audiobook export streams: a chapter laid out from its takes block by block is the takes joined
with their pauses, and the M4B's chapters start on the exact sample the parts add up to."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio_studio.core.audio.analysis import analyze
from audio_studio.core.audio.codec import AudioData, resample
from audio_studio.core.narration.audiobook import (
    CHAPTER_GAP_S,
    BookMeta,
    render_chapter,
    write_folder,
    write_m4b,
)
from audio_studio.core.narration.chapter_audio import chapter_blocks, lay_out
from audio_studio.core.narration.chapters import chapter_spans, project_from_document
from audio_studio.core.narration.documents import Chapter, Document
from audio_studio.core.narration.project import NarrationProject, Take

PAUSE = 0.4


def book(tmp_path: Path, rates: tuple[int, ...]) -> NarrationProject:
    """Three chapters of two sentences; chapter k's takes are at ``rates[k]``, stereo, of odd
    lengths (noise shaped like speech: bursts and quiet)."""
    document = Document(
        source="test", kind="epub", title="Book", author="A",
        chapters=tuple(
            Chapter(f"Part {n}", (f"First line of {n}.", f"Second line of {n}."))
            for n in range(1, 4)
        ),
    )  # fmt: skip
    project = project_from_document(document)
    project.lead_pause_s = 0.3
    rng = np.random.default_rng(7)
    for span in chapter_spans(project):
        rate = rates[span.index]
        for i in range(span.first, span.end):
            chunk = project.chunks[i]
            frames = int(rate * rng.uniform(0.7, 1.6))
            envelope = np.abs(np.sin(np.linspace(0, 9, frames)))[:, None]
            samples = (rng.normal(0, 0.08, (frames, 2)) * envelope).astype(np.float32)
            path = tmp_path / f"take{i}.wav"
            sf.write(str(path), samples, rate, subtype="FLOAT")
            chunk.add_take(Take(
                id=f"t{i}", path=str(path), sha256=f"{i:064d}", format="wav",
                duration_s=frames / rate, sample_rate=rate, text=chunk.text,
                spoken=chunk.text, provider="local",
            ))  # fmt: skip
    return project


def joined(project: NarrationProject, index: int, gap_after_last: float) -> np.ndarray:
    """The chapter the plain way: every take decoded, resampled, made mono and concatenated."""
    span = chapter_spans(project)[index]
    chunks = project.chunks[span.first : span.end]
    rate = max(c.take.sample_rate for c in chunks if c.take)
    lead = round(project.lead_pause_s * rate) if span.first == 0 else 0
    parts = [np.zeros(lead, np.float32)]
    for k, chunk in enumerate(chunks):
        assert chunk.take is not None
        data, take_rate = sf.read(chunk.take.path, dtype="float32", always_2d=True)
        mono = resample(AudioData(data, take_rate), rate).samples.mean(axis=1)
        place = round(chunk.take.duration_s * rate)
        parts.append(np.pad(mono[:place], (0, max(0, place - len(mono)))))
        last = k + 1 == len(chunks)
        gap = gap_after_last if last else project.gap_after(span.first + k, PAUSE)
        parts.append(np.zeros(round(gap * rate), np.float32))
    return np.concatenate(parts)


def test_a_chapter_streamed_in_small_blocks_is_its_takes_joined(tmp_path: Path) -> None:
    project = book(tmp_path, (22_050, 24_000, 16_000))
    span = chapter_spans(project)[0]
    layout, sentences = lay_out(project, span, pause=PAUSE, gap_after_last=CHAPTER_GAP_S)
    blocks = list(chapter_blocks(layout, 1000))
    assert all(len(b) == 1000 for b in blocks[:-1]) and 0 < len(blocks[-1]) <= 1000
    streamed = np.concatenate(blocks)[:, 0]
    expected = joined(project, 0, CHAPTER_GAP_S)
    assert len(streamed) == layout.frames == len(expected)
    np.testing.assert_array_equal(streamed, expected)
    # Each sentence starts on the sample where its take was placed.
    starts = [layout.lead]
    for placed in layout.takes[:-1]:
        starts.append(starts[-1] + placed.frames + placed.silence)
    assert [s.start_s for s in sentences] == [a / layout.rate for a in starts]
    assert [s.chunk for s in sentences] == [c.id for c in project.chunks[span.first : span.end]]


def test_a_rendered_chapter_is_the_joined_takes_at_the_loudness_target(tmp_path: Path) -> None:
    project = book(tmp_path, (22_050, 24_000, 16_000))
    span = chapter_spans(project)[1]
    rendered = render_chapter(
        project, span, tmp_path / "work", pause=PAUSE, target_lufs=-18.0, last=False
    )
    written, rate = sf.read(str(rendered.path), dtype="float32", always_2d=True)
    expected = joined(project, 1, CHAPTER_GAP_S)
    assert rate == rendered.sample_rate == 24_000 and len(written) == rendered.frames
    # One gain for the whole chapter, as a normalisation of the joined audio in memory gives.
    before = analyze(AudioData(expected[:, None], rate)).lufs
    assert before is not None
    gain = 10 ** ((-18.0 - before) / 20)
    np.testing.assert_allclose(written[:, 0], expected * gain, atol=2e-6)
    assert analyze(AudioData(written, rate)).lufs == pytest.approx(-18.0, abs=0.05)
    # Rendered again: the file is reused, not written anew (an export resumed after a kill).
    mtime = rendered.path.stat().st_mtime_ns
    again = render_chapter(
        project, span, tmp_path / "work", pause=PAUSE, target_lufs=-18.0, last=False
    )
    assert again.path == rendered.path and again.path.stat().st_mtime_ns == mtime
    assert again.frames == rendered.frames


def test_m4b_chapters_start_on_the_exact_sample_even_when_resampled(tmp_path: Path) -> None:
    import av

    # 26 kHz is no AAC rate: every chapter is resampled to 24 kHz on the way in.
    project = book(tmp_path, (22_050, 26_000, 26_000))
    spans = chapter_spans(project)
    parts = [
        render_chapter(
            project, s, tmp_path / "work", pause=PAUSE, target_lufs=-18.0, last=s is spans[-1]
        )
        for s in spans
    ]
    out = tmp_path / "book.m4b"
    meta = BookMeta(title="Book", author="A", year="2024", comment="test")
    duration = write_m4b(parts, out, meta)
    lengths = [(p.frames * 24_000 + p.sample_rate // 2) // p.sample_rate for p in parts]
    assert duration == sum(lengths) / 24_000
    with av.open(str(out)) as container:
        chapters = container.chapters()
        stream = container.streams.audio[0]
        assert stream.rate == 24_000
        assert abs(stream.duration - sum(lengths)) < 1024  # within one AAC frame
    # MP4 keeps chapter times in milliseconds: each is the millisecond nearest the sum of the
    # samples before it (an integer sum: no drift, however many chapters).
    at = [0, lengths[0], lengths[0] + lengths[1], sum(lengths)]
    in_ms = [round(a * 1000 / 24_000) for a in at]
    assert all(c["time_base"] == Fraction(1, 1000) for c in chapters)
    assert [c["start"] for c in chapters] == in_ms[:3]
    assert [c["end"] for c in chapters] == in_ms[1:]
    assert [c["metadata"]["title"] for c in chapters] == ["Part 1", "Part 2", "Part 3"]
    # A folder: one MP3 per chapter, each as long as its chapter.
    files = write_folder(parts, tmp_path / "chapters", meta)
    assert [f.name for f in files] == ["01 - Part 1.mp3", "02 - Part 2.mp3", "03 - Part 3.mp3"]
    for f, part in zip(files, parts, strict=True):
        with av.open(str(f)) as container:
            seconds = float(container.duration or 0) / 1_000_000
        assert seconds == pytest.approx(part.duration_s, abs=0.06)


def test_a_chapter_with_a_sentence_not_made_is_refused_with_what_to_do(tmp_path: Path) -> None:
    from audio_studio.core.errors import InputError

    project = book(tmp_path, (22_050, 22_050, 22_050))
    span = chapter_spans(project)[2]
    chunk = project.chunks[span.first]
    chunk.takes.clear()
    chunk.current = None
    with pytest.raises(InputError, match="Chapter 3 has sentences without audio"):
        lay_out(project, span, pause=PAUSE, gap_after_last=0.0)
