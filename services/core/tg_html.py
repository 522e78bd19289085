"""Telegram's message limits and its HTML parse mode, without Telegram: check a text, measure it, split it.

Telegram counts a message's length after entity parsing (the visible text) in UTF-16 code units: 4,096 for a
message, 1,024 for a caption; callback data is at most 64 bytes. Its HTML mode knows a fixed set of tags, wants
them balanced and `<`, `>`, `&` escaped. `visible_text` answers as Telegram would (an `HtmlError` when it would
refuse), and `split_html` cuts a long text at section, then line, then word boundaries into parts that are each
valid HTML (open tags are closed at the cut and opened again in the next part).
"""

import re
from dataclasses import dataclass

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_BYTES = 64
ALLOWED_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
    "blockquote", "tg-emoji",
})
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|[<>&]")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlError(ValueError):
    """Text Telegram's HTML parse mode would refuse ("can't parse entities")."""


@dataclass(frozen=True)
class _Token:
    """One piece of an HTML text: a tag (open or close), or text that shows `shown` characters."""

    raw: str
    shown: str = ""
    tag: str | None = None
    closing: bool = False


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _tokens(text: str) -> list[_Token]:
    """Tokenise HTML as Telegram reads it; raise HtmlError on what it cannot parse."""
    out: list[_Token] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        if match.start() > pos:
            out.append(_Token(text[pos:match.start()], shown=text[pos:match.start()]))
        pos = match.end()
        raw = match.group(0)
        if match.group(2):
            name = match.group(2).lower()
            if name not in ALLOWED_TAGS:
                raise HtmlError(f"Unsupported start tag \"{name}\" at byte offset {len(text[:match.start()].encode())}")
            out.append(_Token(raw, tag=name, closing=bool(match.group(1))))
        elif match.group(4):
            entity = match.group(4)
            char = _NAMED.get(entity) or chr(int(entity[2:], 16) if entity[1:2] == "x" else int(entity[1:]))
            out.append(_Token(raw, shown=char))
        else:
            offset = len(text[:match.start()].encode())
            raise HtmlError(f"Unescaped {raw!r} at byte offset {offset}: use &lt;, &gt; or &amp;")
    if pos < len(text):
        out.append(_Token(text[pos:], shown=text[pos:]))
    return out


def visible_text(text: str) -> str:
    """The text a reader sees once Telegram parsed the HTML; raise HtmlError where Telegram would refuse it."""
    stack: list[str] = []
    shown: list[str] = []
    for token in _tokens(text):
        if token.tag is None:
            shown.append(token.shown)
        elif not token.closing:
            stack.append(token.tag)
        elif not stack or stack[-1] != token.tag:
            raise HtmlError(f"Can't find end tag corresponding to start tag \"{stack[-1] if stack else token.tag}\"")
        else:
            stack.pop()
    if stack:
        raise HtmlError(f"Can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return "".join(shown)


def _units(text: str) -> list[_Token]:
    """Tokens with text cut after each blank line, line break and space (the places a part may end)."""
    units: list[_Token] = []
    for token in _tokens(text):
        if token.tag is not None or len(token.raw) != len(token.shown):
            units.append(token)
            continue
        units.extend(_Token(piece, shown=piece) for piece in re.split(r"(?<=\n)(?!\n)|(?<= )", token.raw) if piece)
    return units


def _level(unit: _Token, following: _Token | None) -> int:
    """How good a cut after this unit is: 0 a section end, 1 a line end, 2 a word end, 3 none."""
    if unit.tag is not None:
        return 3
    if unit.shown.endswith("\n"):
        blank = unit.shown.endswith("\n\n") or (following is not None and following.shown.startswith("\n"))
        return 0 if blank else 1  # "\n\n" stays in one unit; a tag may sit between the two breaks
    return 2 if unit.shown.endswith(" ") else 3


def _close(units: list[_Token]) -> tuple[str, list[_Token]]:
    """Units as HTML with the tags still open closed at the end, and those open tags."""
    stack: list[_Token] = []
    for unit in units:
        if unit.tag is not None:
            if unit.closing:
                stack.pop()
            else:
                stack.append(unit)
    return "".join(u.raw for u in units) + "".join(f"</{u.tag}>" for u in reversed(stack)), stack


def _size(units: list[_Token]) -> int:
    """Visible length of units."""
    return sum(tg_len(u.shown) for u in units)


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split valid HTML into parts of at most `limit` visible characters, each valid HTML on its own."""
    if tg_len(visible_text(text)) <= limit:
        return [text]
    parts: list[str] = []
    current: list[_Token] = []
    size = 0
    queue = _units(text)
    queue.reverse()  # popped from the end
    while queue:
        unit = queue.pop()
        if size + tg_len(unit.shown) <= limit:
            current.append(unit)
            size += tg_len(unit.shown)
            continue
        cut = _best_cut(current)
        if cut == 0:  # nothing to cut at: hard-cut this text unit
            head, rest = _take(unit.shown, limit - size)
            current.append(_Token(_escape(head), shown=head))
            queue.append(_Token(_escape(rest), shown=rest))
            cut = len(current)
        else:
            queue.append(unit)
        html, stack = _close(current[:cut])
        parts.append(html)
        current = [*stack, *current[cut:]]
        size = _size(current)
    if current:
        parts.append(_close(current)[0])
    return [part for part in parts if visible_text(part).strip()]


def _best_cut(units: list[_Token]) -> int:
    """Index after the last best boundary in units (sections before lines before words); 0 if none."""
    first_text = next((i for i, u in enumerate(units) if u.shown), len(units))
    levels = [_level(u, units[i + 1] if i + 1 < len(units) else None) for i, u in enumerate(units)]
    for wanted in (0, 1, 2):
        for index in range(len(units) - 1, first_text - 1, -1):
            if levels[index] == wanted:
                return index + 1
    return 0


def _take(text: str, units: int) -> tuple[str, str]:
    """The longest head of `text` within `units` UTF-16 code units, and the rest."""
    count = 0
    for index, char in enumerate(text):
        count += tg_len(char)
        if count > units:
            return text[:index], text[index:]
    return text, ""


def _escape(text: str) -> str:
    """Escape visible text for HTML again."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate_html(text: str, limit: int) -> str:
    """The first part of `split_html`, marked with … when something was left out (for captions and edits)."""
    parts = split_html(text, limit - 2)
    return parts[0] + (" …" if len(parts) > 1 else "")
