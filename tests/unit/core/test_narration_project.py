"""The narration project (edits, staleness, takes, locks, saving), the cache key and the preview
sequencer, as plain logic."""

from __future__ import annotations

import json

import numpy as np

from audio_studio.core.narration.cache import cache_key
from audio_studio.core.narration.preview import PcmDecoder, PreviewSequencer
from audio_studio.core.narration.project import (
    ChunkStatus,
    NarrationProject,
    NarrationSettings,
    Take,
)
from audio_studio.core.text import Lexicon


def take(text: str, n: int = 0) -> Take:
    return Take(
        id=f"t{n}", path=f"/a/{n}.flac", sha256=f"{n:064d}", format="flac", duration_s=1.0,
        sample_rate=22050, text=text, spoken=text, provider="local",
        created_at="2026-01-01T10:20:30",
    )  # fmt: skip


def test_editing_the_script_keeps_unchanged_chunks_and_marks_edited_ones_stale() -> None:
    project = NarrationProject("One. Two. Three.\n\nFour.")
    one, two, three, four = project.chunks
    for n, chunk in enumerate(project.chunks):
        chunk.add_take(take(chunk.text, n))
    project.set_locked(two, True)
    project.set_locked(three, True)
    project.set_script("One. Zero. Two. Three, edited.\n\nFour.")
    assert [c.text for c in project.chunks] == ["One.", "Zero.", "Two.", "Three, edited.", "Four."]
    assert project.chunks[0] is one and project.chunks[2] is two and project.chunks[4] is four
    assert project.chunks[3] is three  # the same chunk, edited: takes kept, stale, unlocked
    assert three.stale and three.needs_audio and not three.locked and three.takes
    assert two.locked and not two.stale and not one.needs_audio
    new = project.chunks[1]
    assert new.status is ChunkStatus.PENDING and not new.takes
    assert project.needing_audio() == [new, three]
    # Undoing the edit makes the old take current again without a new one, and locks it again.
    project.set_script("One. Zero. Two. Three.\n\nFour.")
    assert not three.stale and three.locked and project.needing_audio() == [new]
    counts = project.counts()
    assert counts["done"] == 4 and counts["pending"] == 1 and counts["locked"] == 2


def test_removed_sentences_keep_their_takes_until_cleared_and_come_back_by_text() -> None:
    project = NarrationProject("One. Two. Three.")
    one, two, three = project.chunks
    for n, chunk in enumerate(project.chunks):
        chunk.add_take(take(chunk.text, n))
    two.add_take(take(two.text, 9))
    project.choose_take(two, 1)
    project.set_locked(two, True)
    # Undo step by step: a sentence loses words, then goes; the script empties.
    for script in ("One. Two", "One. ", ""):
        project.set_script(script)
    assert project.chunks == [] and set(project.removed) == {one, two, three}
    # Saved and reopened, they are still there.
    project = NarrationProject.from_json(json.loads(json.dumps(project.to_json())))
    assert len(project.removed) == 3
    # Redo: the same text finds its takes, its chosen take and its lock.
    for script in ("One. ", "One. Two", "One. Two. Three."):
        project.set_script(script)
    back = project.chunks[1]
    assert [c.text for c in project.chunks] == ["One.", "Two.", "Three."]
    assert len(back.takes) == 2 and back.current == 1 and back.locked and not back.stale
    assert project.needing_audio() == [] and project.removed == []
    # Removed takes go only when the user clears them.
    project.set_script("One.")
    assert project.clear_removed() == 2 and project.removed == []


def test_replace_chunk_text_edits_the_script_in_place() -> None:
    project = NarrationProject("Keep this. Fix thsi one. Keep that.")
    middle = project.chunks[1]
    middle.add_take(take(middle.text))
    project.replace_chunk_text(middle, "Fix this one.")
    assert project.script == "Keep this. Fix this one. Keep that."
    assert project.chunks[1] is middle and middle.stale


def test_takes_choice_gaps_and_round_trip_through_json() -> None:
    settings = NarrationSettings(
        provider="openai", voice="nova", speed=1.1, lexicon=Lexicon.of({"gif": "jif"}),
        voice_settings={"stability": 0.4},
    )  # fmt: skip
    project = NarrationProject("A gif. B. [pause 2s]\n\nC.", title="T", settings=settings)
    a = project.chunks[0]
    a.add_take(take(a.text, 1))
    a.add_take(take(a.text, 2))
    project.choose_take(a, 0)
    assert a.current == 0 and a.take is not None and a.take.label(1).startswith("Take 1 · 10:20")
    assert project.spoken(a) == "A jif."
    assert project.gap_after(0, 0.6) == settings.sentence_pause_s
    assert project.gap_after(1, 0.6) == 2.0  # markup wins over the paragraph pause
    a.status = ChunkStatus.WORKING  # a job that was running when the studio stopped
    data = json.loads(json.dumps(project.to_json()))
    back = NarrationProject.from_json(data)
    assert back.id == project.id and back.title == "T" and back.settings == settings
    assert [x.text for x in back.chunks] == ["A gif.", "B.", "C."]
    assert back.chunks[0].current == 0 and len(back.chunks[0].takes) == 2
    assert back.chunks[0].status is ChunkStatus.PENDING  # not "working" after a restart
    assert back.chunks[1].pause_after_s == 2.0


def test_a_new_lexicon_or_limit_resplits_and_stales_what_it_changes() -> None:
    project = NarrationProject("Say gif. Say hello.")
    for n, chunk in enumerate(project.chunks):
        chunk.add_take(take(chunk.text, n))
    gif, hello = project.chunks
    project.set_settings(NarrationSettings(lexicon=Lexicon.of({"gif": "jif"})), None)
    assert project.chunks == [gif, hello]
    assert project.spoken(gif) == "Say jif." and gif.stale and not hello.stale
    project.set_settings(project.settings, 6)  # a provider that takes 6 characters at once
    assert [c.text for c in project.chunks] == ["Say", "gif.", "Say", "hello."]


def test_cache_key_covers_everything_that_changes_the_sound() -> None:
    base = dict(text="Hi.", provider="openai", model="tts-1", voice="nova", speed=1.0,
                instructions=None, settings={"a": 1}, format="pcm")  # fmt: skip
    key = cache_key(**base)  # type: ignore[arg-type]
    assert len(key) == 64 and key == cache_key(**base)  # type: ignore[arg-type]
    for change in (
        {"text": "Hi!"}, {"provider": "gateway"}, {"model": "tts-1-hd"}, {"voice": "alloy"},
        {"speed": 1.1}, {"instructions": "Calm."}, {"settings": {"a": 2}}, {"format": "wav"},
        {"base_url": "http://localhost:1/v1"},
    ):  # fmt: skip
        assert cache_key(**{**base, **change}) != key  # type: ignore[arg-type]
    # Settings order and trailing slashes do not matter.
    assert cache_key(**{**base, "settings": {"b": 2, "a": 1}}) == cache_key(  # type: ignore[arg-type]
        **{**base, "settings": {"a": 1, "b": 2}}  # type: ignore[arg-type]
    )


class Sink:
    def __init__(self) -> None:
        self.rate: int | None = None
        self.out: list[np.ndarray] = []
        self.ended = False

    def begin(self, rate: int, channels: int) -> None:
        self.rate = rate

    def write(self, samples: np.ndarray) -> None:
        self.out.append(samples)

    def end(self) -> None:
        self.ended = True


def test_preview_plays_in_script_order_whatever_order_chunks_finish_in() -> None:
    sink = Sink()
    seq = PreviewSequencer(sink, ["a", "b", "c"], {"a": 0.5, "b": 0.25, "c": 1.0})
    ones = np.ones((100, 1), np.float32)
    seq.piece("b", ones * 2, 1000)  # b is early: held
    seq.piece("a", ones, 1000)  # a is the head: straight through
    assert sink.rate == 1000 and len(sink.out) == 1 and seq.first_audio_at is not None
    seq.done("b")
    seq.piece("a", ones, 1000)
    seq.done("a")  # a's gap, then b (held, and done), then b's gap
    seq.piece("c", ones * 3, 1000)
    seq.done("c")
    seq.close()
    audio = np.concatenate(sink.out)[:, 0]
    assert len(audio) == 200 + 500 + 100 + 250 + 100  # no gap after the last chunk
    assert list(np.unique(audio[:200])) == [1.0] and not audio[200:700].any()
    assert list(np.unique(audio[700:800])) == [2.0] and audio[-1] == 3.0 and sink.ended


def test_pcm_decoder_keeps_an_odd_byte_for_the_next_piece() -> None:
    pcm = (np.arange(5, dtype="<i2") * 1000).tobytes()
    dec = PcmDecoder()
    first, second = dec.push(pcm[:3]), dec.push(pcm[3:])
    assert len(first) == 1 and len(second) == 4
    assert np.allclose(np.concatenate([first, second])[:, 0] * 32768, np.arange(5) * 1000)
