"""Convert Resemblyzer's voice-encoder weights (pretrained.pt, Apache-2.0) to the .npz we ship.

Run once by a maintainer: ``pip download --no-deps resemblyzer==0.1.4``, unzip the wheel, then
``python scripts/convert_voice_encoder.py resemblyzer/pretrained.pt OUT.npz``. The file is
PyTorch's legacy serialisation (pickles, then raw storages); it is read here with ``pickle``
and numpy alone so that converting needs no torch either.
"""

from __future__ import annotations

import collections
import pickle
import struct
import sys
from pathlib import Path
from typing import Any

import numpy as np

_TYPES = {"FloatStorage": np.float32, "LongStorage": np.int64, "IntStorage": np.int32}


class _Tensor:
    def __init__(self, key: str, offset: int, size: tuple[int, ...], stride: tuple[int, ...]):
        self.key, self.offset, self.size, self.stride = key, offset, size, stride


def _rebuild(storage: str, offset: int, size: Any, stride: Any, *_: Any) -> _Tensor:
    return _Tensor(storage, offset, tuple(size), tuple(stride))


class _Reader(pickle.Unpickler):
    def __init__(self, f: Any) -> None:
        super().__init__(f)
        self.kinds: dict[str, str] = {}

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch" and name in _TYPES:
            return name
        if module == "torch._utils" and name.startswith("_rebuild_tensor"):
            return _rebuild
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"unexpected {module}.{name} in the weights file")

    def persistent_load(self, pid: Any) -> str:
        _, kind, key, _location, _size, _view = pid
        self.kinds[key] = kind
        return str(key)


def read_legacy(path: Path) -> dict[str, np.ndarray]:
    with path.open("rb") as f:
        for _ in range(3):  # magic number, protocol version, system info
            pickle.load(f)  # a known file, read by a maintainer
        reader = _Reader(f)
        obj = reader.load()
        keys = pickle.load(f)
        raw: dict[str, np.ndarray] = {}
        for key in keys:
            (count,) = struct.unpack("<q", f.read(8))
            dtype = np.dtype(_TYPES[reader.kinds[key]])
            raw[key] = np.frombuffer(f.read(count * dtype.itemsize), dtype=dtype)
    state = obj.get("model_state", obj)
    out = {}
    for name, t in state.items():
        data = raw[t.key]
        strides = [s * data.itemsize for s in t.stride]
        out[name] = np.lib.stride_tricks.as_strided(data[t.offset :], t.size, strides).copy()
    return out


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    state = read_legacy(source)
    arrays = {k.replace("lstm.", "").replace(".", "_"): v.astype(np.float16) for k, v in
              state.items() if k.startswith(("lstm.", "linear."))}  # fmt: skip
    np.savez_compressed(target, **arrays)
    print(f"Wrote {target} ({target.stat().st_size} bytes): {sorted(arrays)}")


if __name__ == "__main__":
    main()
