"""Telegram's `parse_mode=HTML`: plain text + entities, strict like the real server.

Also produces a *safe* HTML rendering (canonical tags only, everything else escaped) that the
demo page may insert with innerHTML.
"""

from __future__ import annotations

import html
import re

_TAGS = {
    "b": "bold", "strong": "bold",
    "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "code": "code", "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler", "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_SAFE_OPEN = {
    "bold": "<b>", "italic": "<i>", "underline": "<u>", "strikethrough": "<s>", "code": "<code>",
    "pre": "<pre>", "spoiler": '<span class="spoiler">', "blockquote": "<blockquote>", "custom_emoji": "",
}
_SAFE_CLOSE = {
    "bold": "</b>", "italic": "</i>", "underline": "</u>", "strikethrough": "</s>", "code": "</code>",
    "pre": "</pre>", "spoiler": "</span>", "blockquote": "</blockquote>", "custom_emoji": "",
}
_ATTR_RE = re.compile(r'\s*([a-zA-Z_-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'>]+))')
_ENTITY_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);")
_KNOWN_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; str(exc) is Telegram's description tail."""


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _byte_offset(src: str, i: int) -> int:
    return len(src[:i].encode("utf-8"))


def parse_html(src: str) -> tuple[str, list[dict], str]:
    """Return (plain text, entities, safe html). Raises EntityParseError like Telegram."""
    plain: list[str] = []
    safe: list[str] = []
    entities: list[dict] = []
    stack: list[tuple[str, str, int, dict]] = []  # tag, entity type, utf16 start, extra
    pos16 = 0
    i, n = 0, len(src)

    def add_text(t: str) -> None:
        nonlocal pos16
        plain.append(t)
        safe.append(html.escape(t, quote=False))
        pos16 += utf16_len(t)

    while i < n:
        c = src[i]
        if c == "&":
            m = _ENTITY_RE.match(src, i)
            if m:
                name = m.group(1)
                if name.startswith("#"):
                    try:
                        ch = chr(int(name[2:], 16) if name[1:2] in "xX" else int(name[1:]))
                    except (ValueError, OverflowError):
                        ch = m.group(0)
                    add_text(ch)
                    i = m.end()
                    continue
                if name in _KNOWN_NAMED:
                    add_text(_KNOWN_NAMED[name])
                    i = m.end()
                    continue
            add_text("&")  # a lone '&' is tolerated by Telegram
            i += 1
            continue
        if c != "<":
            j = src.find("<", i)
            j2 = src.find("&", i)
            end = min(x for x in (j, j2, n) if x != -1)
            add_text(src[i:end])
            i = end
            continue
        # a tag
        close = src.find(">", i)
        if close == -1:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(src, i)}")
        body = src[i + 1:close]
        if body.startswith("/"):
            name = body[1:].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(src, i)}")
            tag, etype, start, extra = stack[-1]
            if name and name != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {_byte_offset(src, i)}, expected "</{tag}>", found "</{name}>"'
                )
            stack.pop()
            length = pos16 - start
            if etype == "text_link":
                safe.append("</a>" if extra.get("safe_link") else "")
            elif etype == "pre" and extra.get("merged_code"):
                safe.append("</pre>")
            elif etype == "code" and extra.get("in_pre"):
                pass
            else:
                safe.append(_SAFE_CLOSE[etype])
            if length > 0 and not (etype == "code" and extra.get("in_pre")):
                ent = {"type": etype, "offset": start, "length": length}
                if etype == "text_link":
                    ent["url"] = extra["url"]
                if etype == "pre" and extra.get("language"):
                    ent["language"] = extra["language"]
                if etype == "custom_emoji":
                    ent["custom_emoji_id"] = extra.get("emoji-id", "")
                if etype == "blockquote" and extra.get("expandable"):
                    ent["type"] = "expandable_blockquote"
                entities.append(ent)
            i = close + 1
            continue
        m = re.match(r"([a-zA-Z][a-zA-Z0-9-]*)", body)
        name = m.group(1).lower() if m else ""
        if name not in _TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, i)}')
        rest = body[m.end():]
        attrs = {a.group(1).lower(): next(g for g in a.groups()[1:] if g is not None) for a in _ATTR_RE.finditer(rest)}
        attrs = {k: html.unescape(v) for k, v in attrs.items()}
        if "expandable" in rest.split():
            attrs["expandable"] = "1"
        etype = _TAGS[name]
        extra: dict = {}
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Unsupported start tag "span" at byte offset {_byte_offset(src, i)}')
        if etype == "text_link":
            url = attrs.get("href", "")
            if not url:
                raise EntityParseError(f'Can\'t find "href" attribute of the tag "a" at byte offset {_byte_offset(src, i)}')
            extra["url"] = url
            extra["safe_link"] = url.startswith(("http://", "https://", "tg://"))
            safe.append(f'<a href="{html.escape(url)}" target="_blank" rel="noopener">' if extra["safe_link"] else "")
        elif etype == "code" and stack and stack[-1][1] == "pre":
            lang = attrs.get("class", "")
            if lang.startswith("language-"):
                stack[-1][3]["language"] = lang[len("language-"):]
            extra["in_pre"] = True
        else:
            if etype == "custom_emoji":
                extra["emoji-id"] = attrs.get("emoji-id", "")
            if etype == "blockquote" and attrs.get("expandable"):
                extra["expandable"] = True
            safe.append(_SAFE_OPEN[etype])
        stack.append((name, etype, pos16, extra))
        i = close + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(plain), entities, "".join(safe)


def plain_to_safe_html(text: str) -> str:
    return html.escape(text, quote=False)
