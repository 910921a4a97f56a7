"""`audio-studio narrate --cast` as a user runs it: two offline voices, a report, bad casts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli_narrate import cli, one_line_error

pytestmark = pytest.mark.slow

CAST = """
[Narrator]
provider = "local"
voice = "en_US-joe-medium"

[Heart]
provider = "local"
voice = "hibari-heart"
"""


def test_narrate_with_a_cast_of_two_offline_voices_and_a_json_report(tmp_path: Path) -> None:
    home = tmp_path / "home"
    script = tmp_path / "scene.txt"
    script.write_text("The rain stopped at noon.\n\nHeart: Shall we walk to the river?\n")
    cast = tmp_path / "cast.toml"
    cast.write_text(CAST)
    out = tmp_path / "scene.flac"
    done = cli(home, str(script), "-o", str(out), "--cast", str(cast), "--proof", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    rows = [(s["text"], s["role"], s["voice"]) for s in report["sentences"]]
    assert rows == [
        ("The rain stopped at noon.", "Narrator", "en_US-joe-medium"),
        ("Shall we walk to the river?", "Heart", "hibari-heart"),
    ]
    for sentence in report["sentences"]:
        take = sentence["takes"][sentence["take"] - 1]
        assert take["proof"]["flagged"] is False and take["proof"]["wer"] <= 0.34
        assert take["proof"]["heard"]
    assert out.stat().st_size > 10_000 and "Wrote" in done.stderr


@pytest.mark.parametrize(
    ("cast", "script", "words"),
    [
        ("[Heart\nprovider = 'local'", "Hi.", ("cast.toml is not valid TOML",)),
        ('[Heart]\nprovider = "lokal"', "Hi.", ("“lokal” is not one the studio knows",)),
        ('[Heart]\nprovider = "local"\nvoice = "nobody"', "Hi.", ("“nobody” is not one local",)),
        (CAST, "Hi.\n\nThen [voice Bob]bye.", ("Line 3", "[voice Bob]", "Narrator, Heart")),
    ],
)
def test_a_bad_cast_gets_one_line_and_exit_2(
    tmp_path: Path, cast: str, script: str, words: tuple[str, ...]
) -> None:
    (tmp_path / "cast.toml").write_text(cast)
    (tmp_path / "s.txt").write_text(script)
    out = tmp_path / "s.wav"
    done = cli(
        tmp_path / "home",
        str(tmp_path / "s.txt"),
        "-o",
        str(out),
        "--cast",
        str(tmp_path / "cast.toml"),
    )
    one_line_error(done, 2, *words)
    assert not out.exists()
