"""Unit names: normalisation for display, keys for matching, matching to the directory."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

# old-style tone placement ("uỷ", "hoà") → the new style ("ủy", "hòa"): the tone mark moves
# from the second vowel of oa/oe/uy to the first... in practice the common pairs below.
_TONE_PAIRS = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
_TONE_RE = re.compile("|".join(map(re.escape, _TONE_PAIRS)), re.IGNORECASE)
_TRAIL = " \t.,;:!?-–—*_\"'“”()[]"


def _new_tone(m: re.Match) -> str:
    s = m.group(0)
    rep = _TONE_PAIRS[s.lower()]
    return rep.upper() if s.isupper() else (rep[0].upper() + rep[1:] if s[0].isupper() else rep)


def fold(text: str) -> str:
    """No diacritics, đ→d, casefolded."""
    s = unicodedata.normalize("NFKD", text or "").replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


def normalize_unit_name(name: str) -> str:
    s = unicodedata.normalize("NFC", name or "")
    # "quy" and "gia" keep their u/i as a consonant part: uỳ after q is not a diphthong shift
    # only where the pair ends the syllable: "hoà"→"hòa", but "hoạch" keeps its mark
    s = re.sub(r"(?i)(?<![qQ])(?:" + _TONE_RE.pattern + r")(?!\w)", _new_tone, s)
    s = re.sub(r"\s+", " ", s).strip().strip(_TRAIL).strip()
    if s[:1].islower():
        s = s[0].upper() + s[1:]
    return s


def unit_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", fold(normalize_unit_name(name))).strip()


def match_units(names: Iterable[str], directory: Mapping[str, Iterable[str]]) -> tuple[dict[str, str], list[str]]:
    """Map names as written to canonical directory names; return (matches, unknown names)."""
    keys: dict[str, str] = {}
    for canon, aliases in directory.items():
        keys.setdefault(unit_key(canon), canon)
        for a in aliases:
            keys.setdefault(unit_key(a), canon)
    matched: dict[str, str] = {}
    unknown: list[str] = []
    for name in names:
        k = unit_key(name)
        if not k:
            continue
        if k in keys:
            matched[name] = keys[k]
            continue
        cands = {c for dk, c in keys.items() if len(dk) >= 4 and (dk in k or k in dk)}
        if len(cands) == 1:
            matched[name] = cands.pop()
        elif name not in unknown:
            unknown.append(name)
    return matched, unknown


# Group names that hold commas themselves: never split inside them.
_COMMA_GROUPS = [
    "xã, phường, thị trấn", "xã, phường, đặc khu", "xã, phường", "tỉnh, thành phố", "quận, huyện",
    "huyện, thị xã, thành phố", "quận, huyện, thị xã", "sở, ban, ngành", "sở, ngành",
    "ban, ngành", "ban, bộ, ngành", "bộ, ngành", "cơ quan, đơn vị", "cơ quan, tổ chức, đơn vị",
    "cơ quan, đơn vị, địa phương", "đơn vị, địa phương", "cơ quan, đơn vị", "ban, sở, ngành",
    "mặt trận tổ quốc và các đoàn thể", "đoàn thể chính trị - xã hội", "ấp, khu phố",
    "thôn, tổ dân phố", "thôn, bản, tổ dân phố", "thôn, xóm", "tỉnh ủy, thành ủy", "ban, ngành, đoàn thể",
    "sở, ban, ngành, đoàn thể", "cơ quan, tổ chức", "cơ quan, tổ chức, cá nhân", "tổ chức, cá nhân",
    "cơ quan, đơn vị, địa phương, doanh nghiệp", "hđnd và ubnd", "hđnd & ubnd", "hội đồng nhân dân và ủy ban nhân dân",
]


def _protect(text: str) -> tuple[str, dict[str, str]]:
    keep: dict[str, str] = {}
    out = text
    for i, g in enumerate(sorted(set(_COMMA_GROUPS), key=len, reverse=True)):
        pat = re.compile(re.escape(g).replace(r"\ ", r"\s+").replace(",", r"\s*,"), re.IGNORECASE)

        def sub(m: re.Match, i=i) -> str:
            token = f"\x00{len(keep)}\x00"
            keep[token] = m.group(0)
            return token

        out = pat.sub(sub, out)
    return out, keep


# ("xã hội" is society, not a commune: "Phòng Văn hóa - Xã hội" is one unit; "mọi" starts a
# group of bodies, "môi trường" does not: "Bộ Tài nguyên và Môi trường" is one)
_HEAD = re.compile(
    r"^(?:cac|nhung|moi(?! truong)|so|ban|phong|uy ban|ubnd|hdnd|van phong|to|dang uy|dang doan|dang bo|chi bo|cong an|bo|cuc|"
    r"chi cuc|tong cuc|trung tam|mat tran|mttq|uy ban mttq|thuong truc|thuong vu|thanh doan|huyen doan|tinh doan|"
    r"doan|lien doan|hoi|bao|dai|vien|kho bac|ngan hang|benh vien|truong|quan uy|huyen uy|thanh uy|tinh uy|thi uy|"
    r"cap uy|thanh vien|toa an|thanh tra|ban chi dao|bcd|bch|bchq|btv|chinh quyen|lanh dao|chu tich|pho chu tich|"
    r"giam doc|thu truong|nguoi dung dau|cong ty|tong cong ty|doanh nghiep|hop tac xa|huyen|quan|xa(?! hoi)|phuong|tinh|"
    r"thanh pho|thi xa|thi tran|khoi|ky|cong doan|co quan|don vi|dia phuong|to chuc|bo chi huy|vp|ttyt|mt)\b")


_ADMIN = r"(?:xa|phuong|thi tran|thi xa|huyen|quan|thanh pho|tinh|dac khu|ap|thon|ban|to dan pho|khu pho|xom)"
_ADMIN_END = re.compile(rf"\b(?:cac|moi)\s+{_ADMIN}$")  # "các xã, thị trấn": one group of places
_ADMIN_START = re.compile(rf"^{_ADMIN}\b")


# an organisation known by its initials and a place: "VNPT An Lạc", "EVN Hà Giang" (initials
# before a lowercase word are part of a name: "Trung tâm Văn hóa, TDTT huyện")
_ORG_INITIALS = re.compile(r"[A-ZĐ]{2,}(?:\s+[A-ZĐ][^\W\d_]*)+\s*$")


def _is_unit_start(text: str) -> bool:
    return bool(_HEAD.match(fold(text).strip()) or _ORG_INITIALS.match(text.strip()))


_NUMBERED = re.compile(r"(?i)\bsố\s*(\d+(?:\s*(?:,|và|&)\s*\d+)+)\b")


def _expand_numbers(s: str) -> str:
    """"Tổ công tác số 1, 2 và 3" -> "Tổ công tác số 1 ; Tổ công tác số 2 ; Tổ công tác số 3".
    The name is what precedes "số" back to the last comma or semicolon (found by looking
    back from each match, so a long name is read once)."""
    out: list[str] = []
    last = 0
    for m in _NUMBERED.finditer(s):
        start = max(last, s.rfind(",", 0, m.start()) + 1, s.rfind(";", 0, m.start()) + 1)
        name = (s[start:m.start()] + s[m.start():m.start(1)]).strip()
        name = re.sub(r"\s+$", "", name)
        out.append(s[last:start])
        out.append(" ; ".join(f"{name} {n}" for n in re.findall(r"\d+", m.group(1))))
        last = m.end()
    out.append(s[last:])
    return "".join(out)


def split_units(text: str) -> list[str]:
    """Split "A, B và C; D" into unit names. A comma or "và" separates two units only when
    what follows starts like a unit ("Sở …", "Ban …", "các xã …"): "Sở Văn hóa, Thể thao và
    Du lịch" and "xã, phường, thị trấn" stay whole. "Tổ công tác số 1, 2, 3" becomes three
    units. Names are normalised."""
    if not text or not text.strip():
        return []
    s = unicodedata.normalize("NFC", text)
    s = re.sub(r"\s+", " ", s).strip().strip(_TRAIL)
    s = _expand_numbers(s)
    s, keep = _protect(s)
    out: list[str] = []
    chunks: list[str] = []
    for k, chunk in enumerate(re.split(r"\s*(;|\n|\s\+\s|\s-\s)\s*", s)):
        if k % 2:
            sep = chunk
        elif chunks and sep.strip() == "-" and not _is_unit_start(_restore(chunk, keep)):
            chunks[-1] += " - " + chunk  # "Phòng Tài chính - Kế hoạch": one name
        else:
            chunks.append(chunk)
    for chunk in chunks:
        pieces = re.split(r"(\s*,\s*|\s+và\s+|\s+cùng\s+|\s*&\s*)", chunk)
        names: list[str] = []
        i = 0
        while i < len(pieces):
            piece = pieces[i]
            if i and names and (not _is_unit_start(_restore(piece, keep))
                                or _ADMIN_END.search(fold(names[-1])) and _ADMIN_START.match(fold(piece.strip()))):
                names[-1] += pieces[i - 1] + piece  # "Sở Văn hóa, Thể thao và Du lịch"
            elif piece.strip():
                names.append(piece)
            i += 2
        for n in names:
            name = normalize_unit_name(_restore(n, keep))
            if name and re.search(r"[^\W\d_]", name) and name not in out:
                out.append(name)
    return out


# Two units run together without a comma ("Trung tâm Dịch vụ tổng hợp Đoàn Thanh niên xã"): a
# capitalised unit head inside a name. Bodies that never name another body's part start a new
# unit wherever they are; a parent body ("Công an", "UBND", "Ban") does so only after a name
# ending in its place ("… xã Công an xã"), since "Phòng PC06 Công an tỉnh" is one unit.
_CHILD_HEAD = re.compile(r"(?:doan thanh nien|doan tn|huyen doan|tinh doan|hoi (?:nong dan|phu nu|lien hiep|"
                         r"cuu chien binh|chu thap do|nguoi cao tuoi|khuyen hoc)|trung tam|phong|kho bac|"
                         r"benh vien|van phong)\b")
_PARENT_HEAD = re.compile(r"(?:cong an|so|ban|uy ban|ubnd|bo chi huy|ban chi huy)\b")
# what a part of a body is named by: "Văn phòng UBND", "Thường trực Ban Chỉ đạo", "Lãnh đạo Sở"
_CONTAINER = re.compile(r"^(?:van phong|thuong truc|lanh dao|chu tich|pho chu tich|giam doc|pho giam doc|"
                        r"truong|pho truong|thu truong|to giup viec|co quan thuong truc|thanh tra|bo phan|"
                        r"ban thuong truc|ban thuong vu|thuong vu|(?:van phong )?co quan)$")
_CONNECTOR_END = re.compile(r"\b(?:cua|thuoc|truc thuoc|tai|voi|va|cung|-)$")
_PLACE_END = re.compile(rf"(?<!\bco )\b{_ADMIN}$")  # ("cơ quan" is no "quận")


def looks_run_together(name: str) -> bool:
    """Whether a unit name looks like two units written without a comma between them."""
    words = name.split()
    for i in range(1, len(words)):
        if not words[i][:1].isupper():
            continue
        rest = fold(" ".join(words[i:]))
        child, parent = _CHILD_HEAD.match(rest), _PARENT_HEAD.match(rest)
        if not (child or parent):
            continue
        before = fold(" ".join(words[:i])).strip(" ,")
        if not _HEAD.match(before) or _CONTAINER.match(before) or _CONNECTOR_END.search(before):
            continue
        if child or _PLACE_END.search(before):
            return True
    return False


def _restore(s: str, keep: dict[str, str]) -> str:
    for token, orig in keep.items():
        s = s.replace(token, orig)
    return s
