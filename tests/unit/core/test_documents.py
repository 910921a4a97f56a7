"""Documents read back: DOCX with python-docx, HTML parsed, CSV with the csv module, PDF text."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import docx
import pypdf
import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.models import Segment, SummaryResult, Transcript, Word
from audio_studio.core.transcription.documents import clock
from audio_studio.core.transcription.exports import (
    EXPORT_FORMATS,
    ExportOptions,
    export_file,
    export_name,
    render,
)
from tests.support.data import JFK
from tests.support.transcription import long_transcript

SUMMARY = SummaryResult("They agreed on the plan.", ("Ann sends the budget", "Bob books a room"),
                        "openai")  # fmt: skip
WHEN = datetime(2026, 12, 5, 14, 30).astimezone()


def meeting() -> Transcript:
    words = (Word("Hello", 0.0, 0.4, "Ann", 0.9), Word("everyone.", 0.4, 1.0, "Ann", 0.7))
    return Transcript(
        (
            Segment("Hello everyone.", 0.0, 1.0, "Ann", words),
            Segment("Let's look at the budget, shall we?", 1.2, 3.4, "Ann", (), 0.92),
            Segment("Sure — the numbers are in.", 4.0, 6.0, "Bob", (), 0.81),
            Segment("Größe & <tags> stay as said.", 400.0, 403.0, "Bob"),
        ),
        language="en",
        duration_s=410.0,
        provider="openai",
        model="whisper-1",
    )


def options(**changes: object) -> ExportOptions:
    values: dict[str, object] = {"title": "Team meeting", "date": WHEN, "provider": "openai",
                                 "summary": SUMMARY}  # fmt: skip
    return ExportOptions(**{**values, **changes})  # type: ignore[arg-type]


def test_docx_reads_back_with_title_date_speakers_in_bold_and_summary(tmp_path: Path) -> None:
    path = export_file(meeting(), "docx", tmp_path / "m.docx", options())
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Team meeting"
    assert "05 December 2026" in texts[1] and "duration 6:50" in texts[1]
    assert "They agreed on the plan." in texts
    assert "Ann sends the budget" in texts and "Bob books a room" in texts
    body = [p for p in document.paragraphs if p.text.startswith("[")]
    assert [p.text for p in body] == [
        "[0:00] Ann: Hello everyone. Let's look at the budget, shall we?",
        "[0:04] Bob: Sure — the numbers are in.",
        "[6:40] Bob: Größe & <tags> stay as said.",
    ]
    for p in body:
        speaker = [r for r in p.runs if r.text.endswith(": ")]
        assert speaker and speaker[0].bold
    assert document.core_properties.title == "Team meeting"


@pytest.mark.parametrize(
    ("timestamps", "expected"),
    [("paragraph", 3), ("minutes", 2), ("off", 0)],
)
def test_docx_timestamps_every_paragraph_every_n_minutes_or_off(
    tmp_path: Path, timestamps: str, expected: int
) -> None:
    opts = options(timestamps=timestamps, every_minutes=5)
    document = docx.Document(io.BytesIO(render(meeting(), "docx", opts)))
    stamped = [p for p in document.paragraphs if p.text.startswith("[") and ":" in p.text]
    assert len(stamped) == expected


def test_long_transcript_every_n_minutes(tmp_path: Path) -> None:
    t = long_transcript(0.5)
    opts = options(timestamps="minutes", every_minutes=5, summary=None)
    document = docx.Document(io.BytesIO(render(t, "docx", opts)))
    stamps = [p.text.split("]")[0] + "]" for p in document.paragraphs if p.text.startswith("[")]
    assert stamps == [f"[{clock(m * 60)}]" for m in range(0, 30, 5)]


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag in ("link", "img") or (tag == "script" and found.get("src")):
            self.external.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_one_page_with_clickable_times_and_the_audio_beside_it(tmp_path: Path) -> None:
    opts = options(audio=JFK)
    path = export_file(meeting(), "html", tmp_path / "out" / "meeting.html", opts)
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    assert not page.external  # styles and script inline: one self-contained file
    audio = [a for t, a in page.tags if t == "audio"]
    assert audio and audio[0]["src"] == "meeting.flac"
    assert (tmp_path / "out" / "meeting.flac").read_bytes() == JFK.read_bytes()
    links = [a for t, a in page.tags if t == "a" and "ts" in (a.get("class") or "")]
    assert [float(a["data-start"] or 0) for a in links] == [0.0, 4.0, 400.0]
    text = "".join(page.text)
    assert "Größe & <tags> stay as said." in text  # escaped in the file, read back as said
    assert "Ann sends the budget" in text
    assert any(t == "script" for t, _ in page.tags)
    assert "audio.currentTime = parseFloat(link.dataset.start)" in path.read_text()


def test_csv_reads_back_with_the_csv_module() -> None:
    text = render(meeting(), "csv", options()).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["start", "end", "speaker", "text", "confidence"]
    assert [r["speaker"] for r in rows] == ["Ann", "Ann", "Bob", "Bob"]
    assert rows[1]["text"] == "Let's look at the budget, shall we?"
    assert float(rows[2]["start"]) == 4.0 and float(rows[3]["end"]) == 403.0
    assert float(rows[0]["confidence"]) == pytest.approx(0.8)
    assert rows[3]["confidence"] == ""


def test_pdf_holds_the_words(tmp_path: Path) -> None:
    path = export_file(meeting(), "pdf", tmp_path / "m.pdf", options())
    reader = pypdf.PdfReader(str(path))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for said in ("Team meeting", "Action items", "Ann sends the budget", "Hello everyone.",
                 "Größe & <tags> stay as said.", "Bob:"):  # fmt: skip
        assert said in flat


def test_every_format_renders_and_unknown_ones_are_refused() -> None:
    for fmt in EXPORT_FORMATS:
        assert render(meeting(), fmt, options())
    with pytest.raises(InputError, match="exported as"):
        render(meeting(), "odt", options())


def test_file_names_follow_the_template() -> None:
    assert export_name("{title}", "srt", title="talk.mp3") == "talk.srt"
    name = export_name("{date} {title} ({provider})", "docx", title="a/b", date=WHEN,
                       provider="openai")  # fmt: skip
    assert name == "2026-12-05 a_b (openai).docx"
    assert export_name("{nope}", "txt", title="x") == "x.txt"
