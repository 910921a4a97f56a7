"""Proof-listening for real: a loopback OpenAI-compatible server speaks each sentence with the
offline engines' audio and can be told to answer one sentence with another's; proof flags
exactly that one, remakes it, and the export, transcribed, says the script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audio_studio.core.audio import codec
from audio_studio.core.models import (
    Capability,
    HistoryKind,
    SpeechRequest,
    TranscriptionRequest,
)
from audio_studio.core.narration.project import NarrationProject, NarrationSettings
from audio_studio.core.store.history import HistoryQuery
from tests.support.narration import SPEECH
from tests.support.offline import wer
from tests.support.wire import KEYS
from tests.test_cli_narrate import cli

pytestmark = pytest.mark.slow

SENTENCES = (
    "The morning train was late again.",
    "Maria walked down to the harbour.",
    "She bought a loaf of fresh bread.",
    "The fishing boats came home at noon.",
)
SCRIPT = f"{SENTENCES[0]} {SENTENCES[1]}\n\n{SENTENCES[2]} {SENTENCES[3]}"
OPENAI = NarrationSettings(provider="openai", model="gpt-4o-mini-tts", voice="coral", proof=True)


async def speak_all(studio, texts: tuple[str, ...]) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """Each text as 24 kHz 16-bit PCM, spoken by Piper's Joe (the server's "real speech")."""
    local = await studio.context.provider("local", Capability.SPEECH)
    out = {}
    for text in texts:
        result = await local.synthesize(SpeechRequest(text=text, voice="en_US-joe-medium"))
        audio = codec.resample(codec.decode(result.data), 24_000)
        out[text] = codec.to_pcm16(audio)
    return out


async def test_proof_flags_the_wrong_audio_remakes_it_and_the_export_says_the_script(
    narration_studio, wire, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    wire.state["spoken"] = await speak_all(narration_studio, SENTENCES)
    wire.state["swap_once"] = {SENTENCES[1]: SENTENCES[3]}  # the harbour line says the boats'
    narration = narration_studio.narration
    project = NarrationProject(SCRIPT, title="Harbour", settings=OPENAI, max_chars=4096)
    report = await narration.generate(project)
    assert report.failed == 0 and report.remade == 1 and report.flagged == 0
    assert report.made == 4 and report.proofed == 5  # four sentences; one heard twice
    inputs = [r.json()["input"] for r in wire.requests("POST", SPEECH)]
    assert sorted(inputs) == sorted([*SENTENCES, SENTENCES[1]])  # only that one asked again
    swapped = project.chunks[1]
    assert len(swapped.takes) == 2 and swapped.current == 1
    first, second = (t.proof for t in swapped.takes)
    assert first and first["flagged"] and "boats" in first["heard"].lower()
    assert second and not second["flagged"] and second["wer"] <= 0.34
    others = [c for i, c in enumerate(project.chunks) if i != 1]
    assert all(
        len(c.takes) == 1 and c.takes[0].proof and not c.takes[0].proof["flagged"] for c in others
    )
    # The server reports no word times; the ones proof heard are kept, inside each take.
    for chunk in project.chunks:
        take = chunk.takes[chunk.current]
        assert all(0 <= w.start <= w.end <= take.duration_s for w in take.words)
        starts = [w.start for w in take.words]
        assert starts == sorted(starts)
        assert wer(chunk.spoken, " ".join(w.text for w in take.words)) <= 0.34, take.words
    # History keeps each take's role, voice and verdict.
    takes = await narration_studio.library.query(HistoryQuery(kinds=(HistoryKind.TAKE,)))
    flagged = [t for t in takes if t.params.get("proof", {}).get("flagged")]
    assert len(takes) == 5 and len(flagged) == 1 and "proof-check" in flagged[0].tags
    assert all(t.params["role"] == "Narrator" and t.voice == "coral" for t in takes)
    # The export, heard back, is the script.
    outcome = await narration.export(project, tmp_path / "harbour.wav")
    local = await narration_studio.context.provider("local", Capability.TRANSCRIPTION)
    heard = await local.transcribe(TranscriptionRequest(audio=outcome.path, language="en"))
    assert wer(" ".join(SENTENCES), heard.text) <= 0.15, heard.text


def test_narrate_proof_names_what_stays_wrong_exits_3_and_still_writes(
    tmp_path: Path,
    wire,
    narration_studio,  # type: ignore[no-untyped-def]
) -> None:
    import asyncio

    wire.state["spoken"] = asyncio.run(speak_all(narration_studio, SENTENCES))
    wire.state["swap_always"] = {SENTENCES[2]: SENTENCES[0]}
    script = tmp_path / "harbour.txt"
    script.write_text(SCRIPT)
    out = tmp_path / "harbour.wav"
    args = ("--provider", "openai", "--base-url", f"{wire.url}/openai/v1", "--voice", "coral")
    done = cli(tmp_path / "home", str(script), "-o", str(out), *args, "--proof", "--json",
               OPENAI_API_KEY=KEYS["openai"])  # fmt: skip
    assert done.returncode == 3, done.stderr
    checks = [
        line for line in done.stderr.splitlines() if line.startswith("audio-studio narrate: check")
    ]
    assert len(checks) == 1 and "sentence 3" in checks[0] and SENTENCES[2] in checks[0]
    assert out.exists() and out.stat().st_size > 50_000  # the export is written all the same
    report = json.loads(done.stdout)["sentences"]
    third = report[2]
    assert third["role"] == "Narrator" and third["voice"] == "coral" and len(third["takes"]) == 2
    assert all(t["proof"]["flagged"] for t in third["takes"])
    assert all(
        len(s["takes"]) == 1 and not s["takes"][0]["proof"]["flagged"]
        for i, s in enumerate(report)
        if i != 2
    )
    assert len(wire.requests("POST", SPEECH)) == 5
