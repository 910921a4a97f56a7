"""Voice prints: a 256-number embedding per 1.6 s of speech, by Resemblyzer's voice encoder.

The network is a three-layer LSTM over a 40-band mel spectrogram (GE2E, Wan et al. 2018),
trained by Resemblyzer (Apache-2.0; LICENSE-resemblyzer.txt). Its weights ship with the studio
as float16 numbers (2.6 MB) and run here with numpy, so speaker detection needs neither torch
nor a download: the forward pass is ours because no maintained library runs these weights
without torch. Mel filters and the STFT come from faster-whisper's feature extractor.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["FRAME_S", "PARTIAL_FRAMES", "VoiceEncoder"]

WEIGHTS = Path(__file__).with_name("voice_encoder.npz")
RATE = 16_000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
FRAME_S = HOP / RATE
PARTIAL_FRAMES = 160  # 1.6 s: what the encoder was trained on
_TARGET_RMS = 10 ** (-30 / 20)  # Resemblyzer's loudness before encoding (-30 dBFS)

Floats = npt.NDArray[np.float32]


def _sigmoid(x: Floats) -> Floats:
    return np.asarray(0.5 * (np.tanh(0.5 * x) + 1.0), np.float32)


class VoiceEncoder:
    """Embeds 1.6 s windows of 16 kHz mono audio; one instance holds the weights (~6 MB)."""

    def __init__(self, path: Path = WEIGHTS) -> None:
        from faster_whisper.feature_extractor import FeatureExtractor

        with np.load(path) as w:
            self._layers = [
                (
                    w[f"weight_ih_l{i}"].astype(np.float32).T.copy(),
                    w[f"weight_hh_l{i}"].astype(np.float32).T.copy(),
                    (w[f"bias_ih_l{i}"] + w[f"bias_hh_l{i}"]).astype(np.float32),
                )
                for i in range(3)
            ]
            self._out_w = w["linear_weight"].astype(np.float32).T.copy()
            self._out_b = w["linear_bias"].astype(np.float32)
        self._stft = FeatureExtractor.stft
        self._mel = FeatureExtractor.get_mel_filters(RATE, N_FFT, n_mels=40).astype(np.float32)
        self._window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann

    def mel(self, samples: Floats) -> Floats:
        """(frames, 40) power mel spectrogram, 10 ms apart, of loudness-normalised audio."""
        rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0
        scaled = samples * np.float32(_TARGET_RMS / rms) if rms > 1e-5 else samples
        spec = self._stft(
            scaled.astype(np.float32), N_FFT, HOP, window=self._window, center=True,
            mode="constant", return_complex=True,
        )  # fmt: skip
        power = (spec.real**2 + spec.imag**2).astype(np.float32)
        return np.asarray((self._mel @ power).T, np.float32)

    def embed(self, mels: Floats) -> Floats:
        """(n, 256) unit-length embeddings of a batch of (n, frames, 40) mel windows."""
        n, steps, _ = mels.shape
        x = mels
        h = np.zeros((n, 256), np.float32)
        for w_ih, w_hh, bias in self._layers:
            pre = x.reshape(n * steps, -1) @ w_ih
            pre = pre.reshape(n, steps, 1024) + bias
            h = np.zeros((n, 256), np.float32)
            c = np.zeros((n, 256), np.float32)
            outputs = np.empty((n, steps, 256), np.float32)
            for t in range(steps):
                gates = pre[:, t] + h @ w_hh
                i = _sigmoid(gates[:, :256])
                f = _sigmoid(gates[:, 256:512])
                g = np.tanh(gates[:, 512:768])
                o = _sigmoid(gates[:, 768:])
                c = f * c + i * g
                h = o * np.tanh(c)
                outputs[:, t] = h
            x = outputs
        raw = np.maximum(h @ self._out_w + self._out_b, 0.0)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        return np.asarray(raw / np.maximum(norms, 1e-9), np.float32)

    def embed_audio(self, samples: Floats) -> Floats:
        """One unit-length embedding for a stretch of speech (the mean of its 1.6 s windows)."""
        mel = self.mel(samples)
        if len(mel) < PARTIAL_FRAMES:
            mel = np.pad(mel, ((0, PARTIAL_FRAMES - len(mel)), (0, 0)))
        starts = range(0, len(mel) - PARTIAL_FRAMES + 1, PARTIAL_FRAMES // 2)
        batch = np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts])
        mean = self.embed(batch).mean(axis=0)
        return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-9), np.float32)
