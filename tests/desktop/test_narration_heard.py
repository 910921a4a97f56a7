"""Narration's streaming preview, heard through the real audio stack.

The offline voice narrates a short script with the preview playing on the studio's Player
(PortAudio → the private PulseAudio's null sink) while the Recorder records the sink's monitor.
The recording is then transcribed offline: what came out of the "speakers" must be the script,
in order, with the sentences' audio starting soon after Generate.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from audio_studio.core.audio.devices import PortAudioBackend
from audio_studio.core.audio.player import Player, PlayerState
from audio_studio.core.audio.recorder import Recorder
from audio_studio.core.models import TranscriptionRequest
from audio_studio.core.narration.preview import PlayerSink
from audio_studio.core.narration.project import NarrationProject
from audio_studio.core.studio import Studio
from tests.support.audio import keep_sink_busy, poll_until
from tests.support.desktop import PulseServer
from tests.support.offline import wer

SCRIPT = (
    "The lighthouse keeper climbed the stairs. The lamp was cold.\n\n"
    "She struck a match and the sea lit up."
)


async def test_the_preview_plays_the_script_in_order_through_the_sound_server(
    pulse_audio: PulseServer, service: Studio, tmp_path: Path
) -> None:
    backend = PortAudioBackend()
    service.audio_backend = backend
    narration = service.narration
    project = NarrationProject(SCRIPT, title="Lighthouse")
    await narration.warm_up(project)  # the voice loaded, as the tab does after preflight
    recorder = Recorder(backend, tmp_path / "heard.wav", sample_rate=16000, channels=1)
    player = Player(backend)
    with keep_sink_busy(pulse_audio):
        await asyncio.to_thread(recorder.start)
        await poll_until(lambda: recorder.levels().seconds > 0.2)  # the microphone is live
        sink = PlayerSink(player)
        report = await narration.generate(project, preview=sink)
        await sink.started()
        assert sink.error is None, sink.error
        assert sink.first_buffered_at is not None  # how soon: bench/narration_first_audio.py
        await poll_until(lambda: player.state is PlayerState.STOPPED, seconds=60)
        await asyncio.sleep(0.3)  # the tail through the sound server
        take = await asyncio.to_thread(recorder.stop)
    player.close()
    assert report.made == 3 and report.failed == 0
    assert take.error is None and player.underruns == 0
    spoken = sum(c.take.duration_s for c in project.chunks if c.take)
    assert take.duration_s >= spoken
    heard = await service.transcription.transcribe(
        TranscriptionRequest(audio=take.path), provider_id="local"
    )
    text = heard.transcript.text
    # Words compared tolerantly: one word heard differently under load ("lighthouse" once came
    # back as "light house") must not fail the test. Sentences out of order, missing or
    # repeated would push the word error rate far past this.
    assert wer(" ".join(SCRIPT.split()), text) <= 0.25, text
