"""Paths from outside input stay inside their folder: the helper, its properties, its users."""

from __future__ import annotations

import string
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audio_studio.core.errors import InputError
from audio_studio.core.fileio import inside
from audio_studio.core.models import Capability
from audio_studio.core.providers.local import download
from audio_studio.core.providers.local.catalog import CatalogFile, CatalogModel, load_catalog
from audio_studio.core.providers.local.models import ModelManager
from tests.support.model_server import ModelServer, write_catalog

# Characters that make paths interesting: separators, dots, drive colons, NUL, a tilde.
_TRICKY = st.sampled_from(["/", "\\", ".", "..", ":", "\x00", "~", "C:", "/etc", " "])
_PART = st.lists(st.one_of(_TRICKY, st.text(string.ascii_letters + "._-/", max_size=6)),
                 max_size=5).map("".join)  # fmt: skip


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(_PART, min_size=1, max_size=3))
def test_a_path_is_either_refused_or_strictly_inside(tmp_path: Path, parts: list[str]) -> None:
    folder = tmp_path / "data"
    try:
        result = inside(folder, *parts)
    except InputError as exc:
        assert "refused" in str(exc) or "cannot be used" in str(exc)
        return
    resolved = result.resolve()
    assert resolved != folder.resolve()
    assert resolved.is_relative_to(folder.resolve())


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(
        # Lone surrogates cannot be file names at all (they are refused as unusable paths).
        st.characters(blacklist_characters="/\\\x00:", blacklist_categories=("Cs",)),
        min_size=1,
        max_size=40,
    )
)
def test_a_plain_name_is_accepted_as_itself(tmp_path: Path, name: str) -> None:
    if name in (".", ".."):
        with pytest.raises(InputError):
            inside(tmp_path, name)
        return
    assert inside(tmp_path, name) == tmp_path / name


@pytest.mark.parametrize(
    "parts",
    [("..",), ("../..",), ("a/../..",), (".",), ("/etc/passwd",), ("C:\\x",), ("a\\..\\b",),
     ("a\x00b",), ("",), ("ok", "../../x")],
)  # fmt: skip
def test_escapes_are_refused_with_the_input_named(tmp_path: Path, parts: tuple[str, ...]) -> None:
    with pytest.raises(InputError, match="model id"):
        inside(tmp_path, *parts, what="model id")


def test_a_symbolic_link_that_leads_out_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "data" / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="leads outside"):
        inside(tmp_path / "data", "link", "file")
    assert inside(tmp_path / "data", "sub", "file") == tmp_path / "data" / "sub" / "file"


@pytest.mark.parametrize("bad_id", ["../..", "..", ".", "a/../../..", "/tmp/x"])
async def test_a_catalog_id_cannot_reach_the_data_folder(
    paths, model_server: ModelServer, bad_id: str
) -> None:  # type: ignore[no-untyped-def]
    """The reproduction: an id of ``../..`` and a failing download once deleted history.db."""
    served = model_server.add("/v/gone.onnx", b"x", status=404)
    entry = model_server.catalog_entry(bad_id, "transcription", {"model.bin": served})
    write_catalog(paths.models_dir, [entry])
    (paths.data_dir / "history.db").write_bytes(b"precious")
    async with httpx.AsyncClient(timeout=5) as client:
        manager = ModelManager(paths.models_dir, lambda: client)
        with pytest.raises(InputError, match=r"catalog .* could not be read"):
            await manager.download(bad_id)
    assert (paths.data_dir / "history.db").read_bytes() == b"precious"
    assert model_server.ranges("/v/gone.onnx") == []  # nothing was even asked for


async def test_download_checks_a_model_built_in_code_too(paths) -> None:  # type: ignore[no-untyped-def]
    (paths.data_dir / "history.db").write_bytes(b"precious")
    model = CatalogModel(
        "../..",
        Capability.TRANSCRIPTION,
        "x",
        (CatalogFile("m.bin", "http://127.0.0.1:9/m"),),
        "MIT",
    )
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(InputError, match="model id"):
            await download.download_model(client, model, paths.models_dir)
    assert (paths.data_dir / "history.db").read_bytes() == b"precious"


def test_catalog_file_names_must_stay_in_the_model_folder(paths) -> None:  # type: ignore[no-untyped-def]
    entry = {"id": "ok", "kind": "speech", "files": [{"name": "..", "url": "http://127.0.0.1/x"}]}
    write_catalog(paths.models_dir, [entry])
    with pytest.raises(InputError, match="could not be read"):
        load_catalog(paths.models_dir)
