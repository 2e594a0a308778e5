"""A poem as it arrived: its bytes, and the text they decode to.

A server sends bytes; a person reads text. Turning one into the other never
fails here: an unknown encoding is refused before anything connects
(:func:`check_encoding`), and bytes that are not valid in a known one read
as U+FFFD, counted, rather than ending the download (:func:`decode_poem`).
"""

from __future__ import annotations

import codecs
import re

from app.i18n import _

DEFAULT_ENCODING = "utf-8"
#: The bytes :meth:`Poem.first_line` looks at first (it decodes more only if it must).
FIRST_LOOK = 256


class Poem:
    """A complete poem: the server closed the connection cleanly after sending it.

    ``size`` (bytes received), ``elapsed`` (seconds from the call to
    :func:`~app.net.client.get_poetry` to the clean close) and ``encoding``
    are known at once. ``text`` and ``replaced`` (invalid bytes shown as
    U+FFFD) are decoded from the received bytes on first use, once: a poem
    nobody reads (a window row never selected) never has its bytes turned
    into a ``str``. After decoding, the bytes are let go; only the text stays.
    """

    __slots__ = ("_chunks", "_decoded", "elapsed", "encoding", "size")

    def __init__(
        self,
        data: bytes | bytearray | list[bytes],
        elapsed: float = 0.0,
        encoding: str = DEFAULT_ENCODING,
    ) -> None:
        chunks = data if isinstance(data, list) else [bytes(data)]
        self._chunks: list[bytes] | None = chunks
        self._decoded: tuple[str, int] | None = None
        self.size = sum(map(len, chunks))
        self.elapsed = elapsed
        self.encoding = encoding

    @property
    def text(self) -> str:
        return self._decode()[0]

    @property
    def replaced(self) -> int:
        return self._decode()[1]

    def first_line(self, max_bytes: int = 4096) -> str:
        """The first line with more than white space in it, stripped; "" if there is none.

        Only the first ``max_bytes`` are decoded (unless the whole text already
        is): a poem's title is wanted the moment it arrives, on the reactor's
        thread, and a 10 MB poem must not be turned into text for one line. A
        multi-byte character cut at the end of that prefix is left out, not
        garbled; invalid bytes read as U+FFFD, as in :attr:`text`.
        """
        if self._decoded is not None:
            return _first_line(self._decoded[0][:max_bytes], whole=True) or ""
        assert self._chunks is not None
        max_bytes = max(max_bytes, 0)
        if max_bytes > FIRST_LOOK:
            # A first line is mostly short: the first bytes are decoded alone,
            # and the rest only if no whole line with words is in them.
            head = _decode_prefix(self._chunks, FIRST_LOOK, self.size, self.encoding)
            line = _first_line(head, whole=self.size <= FIRST_LOOK)
            if line is not None:
                return line
        head = _decode_prefix(self._chunks, max_bytes, self.size, self.encoding)
        return _first_line(head, whole=True) or ""

    def _decode(self) -> tuple[str, int]:
        if self._decoded is None:
            assert self._chunks is not None
            # Join, let the chunks go, then decode: at most the bytes and the text
            # are alive at once, never the chunks too.
            data, self._chunks = b"".join(self._chunks), None
            self._decoded = decode_poem(data, self.encoding)
        return self._decoded

    def __repr__(self) -> str:
        return (
            f"<Poem {self.size} bytes, {self.encoding}, {self.elapsed:.3f} s>"  # untranslated: repr
        )


#: Codecs Python calls text encodings that are no way to read a poem: domain-name
#: codecs, which refuse most text, and Python-literal escapes, which would turn a
#: server's backslashes into other characters.
_NOT_FOR_POEMS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape"})


def check_encoding(name: str) -> str:
    """Return the codec's canonical name, or raise ``ValueError`` saying why it cannot be used."""
    try:
        codec = codecs.lookup(name)
    except (LookupError, TypeError, ValueError):
        raise ValueError(_("unknown encoding {name}").format(name=repr(name))) from None
    # base64, rot13 and friends are codecs but not text encodings.
    if not getattr(codec, "_is_text_encoding", True) or codec.name in _NOT_FOR_POEMS:
        raise ValueError(_("{name} is not a text encoding for poems").format(name=repr(name)))
    return codec.name


# Undecodable bytes come out of the "surrogateescape" handler as U+DC80..U+DCFF,
# one per byte, which lets us both count them and swap in U+FFFD in one pass.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def decode_poem(data: bytes | bytearray, encoding: str) -> tuple[str, int]:
    """Decode, never failing: return the text and how many invalid bytes became U+FFFD."""
    try:
        return data.decode(encoding), 0
    except UnicodeError:
        pass
    try:
        escaped = data.decode(encoding, "surrogateescape")
    except UnicodeError:
        # Errors surrogateescape cannot stand for (UTF-16 or UTF-32 cut in the
        # middle of a unit): plain replacement, counted by its characters.
        text = data.decode(encoding, "replace")
        return text, text.count("\ufffd")
    return _ESCAPED_BYTE.subn("\ufffd", escaped)


def _first_line(head: str, *, whole: bool) -> str | None:
    """The first line of ``head`` with more than white space in it, stripped.

    ``None`` if ``head`` may have been cut inside that line, or before it:
    unless ``head`` is ``whole``, a line counts only when a line break ends
    it. "" if ``head`` is whole and only white space.
    """
    for line in head.splitlines(keepends=True):
        if stripped := line.strip():
            if whole or len(line.splitlines()[0]) < len(line):
                return stripped
            return None
    return "" if whole else None


#: Codecs whose plain decode of a cut prefix reads what an incremental decoder
#: holds back (UTF-7's unfinished base64): their prefixes are always decoded
#: incrementally.
_READS_AHEAD = frozenset({"utf-7"})


def _decode_prefix(chunks: list[bytes], max_bytes: int, size: int, encoding: str) -> str:
    """The text of the first ``max_bytes`` of ``chunks`` (``size`` bytes in all), never failing.

    An incremental decoder keeps back the bytes of a character the cut
    split, unless the prefix is the whole poem: then they are invalid, and
    read as U+FFFD like any other. Where even "replace" gives up (UTF-16
    without a byte-order mark, cut in a unit), :func:`decode_poem` decides.
    """
    prefix = bytearray()
    for chunk in chunks:
        if len(prefix) >= max_bytes:
            break
        prefix += chunk[: max_bytes - len(prefix)]
    if codecs.lookup(encoding).name not in _READS_AHEAD:
        try:
            # Mostly the cut split no character and every byte is valid, and
            # one plain decode is cheaper than the incremental decoder.
            return prefix.decode(encoding)
        except UnicodeError:
            pass
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    try:
        return str(decoder.decode(bytes(prefix), final=len(prefix) >= size))
    except UnicodeError:
        return decode_poem(prefix, encoding)[0]
