"""`audio-studio transcribe` as a user runs it against a cloud provider (the loopback server):
a file over 25 MB in parallel parts, every export format, one History row per file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audio_studio.core.subtitles import read_json, read_markdown, read_srt, read_vtt
from tests.servers import stt_wire
from tests.servers.base import WireServer
from tests.support.transcription import clip_file
from tests.support.wire import KEYS

pytestmark = pytest.mark.slow


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENAI_API_KEY": KEYS["openai"]}
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


def test_cli_splits_a_big_file_and_writes_every_format(wire: WireServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    url = f"{wire.url}{stt_wire.PREFIX}"
    # 86 MB as WAV, ~40 MB as FLAC: it still needs two parts.
    big = clip_file(tmp_path / "board meeting.wav", 45 * 60, rate=16_000)
    assert big.path.stat().st_size > stt_wire.LIMIT
    out = cli(
        home, "transcribe", str(big.path), "-o", str(tmp_path / "board.srt"),
        "--provider", "openai", "--base-url", url, "--model", "whisper-1", "--concurrency", "3",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "board meeting.wav: sent in 2 parts" in out.stderr
    srt = read_srt((tmp_path / "board.srt").read_text())
    said = " ".join(s.text for s in srt.segments).split()  # captions re-cut: every word kept
    assert said == ["speech"] * len(big.clips)
    assert all(len(r.body) < stt_wire.LIMIT for r in wire.requests("POST", stt_wire.PREFIX))
    small = [clip_file(tmp_path / f"note{n}.wav", 12, seed=n) for n in (1, 2)]
    readers = {"txt": None, "vtt": read_vtt, "json": read_json, "md": read_markdown}
    for fmt, reader in readers.items():
        folder = tmp_path / fmt
        names = [str(s.path) for s in small]
        out = cli(
            home, "transcribe", *names, "-o", f"{folder}/", "--format", fmt,
            "--provider", "openai", "--base-url", url,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        for s in small:
            text = (folder / f"{s.path.stem}.{fmt}").read_text()
            if reader is None:
                assert text.split() == ["speech"] * len(s.clips)
            elif fmt == "vtt":
                said = " ".join(c.text for c in reader(text).segments).split()
                assert said == ["speech"] * len(s.clips)
            else:
                assert len(reader(text).segments) == len(s.clips)
        if fmt == "md":
            assert text.startswith("# note2\n")
    history = json.loads(cli(home, "history", "--json", "--limit", "100").stdout)
    kinds = [h["kind"] for h in history]
    assert kinds.count("recording") == 3 and kinds.count("transcript") == 1 + 2 * len(readers)
    big_row = next(h for h in history if h["kind"] == "transcript" and h["title"] == big.path.name)
    assert len(big_row["params"]["parts"]) == 2


def test_cli_transcribes_folders_into_documents(wire: WireServer, tmp_path: Path) -> None:
    import csv

    import docx

    home, url = tmp_path / "home", f"{wire.url}{stt_wire.PREFIX}"
    inbox = tmp_path / "inbox"
    (inbox / "week 2").mkdir(parents=True)
    top = clip_file(inbox / "monday.wav", 10, seed=1)
    deep = clip_file(inbox / "week 2" / "tuesday.wav", 10, seed=2)
    (inbox / "notes.txt").write_text("not audio")
    common = ("--provider", "openai", "--base-url", url)
    out = cli(home, "transcribe", str(inbox), "--recursive", "-o", f"{tmp_path / 'docs'}/",
              "--format", "docx", *common)  # fmt: skip
    assert out.returncode == 0, out.stderr
    for clip, path in ((top, tmp_path / "docs" / "monday.docx"),
                       (deep, tmp_path / "docs" / "week 2" / "tuesday.docx")):  # fmt: skip
        document = docx.Document(str(path))
        assert document.paragraphs[0].text == clip.path.stem
        said = " ".join(p.text for p in document.paragraphs if p.text.startswith("["))
        assert said.count("speech") == len(clip.clips)
    out = cli(home, "transcribe", str(inbox), "-o", f"{tmp_path / 'tables'}/", "--format", "csv",
              *common)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == ["monday.csv"]
    rows = list(csv.DictReader((tmp_path / "tables" / "monday.csv").read_text().splitlines()))
    assert len(rows) == len(top.clips) and rows[0]["text"] == "speech"
    out = cli(home, "transcribe", str(inbox), "--format", "pdf", *common)
    assert out.returncode == 2 and "binary document" in out.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    out = cli(home, "transcribe", str(empty), *common)
    assert out.returncode == 1 and "no audio or video files" in out.stderr
