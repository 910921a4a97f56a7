"""`audio-studio narrate` as a user runs it: offline and against the loopback OpenAI server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audio_studio.core.audio.analysis import analyze_file
from tests.support.narration import SPEECH
from tests.support.wire import KEYS

pytestmark = pytest.mark.slow


def cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), "narrate", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **env},
    )


def one_line_error(out: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert out.returncode == code, out.stderr
    errors = [line for line in out.stderr.splitlines() if line.startswith("audio-studio ")]
    assert len(errors) == 1 and "Traceback" not in out.stderr, out.stderr
    for word in words:
        assert word in errors[0], errors[0]


def test_narrate_offline_with_lexicon_then_again_from_the_cache(tmp_path: Path) -> None:
    home = tmp_path / "home"
    script = tmp_path / "chapter.md"
    script.write_text("# Chapter one\n\nNguyen opened the **shop**. [pause 1s] The bell rang.\n")
    lexicon = tmp_path / "names.txt"
    lexicon.write_text("# how to say names\nNguyen = Win\n")
    out = tmp_path / "chapter.flac"
    first = cli(home, str(script), "-o", str(out), "--lexicon", str(lexicon), "--concurrency", "2")
    assert first.returncode == 0, first.stderr
    assert "3 sentences: 3 made, 0 from the cache" in first.stdout
    assert "3 sentences in 2 paragraphs" in first.stderr
    stats = analyze_file(out)
    assert stats.lufs == pytest.approx(-16, abs=0.5) and stats.duration_s > 3
    again = cli(home, str(script), "-o", str(tmp_path / "again.mp3"), "--loudness", "-20")
    assert again.returncode == 0, again.stderr
    # Without the pronunciation list only the sentence with the name sounds different.
    assert "1 made, 2 from the cache" in again.stdout
    third = cli(home, str(script), "-o", str(tmp_path / "third.wav"), "--lexicon", str(lexicon))
    assert "0 made, 3 from the cache" in third.stdout
    history = subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), "history", "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    kinds = [h["kind"] for h in json.loads(history.stdout)]
    assert kinds.count("take") == 9 and kinds.count("narration") == 6


def test_narrate_mistakes_get_one_line_and_the_right_exit_code(tmp_path: Path) -> None:
    home = tmp_path / "home"
    script = tmp_path / "s.txt"
    script.write_text("Hello there.")
    one_line_error(cli(home, str(script), "-o", str(tmp_path / "x.ogg")), 2, "not ogg")
    one_line_error(cli(home, str(script), "-o", "x.wav", "--concurrency", "0"), 2, "1 to 16")
    one_line_error(cli(home, str(tmp_path / "missing.txt"), "-o", "x.wav"), 1, "Cannot read")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  [pause 2s]\n")
    one_line_error(cli(home, str(empty), "-o", "x.wav"), 1, "script is empty")
    bad = tmp_path / "bad.txt"
    bad.write_text("fine = ok\nnot an entry\n")
    one_line_error(cli(home, str(script), "-o", "x.wav", "--lexicon", str(bad)), 1, "Line 2")


def test_narrate_on_a_cloud_provider_and_a_refused_sentence(tmp_path: Path, wire) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    script = tmp_path / "s.txt"
    script.write_text("First line is fine. Second has forbidden words. Third is fine.")
    base = f"{wire.url}/openai/v1"
    key = {"OPENAI_API_KEY": KEYS["openai"]}
    args = ("--provider", "openai", "--base-url", base, "--model", "tts-1", "--voice", "onyx")
    wire.state["refuse_speech"] = "forbidden"
    out = cli(home, str(script), "-o", str(tmp_path / "s.mp3"), *args, **key)
    one_line_error(out, 1, "1 of 3 sentences failed", "content policy", "run the command again")
    assert len(wire.requests("POST", SPEECH)) == 3
    del wire.state["refuse_speech"]
    out = cli(home, str(script), "-o", str(tmp_path / "s.mp3"), *args, **key)
    assert out.returncode == 0, out.stderr
    assert "1 made, 2 from the cache" in out.stdout and "openai" in out.stdout
    requests = wire.requests("POST", SPEECH)
    assert len(requests) == 4 and requests[-1].json()["input"] == "Second has forbidden words."
    assert requests[-1].json()["voice"] == "onyx" and requests[-1].json()["model"] == "tts-1"


def test_plan_prints_chapters_and_spoken_words_without_a_provider(tmp_path: Path) -> None:
    from tests.support.books import AUTHOR, BOOK_TITLE, CHAPTERS, make_epub

    book = make_epub(tmp_path / "novel.epub")
    text = book.with_name("chapter.txt")
    text.write_text("In 1999, Dr. Smith paid $3.50 for 2 tickets on March 3rd.\n")
    said = cli(tmp_path / "home", str(text), "--plan")
    assert said.returncode == 0, said.stderr
    assert "says: In nineteen ninety-nine, Doctor Smith paid three dollars and fifty cents for " \
        "two tickets on March third." in said.stdout  # fmt: skip
    out = cli(tmp_path / "home", str(book), "--plan", "--json", "--chapters", "2-3")
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    assert (plan["title"], plan["author"]) == (BOOK_TITLE, AUTHOR)
    assert [c["title"] for c in plan["chapters"]] == [CHAPTERS[0][0], CHAPTERS[1][0]]
    assert [s["text"] for s in plan["chapters"][1]["sentences"]] == [
        CHAPTERS[1][0], *CHAPTERS[1][1]
    ]  # fmt: skip
    assert not list((tmp_path / "home").rglob("*.json"))  # no project saved by a plan


def test_bad_books_one_line_and_nothing_written(tmp_path: Path) -> None:
    from tests.support.books import make_pdf

    locked = make_pdf(tmp_path / "locked.pdf", password="secret")
    out = cli(tmp_path / "home", str(locked), "-o", str(tmp_path / "out.m4b"))
    one_line_error(out, 1, "locked.pdf", "password")
    empty = tmp_path / "empty.epub"
    empty.write_bytes(b"")
    one_line_error(cli(tmp_path / "home", str(empty), "--plan"), 1, "empty.epub", "empty")
    assert not (tmp_path / "out.m4b").exists()
    out = cli(tmp_path / "home", str(tmp_path / "missing.epub"), "--plan", "--chapters", "1")
    one_line_error(out, 1, "missing.epub")
