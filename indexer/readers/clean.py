"""Text repair and normalisation shared by every reader.

Mojibake is repaired in two steps, for speed. ftfy on a 2,000-character body costs about
1.5 ms, which made ftfy-on-everything the main cost of reading the corpus (over 60 s). So the
common case, UTF-8 bytes decoded as Mac Roman or Windows-1252 (``‚Äú`` → ``“``, ``¬†`` → no-break
space, ``â€œ`` → ``“``), is repaired here directly, one byte sequence at a time, and only when the
sequence decodes to a character that plausibly occurs in news text. Whatever still looks
suspicious afterwards (other mojibake, C1 control characters, HTML entities) goes through
``ftfy.fix_text``. Quotes are not "uncurled", so both paths give the same kind of text.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

import ftfy

MAX_BODY_CHARS = 1_000_000               # longer bodies are cut (and marked extra["truncated"])
MAX_LEAD_CHARS = 600

_ENCODINGS = ("mac_roman", "cp1252")     # how UTF-8 bytes get misread, most common first
# zero-width, direction marks, Braille blank: invisible, but they split words ("di\u200eperiksa");
# bidi embeddings/overrides/isolates (U+202A-U+202E, U+2066-U+2069): never needed in news text,
# and an unclosed right-to-left override (U+202E) visually reverses whatever is shown after it
_INVISIBLE = re.compile("[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u2800\ufeff]")
# C0 controls but tab/newline/CR, DEL, and lone surrogates (from JSON "\ud800" escapes) are not
# text: they become a space or U+FFFD, so no field can make a JSON or HTML response unencodable
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_BINARY = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f]")
_JUNK_CHARS = " ,-–—\n"
# "…akhir kalimat.,Paragraf baru": a comma run right after the end of a sentence is a
# paragraph join made by the CLICK-ID scraper (PROVENANCE quirk 1).
_SENTENCE_COMMA_JOIN = re.compile(r"([.!?]['\"”’]?) ?,+ ?(?=\S)")
# Characters a repaired sequence may turn into: Latin, Greek, Arabic (prayers in Muslim
# sections), punctuation, currency, symbols, Braille blanks, CJK and Hangul (K-pop names),
# emoji. Anything else (Armenian or Cyrillic from two accidental Mac Roman characters) means
# the "mojibake" was real text.
_PLAUSIBLE = ((0x00A0, 0x024F), (0x0300, 0x03FF), (0x0600, 0x06FF), (0x0750, 0x077F),
              (0x2000, 0x22FF), (0x2500, 0x28FF), (0x3000, 0x30FF), (0x4E00, 0x9FFF),
              (0xAC00, 0xD7AF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF), (0x1F000, 0x1FAFF))


def _byte_chars(encoding: str) -> list[str]:
    """Character of each byte in a single-byte codec; undefined bytes read as Latin-1 (as browsers do)."""
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode(encoding))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return chars


def _chars(encodings, low: int, high: int) -> str:
    return re.escape("".join(sorted({_byte_chars(e)[b] for e in encodings for b in range(low, high)})))


def _mojibake_regex(encodings) -> re.Pattern:
    """A UTF-8 lead byte's character followed by continuation bytes' characters."""
    return re.compile(f"[{_chars(encodings, 0xC2, 0xF5)}][{_chars(encodings, 0x80, 0xC0)}]{{1,3}}")


def _plausible(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _PLAUSIBLE)


def _redecoder(encoding: str):
    """re.sub callback: the UTF-8 character a misread byte sequence stood for, if plausible."""
    to_byte = {ch: byte for byte, ch in enumerate(_byte_chars(encoding))}

    def fix(match: re.Match) -> str:
        seq = match.group()
        data = bytes(to_byte[c] for c in seq)
        size = 2 if data[0] < 0xE0 else 3 if data[0] < 0xF0 else 4
        if len(data) < size:
            return seq
        try:
            ch = data[:size].decode("utf-8")
        except UnicodeDecodeError:
            return seq
        return (ch if _plausible(ch) else seq[:size]) + seq[size:]
    return fix


_REPAIRS = tuple((_mojibake_regex([enc]), _redecoder(enc)) for enc in _ENCODINGS)
_SUSPECT_START = re.compile(f"[{_chars(('latin-1',) + _ENCODINGS, 0xC2, 0xF5)}\x80-\x9f&]")
_SUSPECT = re.compile(_mojibake_regex(("latin-1",) + _ENCODINGS).pattern
                      + r"|[\x80-\x9f]|&(?:#\d{2,6}|#x[0-9a-fA-F]{2,5}|[a-zA-Z]{2,8});")


def _suspicious(s: str) -> bool:
    return any(_SUSPECT.match(s, m.start()) for m in _SUSPECT_START.finditer(s))


def python_codec(encoding: str) -> str:
    """The codec to decode a source with: UTF-8 also swallows a byte-order mark."""
    name = codecs.lookup(encoding).name
    return "utf-8-sig" if name == "utf-8" else name


def repair(s: str) -> str:
    """Undo mojibake and other damage (ftfy), NFC-normalise, drop invisible characters."""
    if not s:
        return ""
    if _UNSAFE.search(s):
        s = _UNSAFE.sub(lambda m: "\ufffd" if m.group() >= "\ud800" else " ", s)
    ascii_only = s.isascii()
    if not ascii_only:
        for pattern, fix in _REPAIRS:
            s = pattern.sub(fix, s)
    if (not ascii_only or "&" in s) and _suspicious(s):
        s = ftfy.fix_text(s, uncurl_quotes=False)
    if not ascii_only:
        s = _INVISIBLE.sub("", s)
        if not unicodedata.is_normalized("NFC", s):
            s = unicodedata.normalize("NFC", s)
    return s


def clean_line(s: str) -> str:
    """Whitespace runs (newlines, no-break spaces) -> one space, stripped. No repair."""
    return " ".join(s.split())


def clean_text(s: str) -> str:
    """A one-line field (title, caption, label): repaired, whitespace collapsed."""
    return " ".join(repair(s).split())


def clean_body(s: str) -> str:
    """A body: repaired, every line a paragraph, paragraphs joined with a blank line."""
    paragraphs = (" ".join(line.split()) for line in repair(s).splitlines())
    return "\n\n".join(p for p in paragraphs if p)


def tidy_scraped_body(body: str) -> str:
    """Remove scraper leftovers from a cleaned body (CLICK-ID quirk 1).

    Strips the ``" , - "`` / ``"- "`` remains of a removed dateline, trailing commas and a
    final ``loading...``. When the body has no paragraph breaks of its own, a comma run right
    after the end of a sentence becomes a paragraph break. Other commas without a space
    (dropped link text, ``,,``) stay: they cannot be told apart from real commas safely.
    """
    body = body.lstrip(_JUNK_CHARS).rstrip(" ,\n")
    if body[-10:].lower() == "loading...":
        body = body[:-10].rstrip(" ,\n")
    if "\n" not in body:
        body = _SENTENCE_COMMA_JOIN.sub("\\1\n\n", body)
    return body


def lead_of(body: str) -> str:
    """First paragraph; a very long one is cut at the last sentence end before MAX_LEAD_CHARS."""
    first = body.split("\n\n", 1)[0]
    if len(first) <= MAX_LEAD_CHARS:
        return first
    cut = first[:MAX_LEAD_CHARS]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    if end >= MAX_LEAD_CHARS // 4:
        return cut[:end + 1]
    return cut.rsplit(" ", 1)[0]


def looks_binary(s: str) -> bool:
    """True for text that is mostly replacement or control characters (binary garbage)."""
    if not s:
        return False
    sample = s[:20_000]
    bad = len(_BINARY.findall(sample))
    return bad >= 3 and bad > 0.1 * len(sample)
