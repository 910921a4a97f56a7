"""Cast files, who speaks what in a script, and how recasting makes takes stale."""

from __future__ import annotations

import dataclasses

import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.narration.cast import NARRATOR, Cast, Role
from audio_studio.core.narration.project import NarrationProject, Take

CAST = """
[Narrator]
provider = "local"
voice = "en_US-joe-medium"

[Alice]
provider = "openai"
model = "gpt-4o-mini-tts"
voice = "nova"
speed = 1.1

[Alice.settings]
style = 0.3
"""


def test_a_cast_file_round_trips_through_toml() -> None:
    cast = Cast.from_toml(CAST)
    assert cast.names == ("Narrator", "Alice")
    alice = cast.get("alice")
    assert alice == Role("Alice", "openai", "gpt-4o-mini-tts", "nova", 1.1, None, {"style": 0.3})
    assert Cast.from_toml(cast.to_toml()) == cast
    assert Cast.from_json(cast.to_json()) == cast
    # The narrator goes first whatever the file's order.
    assert Cast.from_toml('[Bob]\nprovider = "local"\n[narrator]\nprovider = "local"').names == (
        "narrator",
        "Bob",
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[Alice\nprovider = 'openai'", "not valid TOML"),
        ("", "has no roles"),
        ('[Alice]\nvoice = "nova"', "needs a provider"),
        ('[Alice]\nprovider = "openai"\npitch = 3', "pitch"),
        ('[Alice]\nprovider = "openai"\nspeed = 9', "speed should be a number"),
        ('Alice = "nova"', "should be a table"),
    ],
)
def test_a_bad_cast_file_says_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        Cast.from_toml(text, name="cast.toml")
    assert words in caught.value.message and "cast.toml" in caught.value.message


def roles(script: str, cast: Cast) -> list[tuple[str, str]]:
    project = NarrationProject(script)
    project.set_cast(cast)
    return [(c.text, project.role_of(c)) for c in project.chunks]


def test_dialogue_lines_and_inline_switches_give_each_sentence_its_role() -> None:
    cast = Cast.from_toml(CAST)
    script = (
        "The door opened. Note: it was late.\n\n"
        "Alice: Hello there. Who is it?\n\n"
        'He said [voice Alice]"Go away!"[voice] and left.\n'
        "alice: Bye.\n"
        "Then silence."
    )
    assert roles(script, cast) == [
        ("The door opened.", NARRATOR),
        ("Note: it was late.", NARRATOR),  # "Note" is no role: read aloud
        ("Hello there.", "Alice"),  # no "Alice:" spoken
        ("Who is it?", "Alice"),
        ("He said", NARRATOR),
        ('"Go away!"', "Alice"),
        ("and left.", NARRATOR),
        ("Bye.", "Alice"),  # a line of dialogue inside a paragraph
        ("Then silence.", "Alice"),  # the line goes on until the paragraph ends
    ]


def test_an_inline_switch_lasts_across_paragraphs_until_voice() -> None:
    cast = Cast.from_toml(CAST)
    script = "[voice Alice]One.\n\nTwo. [voice]Three."
    assert roles(script, cast) == [("One.", "Alice"), ("Two.", "Alice"), ("Three.", NARRATOR)]


def test_a_role_the_cast_lacks_is_a_problem_naming_its_line() -> None:
    project = NarrationProject("First.\nSecond [voice Bob]hi[voice].")
    project.set_cast(Cast.from_toml(CAST))
    assert len(project.cast_problems) == 1
    assert project.cast_problems[0].startswith("Line 2: “[voice Bob]”")
    assert "Narrator, Alice" in project.cast_problems[0]
    # Without a cast and without markup the script splits as it always did.
    plain = NarrationProject("Alice: Hello.\nBob: Hi.")
    assert [c.text for c in plain.chunks] == ["Alice: Hello.", "Bob: Hi."]


def test_recasting_one_role_makes_only_its_takes_stale() -> None:
    cast = Cast.from_toml(CAST)
    project = NarrationProject("Alice: Hi.\n\nThe end.")
    project.set_cast(cast)
    for chunk in project.chunks:
        take = Take("t", "/x.flac", "0", "flac", 1.0, 24000, chunk.text, chunk.text, "local")
        chunk.add_take(dataclasses.replace(take, voiced_by=chunk.voiced_by))
    assert project.needing_audio() == []
    alice = cast.get("Alice")
    assert alice is not None
    project.set_cast(cast.with_role(dataclasses.replace(alice, voice="shimmer")))
    assert [c.text for c in project.needing_audio()] == ["Hi."]
    # Reassigning a sentence by hand gives it that role's voice (and it keeps the choice).
    end = project.chunks[1]
    project.set_role([end], "alice")
    assert project.role_of(end) == "Alice" and end.stale
    project.set_script(project.script)
    assert project.role_of(end) == "Alice"
    # The project keeps its cast and the hand-picked roles.
    again = NarrationProject.from_json(project.to_json())
    assert again.cast == project.cast and again.role_of(again.chunks[1]) == "Alice"
