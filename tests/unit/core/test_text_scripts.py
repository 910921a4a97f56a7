"""Sentences and cuts in ten scripts (ICU's rules), and properties of the splitter."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audio_studio.core.text import has_words, split_script, split_sentences


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("script", "text", "expected"),
    [
        ("Latin", "It rained. Then it stopped!", ["It rained.", "Then it stopped!"]),
        ("Japanese", "今日は晴れです。明日は雨でしょう！本当？",
         ["今日は晴れです。", "明日は雨でしょう！", "本当？"]),
        ("Chinese", "我们今天去北京。你呢？我不去！", ["我们今天去北京。", "你呢？", "我不去！"]),
        ("Arabic", "مرحبا، كيف حالك؟ أنا بخير.", ["مرحبا، كيف حالك؟", "أنا بخير."]),
        ("Devanagari", "नमस्ते। आप कैसे हैं?", ["नमस्ते।", "आप कैसे हैं?"]),
        ("Cyrillic", "Привет. Как дела? Хорошо!", ["Привет.", "Как дела?", "Хорошо!"]),
        ("Bengali", "আমি ভালো আছি। তুমি কেমন আছ?", ["আমি ভালো আছি।", "তুমি কেমন আছ?"]),
        # The Greek question mark is U+037E, whose NFC form is ";": it does not end a sentence.
        ("Greek", "Γεια σου. Τι κάνεις; Καλά!", ["Γεια σου.", "Τι κάνεις; Καλά!"]),
        ("Hebrew", "שלום. מה שלומך?", ["שלום.", "מה שלומך?"]),
        ("Thai", "สวัสดีครับ วันนี้อากาศดี\nพรุ่งนี้ฝนตก", ["สวัสดีครับ วันนี้อากาศดี", "พรุ่งนี้ฝนตก"]),
        ("Korean", "안녕하세요. 오늘 날씨가 좋네요!", ["안녕하세요.", "오늘 날씨가 좋네요!"]),
        ("Armenian", "Բարեւ։ Ինչպե՞ս ես։", ["Բարեւ։", "Ինչպե՞ս ես։"]),
    ],
    ids=lambda v: v if isinstance(v, str) and v.isascii() and " " not in v else None,
)  # fmt: skip
def test_sentences_in_every_script(script: str, text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("日本語の文章を単語に分けて送ります。" * 30, 40),
        ("我们今天去北京看看长城然后回家吃饭。" * 30, 25),
        ("ภาษาไทยไม่มีช่องว่างระหว่างคำแต่มีคำ" * 20, 30),
    ],
)
def test_long_text_without_spaces_is_cut_between_words(text: str, limit: int) -> None:
    plan = split_script(text, max_chars=limit)
    assert all(len(c.text) <= limit for c in plan.chunks)
    assert "".join(c.text for c in plan.chunks) == text.replace(" ", "")
    # Every cut falls where ICU's word rules put a boundary, never inside a word.
    from audio_studio.core.text import _breaks

    words = set(_breaks("word", text))
    assert all(c.end in words for c in plan.chunks)


def test_a_cut_never_splits_an_emoji_and_no_chunk_is_only_symbols() -> None:
    family = "👩‍👩‍👧‍👦"
    text = "Party " + family * 30 + " time " + "🎉" * 40 + " end"
    plan = split_script(text, max_chars=30)
    assert all(has_words(c.text) for c in plan.chunks)
    spoken = "".join(c.text for c in plan.chunks)
    assert "‍" not in spoken.replace(family, "")  # every family kept whole, or left out whole
    assert all(len(c.text) <= 30 for c in plan.chunks)
    assert plan.warnings and "nothing to say" in plan.warnings[-1]


_TEXT = st.lists(
    st.sampled_from([*"abc XYZ.!?。！？؟।,、…\n", "Dr.", "😀", "👩‍👧", "é", "ก", "日本"]),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_TEXT)
def test_sentences_cover_the_text_in_order_and_all_have_words(text: str) -> None:
    spans = split_sentences(text)
    assert spans == sorted(spans)
    for n, (a, b) in enumerate(spans):
        assert 0 <= a < b <= len(text) and has_words(text[a:b])
        assert text[a:b] == text[a:b].strip()
        if n + 1 < len(spans):
            gap = text[b : spans[n + 1][0]]
            assert b <= spans[n + 1][0] and not has_words(gap)
    words = [c for c in text if unicodedata.category(c)[0] in "LN"]
    kept = [c for a, b in spans for c in text[a:b] if unicodedata.category(c)[0] in "LN"]
    assert kept == words  # no letter or digit is lost or repeated


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, limit=st.integers(min_value=8, max_value=60))
def test_chunks_fit_keep_their_spans_and_always_have_words(text: str, limit: int) -> None:
    plan = split_script(text, max_chars=limit)
    for chunk in plan.chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert has_words(chunk.text)
    ends = [c.end for c in plan.chunks]
    assert ends == sorted(ends)
