"""Text as a person reads it aloud: numbers, money, times, abbreviations, URLs, for speech.

English first (num2words says the numbers; the patterns that find them are ours, because no
maintained library finds "$3.50" or "6:30" in running text); other languages get their plain
numbers said by num2words in that language and are otherwise left as written. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from num2words import num2words

__all__ = ["normalize", "roman_value"]

_Sub = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _n(value: int | Decimal | str, lang: str = "en", to: str = "cardinal") -> str:
    try:
        return str(num2words(value if not isinstance(value, str) else Decimal(value), lang=lang,
                             to=to))  # fmt: skip
    except (NotImplementedError, OverflowError, InvalidOperation, ValueError, TypeError):
        return str(value)


def _int(text: str) -> int:
    return int(text.replace(",", ""))


_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "sen", "sen"),
}
_SCALE = r"(?:\s?(thousand|million|billion|trillion)\b)?"


def _money(m: re.Match[str]) -> str:
    one, many, sub_one, sub_many = _CURRENCIES[m.group(1)]
    whole, cents, scale = m.group(2), m.group(3), m.group(4)
    if scale:
        amount = f"{whole}.{cents}" if cents else whole
        return f"{_n(amount.replace(',', ''))} {scale} {many}"
    units = _int(whole)
    said = f"{_n(units)} {one if units == 1 else many}"
    if cents and int(cents.ljust(2, "0")):
        c = int(cents.ljust(2, "0"))
        said += f" and {_n(c)} {sub_one if c == 1 else sub_many}"
    return said


def _time(m: re.Match[str]) -> str:
    hour, minute, half = int(m.group(1)), int(m.group(2)), m.group(3)
    if minute == 0:
        said = f"{_n(hour)} o'clock" if not half else _n(hour)
    elif minute < 10:
        said = f"{_n(hour)} oh {_n(minute)}"
    else:
        said = f"{_n(hour)} {_n(minute)}"
    if half:
        said += " a m" if half.lower().startswith("a") else " p m"
        said += "." if half.endswith(".") else ""  # "p.m." may end the sentence too
    return said


def _year(m: re.Match[str]) -> str:
    said = _n(int(m.group(1)), to="year")
    if m.group(2):  # the 1990s
        said = said[:-1] + "ies" if said.endswith("y") else said + "s"
    return said


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_value(text: str) -> int | None:
    """The value of a Roman numeral written canonically (``IV``, not ``IIII``), else None."""
    if not text or any(ch not in _ROMAN for ch in text.upper()):
        return None
    total = 0
    digits = [_ROMAN[ch] for ch in text.upper()]
    for i, v in enumerate(digits):
        total += -v if i + 1 < len(digits) and digits[i + 1] > v else v
    return total if 0 < total < 4000 and _to_roman(total) == text.upper() else None


_ROMAN_STEPS = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
    (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def _to_roman(value: int) -> str:
    out = ""
    for n, s in _ROMAN_STEPS:
        while value >= n:
            out, value = out + s, value - n
    return out


def _roman(m: re.Match[str]) -> str:
    value = roman_value(m.group(2))
    return f"{m.group(1)} {_n(value)}" if value else m.group(0)


def _url(m: re.Match[str]) -> str:
    url = re.sub(r"^https?://", "", m.group(0)).rstrip("/")
    url = url.replace("www.", "w w w dot ", 1) if url.startswith("www.") else url
    url = url.replace(".", " dot ").replace("/", " slash ").replace("-", " dash ")
    return " ".join(url.split())


def _email(m: re.Match[str]) -> str:
    name, domain = m.group(0).split("@", 1)
    name = name.replace(".", " dot ").replace("_", " underscore ")
    return " ".join(f"{name} at {domain.replace('.', ' dot ')}".split())


_ABBREVIATIONS = {
    "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Dr.": "Doctor", "Prof.": "Professor",
    "Jr.": "Junior", "Sr.": "Senior", "Mt.": "Mount", "Capt.": "Captain", "Lt.": "Lieutenant",
    "Gen.": "General", "Rev.": "Reverend", "Sgt.": "Sergeant", "Col.": "Colonel",
    "Gov.": "Governor", "e.g.": "for example", "i.e.": "that is", "etc.": "et cetera",
    "vs.": "versus", "approx.": "approximately", "Fig.": "Figure", "Vol.": "Volume",
    "Ch.": "Chapter", "Ave.": "Avenue", "Rd.": "Road", "Blvd.": "Boulevard", "Jan.": "January",
    "Feb.": "February", "Aug.": "August", "Sept.": "September", "Oct.": "October",
    "Nov.": "November", "Dec.": "December",
}  # fmt: skip


def _abbreviation(m: re.Match[str]) -> str:
    word = m.group(1)
    said = _ABBREVIATIONS.get(word) or _ABBREVIATIONS.get(word.lower(), word)
    # "etc." ends a sentence often: keep the full stop so the sentence still ends.
    return said + ("." if m.group(2) is not None else "")


_EN: tuple[_Sub, ...] = (
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), _email),
    (re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]"), _url),
    (re.compile(rf"([$£€¥])\s?(\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(\d{{1,2}}))?\b{_SCALE}"), _money),
    (re.compile(r"(\d+(?:\.\d+)?)\s?%"), lambda m: f"{_n(m.group(1).replace(',', ''))} percent"),
    (re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b(?:\s?([ap]\.?m\.?)(?!\w))?", re.I), _time),
    (re.compile(r"\b(\d+)(?:st|nd|rd|th)\b"), lambda m: _n(int(m.group(1)), to="ordinal")),
    (re.compile(r"\b(No|Nos)\.\s?(?=\d)"), lambda m: "Number " if m.start() == 0 else "number "),
    (re.compile(r"(?<![\d,.])\b(1[1-9]\d\d|20\d\d)(s)?\b(?![,.]?\d)"), _year),
    (re.compile(r"\b(\d+)\.(\d+)\b"), lambda m: _n(m.group(0))),
    (re.compile(r"\b\d{1,3}(?:,\d{3})+\b(?!\.\d)"), lambda m: _n(_int(m.group(0)))),
    (re.compile(r"\b\d+\b"), lambda m: _n(int(m.group(0)))),
    (re.compile(r"\b(Chapter|Part|Book|Volume|Act|Scene|Section)\s+([IVXLCDM]+)\b"), _roman),
    (
        re.compile(
            r"(?<!\w)(" + "|".join(re.escape(k) for k in _ABBREVIATIONS) + r")(\s*$)?", re.M
        ),
        _abbreviation,
    ),
    (re.compile(r"\bSt\.(?=\s+[A-Z])"), lambda m: "Saint"),
    (re.compile(r"(?<=[A-Za-z] )St\.(?!\w)"), lambda m: "Street"),
    (re.compile(r"\s&\s"), lambda m: " and "),
)
_OTHER_NUMBERS = re.compile(r"\b\d+(?:[.,]\d+)?\b")
_ROMAN_TITLE = r"\b(?:Chapter|Part|Book|Volume|Act|Scene|Section)\s+[IVXLCDM]"
_WORTH_A_LOOK = re.compile(rf"[\d.@&%]|{_ROMAN_TITLE}")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_HELD = re.compile(r"(\0\d+\0)")  # what the pronunciation list replaced: left alone


def normalize(text: str, language: str = "en") -> str:
    """``text`` as it should be said; parts between NUL-numbered placeholders only."""
    if not _WORTH_A_LOOK.search(text):
        return text  # nothing to do (most sentences): skip the patterns
    lang = (language or "en").split("-")[0].lower()
    if lang == "en" and _CJK.search(text):
        return text  # Japanese or Chinese for a voice of its own (hibari): not English words
    parts = _HELD.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = _normalize(parts[i], lang)
    return "".join(parts)


def _normalize(text: str, lang: str) -> str:
    if lang != "en":
        return _OTHER_NUMBERS.sub(lambda m: _n(m.group(0).replace(",", "."), lang), text)
    for pattern, say in _EN:
        text = pattern.sub(say, text)
    return text
