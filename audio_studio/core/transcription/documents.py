"""Transcripts as documents to hand on: DOCX (python-docx), PDF (fpdf2), self-contained HTML, CSV.

A document reads as paragraphs: consecutive segments of one speaker, broken at long pauses,
each optionally with its start time (every paragraph, every N minutes, or none), the speaker's
name in bold, and the summary and action items first when there are some. The HTML page is one
file (styles and script inline) with the audio beside it; its timestamps play from there.
Blocking functions (they build whole documents): call via asyncio.to_thread.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from audio_studio.core.models import Segment, SummaryResult, Transcript

__all__ = [
    "DocumentOptions",
    "Paragraph",
    "paragraphs",
    "to_csv",
    "to_docx",
    "to_html",
    "to_pdf",
]

PARAGRAPH_PAUSE_S = 2.0  # a silence this long starts a new paragraph
PARAGRAPH_MAX_S = 90.0  # and so does a speaker going on this long (a wall of text reads badly)
_FONTS = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class DocumentOptions:
    """What a document shows besides the words.

    ``timestamps``: "paragraph" (every paragraph), "minutes" (the first paragraph after each
    ``every_minutes``), or "off". ``audio_name``: the audio file beside an HTML page.
    """

    title: str = "Transcript"
    date: str = ""
    timestamps: str = "paragraph"
    every_minutes: int = 5
    summary: SummaryResult | None = None
    audio_name: str | None = None
    provider: str = ""
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Paragraph:
    start: float
    end: float
    speaker: str | None
    text: str
    stamp: bool  # show its start time


def clock(seconds: float) -> str:
    """``M:SS`` or ``H:MM:SS``."""
    s = int(max(0.0, seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _runs(segments: list[Segment]) -> Iterator[list[Segment]]:
    run: list[Segment] = []
    for seg in segments:
        if run and (
            seg.speaker != run[-1].speaker
            or seg.start - run[-1].end >= PARAGRAPH_PAUSE_S
            or seg.end - run[0].start > PARAGRAPH_MAX_S
        ):
            yield run
            run = []
        run.append(seg)
    if run:
        yield run


def paragraphs(t: Transcript, options: DocumentOptions) -> list[Paragraph]:
    """The transcript as paragraphs, each marked whether its time is shown."""
    segments = sorted((s for s in t.segments if s.text.strip()), key=lambda s: s.start)
    out: list[Paragraph] = []
    next_mark = 0.0
    step = max(1, options.every_minutes) * 60.0
    for run in _runs(segments):
        start = run[0].start
        if options.timestamps == "paragraph":
            stamp = True
        elif options.timestamps == "minutes":
            stamp = start >= next_mark
            if stamp:
                next_mark = (start // step + 1) * step
        else:
            stamp = False
        text = " ".join(" ".join(s.text.split()) for s in run)
        out.append(Paragraph(start, max(s.end for s in run), run[0].speaker, text, stamp))
    return out


def _facts(t: Transcript, options: DocumentOptions) -> str:
    facts = [f for f in (options.date,) if f]
    if t.duration_s:
        facts.append(f"duration {clock(t.duration_s)}")
    if t.language:
        facts.append(f"language {t.language}")
    made = " ".join(x for x in (t.provider or options.provider, t.model) if x)
    if made:
        facts.append(f"transcribed by {made}")
    return " · ".join(facts)


# -- DOCX ------------------------------------------------------------------------------------


def to_docx(t: Transcript, options: DocumentOptions) -> bytes:
    """A Word document: title, date and duration, summary and action items, the paragraphs."""
    import docx
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    document.core_properties.title = options.title
    document.add_heading(options.title, level=0)
    facts = document.add_paragraph(_facts(t, options))
    for run in facts.runs:
        run.italic = True
    summary = options.summary
    if summary is not None:
        document.add_heading("Summary", level=1)
        document.add_paragraph(summary.summary.strip())
        if summary.action_items:
            document.add_heading("Action items", level=1)
            for item in summary.action_items:
                document.add_paragraph(item, style="List Bullet")
        document.add_heading("Transcript", level=1)
    for para in paragraphs(t, options):
        p = document.add_paragraph()
        if para.stamp:
            run = p.add_run(f"[{clock(para.start)}] ")
            run.font.color.rgb = RGBColor(0x6B, 0x6B, 0x6B)
            run.font.size = Pt(9)
        if para.speaker:
            p.add_run(f"{para.speaker}: ").bold = True
        p.add_run(para.text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# -- PDF -------------------------------------------------------------------------------------


def to_pdf(t: Transcript, options: DocumentOptions) -> bytes:
    """The same document as a PDF (DejaVu fonts when installed, so any script prints)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(options.title)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    regular, bold = _FONTS / "DejaVuSans.ttf", _FONTS / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("Body", "", str(regular))
        pdf.add_font("Body", "B", str(bold))
        family = "Body"

        def fit(text: str) -> str:
            return text

    else:  # the PDF core fonts hold Latin-1 only
        family = "Helvetica"

        def fit(text: str) -> str:
            return text.encode("latin-1", "replace").decode("latin-1")

    pdf.set_font(family, "B", 18)
    pdf.multi_cell(0, 9, fit(options.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.set_text_color(100, 100, 100)
    pdf.multi_cell(0, 5, fit(_facts(t, options)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)

    def heading(text: str) -> None:
        pdf.set_font(family, "B", 13)
        pdf.multi_cell(0, 7, fit(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    summary = options.summary
    if summary is not None:
        heading("Summary")
        pdf.set_font(family, "", 11)
        pdf.multi_cell(0, 5.5, fit(summary.summary.strip()), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        if summary.action_items:
            heading("Action items")
            pdf.set_font(family, "", 11)
            for item in summary.action_items:
                pdf.multi_cell(0, 5.5, fit(f"•  {item}"), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        heading("Transcript")
    for para in paragraphs(t, options):
        pdf.set_font(family, "", 11)
        parts = []
        if para.stamp:
            parts.append(f"[{clock(para.start)}] ")
        if para.speaker:
            parts.append(f"**{_pdf_md(para.speaker)}:** ")
        parts.append(_pdf_md(para.text))
        pdf.multi_cell(0, 5.5, fit("".join(parts)), markdown=True, new_x="LMARGIN",
                       new_y="NEXT")  # fmt: skip
        pdf.ln(2)
    return bytes(pdf.output())


def _pdf_md(text: str) -> str:
    # fpdf2's markdown reads **, __ and -- as styles: break them up so words print as said.
    return text.replace("**", "*\u200b*").replace("__", "_\u200b_").replace("--", "-\u200b-")


# -- HTML ------------------------------------------------------------------------------------

_STYLE = """
body { font: 16px/1.55 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fff; }
header { position: sticky; top: 0; background: #f4f4f6; border-bottom: 1px solid #ddd;
  padding: 12px 24px; }
h1 { margin: 0 0 4px; font-size: 22px; }
.facts { color: #666; font-size: 13px; margin-bottom: 8px; }
audio { width: 100%; }
main { max-width: 46em; padding: 8px 24px 48px; }
p.para { margin: 0 0 14px; }
a.ts { color: #0a58ca; font-size: 12px; font-variant-numeric: tabular-nums;
  text-decoration: none; margin-right: 6px; }
a.ts:hover { text-decoration: underline; }
.speaker { font-weight: 700; }
p.playing { background: #fff4cc; }
@media (prefers-color-scheme: dark) {
  body { background: #1c1c1e; color: #eee; } header { background: #2a2a2d; border-color: #444; }
  p.playing { background: #4a3b00; } a.ts { color: #7ab7ff; } }
"""

_SCRIPT = """
const audio = document.getElementById('audio');
const paras = Array.from(document.querySelectorAll('p.para'));
document.addEventListener('click', (e) => {
  const link = e.target.closest('a.ts');
  if (!link) return;
  e.preventDefault();
  if (!audio) return;
  audio.currentTime = parseFloat(link.dataset.start);
  audio.play();
});
if (audio) audio.addEventListener('timeupdate', () => {
  const t = audio.currentTime;
  for (const p of paras) {
    const on = t >= parseFloat(p.dataset.start) && t < parseFloat(p.dataset.end);
    p.classList.toggle('playing', on);
  }
});
"""


def to_html(t: Transcript, options: DocumentOptions) -> str:
    """One self-contained page; with ``audio_name`` it plays the audio file beside it."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="{}">'.format(e(t.language or "en")),
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(options.title)}</title>",
        f"<style>{_STYLE}</style></head>",
        "<body><header>",
        f"<h1>{e(options.title)}</h1>",
        f'<div class="facts">{e(_facts(t, options))}</div>',
    ]
    if options.audio_name:
        out.append(
            f'<audio id="audio" controls preload="metadata" src="{e(options.audio_name)}"></audio>'
        )
    out.append("</header><main>")
    summary = options.summary
    if summary is not None:
        out += ["<h2>Summary</h2>", f"<p>{e(summary.summary.strip())}</p>"]
        if summary.action_items:
            out.append("<h2>Action items</h2><ul>")
            out += [f"<li>{e(item)}</li>" for item in summary.action_items]
            out.append("</ul>")
        out.append("<h2>Transcript</h2>")
    for para in paragraphs(t, options):
        bits = [f'<p class="para" data-start="{para.start:.3f}" data-end="{para.end:.3f}">']
        # Every paragraph can be played from; the time shows where the user asked for it.
        label = f"[{clock(para.start)}]" if para.stamp else "▸"
        bits.append(
            f'<a class="ts" href="#t={para.start:.3f}" data-start="{para.start:.3f}" '
            f'title="Play from {clock(para.start)}">{label}</a>'
        )
        if para.speaker:
            bits.append(f'<span class="speaker">{e(para.speaker)}:</span> ')
        bits.append(f"{e(para.text)}</p>")
        out.append("".join(bits))
    out += ["</main>", f"<script>{_SCRIPT}</script>", "</body></html>"]
    return "\n".join(out) + "\n"


# -- CSV -------------------------------------------------------------------------------------

CSV_FIELDS = ("start", "end", "speaker", "text", "confidence")


def to_csv(t: Transcript) -> str:
    """One row per segment: start and end in seconds, speaker, text, confidence (0–1)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for seg in sorted(t.segments, key=lambda s: s.start):
        if not seg.text.strip():
            continue
        confidence = seg.confidence
        if confidence is None and seg.words:
            known = [w.confidence for w in seg.words if w.confidence is not None]
            confidence = sum(known) / len(known) if known else None
        writer.writerow(
            (
                f"{seg.start:.3f}",
                f"{seg.end:.3f}",
                seg.speaker or "",
                " ".join(seg.text.split()),
                "" if confidence is None else f"{confidence:.3f}",
            )
        )
    return out.getvalue()
