"""Who and when, as the text says it: labelled lines ("Chủ trì: …", "Thời gian thực hiện: …"),
labels inside a sentence, and the unit that is a sentence's subject ("Sở Tư pháp tổng hợp …")."""

from __future__ import annotations

import re

from bot.plan_import.units import fold, split_units

# --- labels ------------------------------------------------------------------------------------

_LABELS = [
    ("support", r"(?:co quan|don vi|cac co quan|cac don vi)?\s*(?:phoi hop(?: thuc hien)?|cung phoi hop)"),
    ("lead", r"(?:co quan|don vi|cac co quan|cac don vi)?\s*(?:tham muu(?: thuc hien)?|chu tri(?:,? tham muu)?(?: thuc hien)?)"
             r"|(?:co quan|don vi|bo phan)\s*(?:/\s*don vi\s*)?(?:thuc hien|chiu trach nhiem|phu trach|tham muu|chu tri)"
             r"|trach nhiem thuc hien|thuc hien|phu trach|chiu trach nhiem"),
    ("due", r"thoi (?:gian|han)(?: thuc hien| hoan thanh| trien khai)?|han hoan thanh|tien do(?: thuc hien)?|thoi diem"),
    ("content", r"noi dung(?: thuc hien)?|nhiem vu"),
    ("note", r"ket qua(?: dau ra)?|san pham(?: dau ra)?|kinh phi|ghi chu|muc tieu|yeu cau|nguon kinh phi|chi tieu|"
             r"(?:hinh thuc|phuong thuc|dia diem|thanh phan|khach moi|so luong|doi tuong)(?: [^:]{1,40})?"),
]
# labels that describe an event or a task ("Địa điểm: …", "Thành phần: …"), never a task themselves
NOTE_KINDS = frozenset({"note", "content"})
_LABEL_RE = [(k, re.compile(rf"(?:{p})\s*[:：]\s*")) for k, p in _LABELS]  # used with .match


# another label further on the same line: "Chủ trì: A; phối hợp: B", "Chủ trì: A. Thời gian: …"
_NEXT_LABEL = re.compile(r"[;.]\s*(?=(?:%s)\s*[:：])" % "|".join(p for k, p in _LABELS if k in ("lead", "support", "due")))


def labels_of(text: str) -> list[tuple[str, str]]:
    """The labels of a labelled line, in order: "Chủ trì: A; phối hợp: B" -> [("lead", "A"),
    ("support", "B")]; [] when the line starts with no label."""
    f = fold(text)
    out: list[tuple[str, str]] = []
    pos = 0
    while True:
        found = None
        for kind, pat in _LABEL_RE:
            m = pat.match(f, pos)
            if m:
                found = kind, m.end()
                break
        if found is None:
            return out
        kind, start = found
        nxt = _NEXT_LABEL.search(f, start)
        end = nxt.start() if nxt else len(f)
        out.append((kind, text[start:end].strip(" .;")))
        if nxt is None:
            return out
        pos = nxt.end()


def label_of(text: str) -> tuple[str, str] | None:
    """The first label of a labelled line (see `labels_of`)."""
    found = labels_of(text)
    return found[0] if found else None


INLINE = re.compile(
    r"[(\[;,.]?\s*(?P<k>(?:co quan |don vi )?(?:chu tri|tham muu|phoi hop|thuc hien)|thoi gian(?: thuc hien| hoan thanh)?|"
    r"thoi han)\s*:\s*(?P<v>[^();\]]+)[)\]]?")



VERBS = re.compile(
    r"\b(?:xay dung|tong hop|tham muu|chu tri|phoi hop|gui|bao cao|to chuc|trien khai|thuc hien|hoan thien|hoan thanh|"
    r"chu dong|huong dan|ra soat|kiem tra|co trach nhiem|can cu|theo doi|ban hanh|don doc|nop|tien hanh|de xuat|"
    r"cap nhat|tham gia|tuyen truyen|quan triet|lanh dao|chi dao|nghien cuu|danh gia|so ket|tong ket|phat dong|"
    r"cung co|kien toan|giam sat|tiep nhan|xu ly|bao dam|dam bao|tang cuong|day manh|phan cong|chuan bi|bien soan|"
    r"tiep tuc|duy tri|phat huy|lam tot|thong bao|cung cap|tap hop|bo tri|trinh|ky|xem xet|thuc thi|"
    r"hop(?! tac| dong| le| nhat| phap| ly)|trao doi|du kien|trieu tap|xac minh|tra loi|khan truong|"
    r"lap (?:danh sach|ke hoach|du toan|bien ban|ho so))\b")
UNIT_HEAD = re.compile(
    r"^(?:cac|nhung)\s+(?:co so|don vi|so|ban|nganh|phong|co quan|dia phuong|xa|phuong|huyen|quan|thanh vien|to|"
    r"chi bo|dang bo|cap uy|to chuc chinh tri|doan the|hoi|truong|ubnd|uy ban|dong chi|tinh uy|thanh uy|huyen uy|"
    r"quan uy|dang uy|ban chi dao|bo|to cong tac)\b"
    r"|^(?:ban|so|phong|uy ban|ubnd|van phong|to cong tac|to thu ky|dang uy|dang doan|cong an|bo chi huy|cuc|"
    r"chi cuc|trung tam|mat tran|mttq|thuong truc|thanh doan|huyen doan|lien doan|bao|dai (?!dien|bieu|hoi)|vien|"
    r"kho bac|"
    r"quan uy|huyen uy|thanh uy|tinh uy|thi uy|hoi (?:nong dan|phu nu|cuu chien binh|lien hiep)|doan thanh nien|"
    r"bo|tong cuc|hdnd|hoi dong|thuong vu|truong ban|truong thon|truong khu|to truong|bi thu|chu tich|"
    r"pho chu tich|giam doc|chanh van phong)\b")
NOT_UNIT = re.compile(r"^(?:ban hanh|bao cao|bao dam|hoi nghi|to chuc|so ket|dai hoi|cac noi dung|cac van ban|"
                       r"bo (?:sung|tri|nhiem)|"  # "Bổ sung …", "Bố trí …": verbs that fold like "Bộ"
                       r"cac hoat dong|cac chuong trinh|cac ke hoach|cac nhiem vu|cac giai phap|cac bien phap)\b")
# "Các nội dung hỗ trợ gồm:", "Cụ thể như sau:": a list of what the task above covers
CONTENT_LIST = re.compile(r"^(?:cac |nhung )?(?:noi dung|cu the|bao gom|gom|trong do)\b.*:$|\b(?:bao gom|gom|nhu sau)\s*:$")
REPORT = re.compile(r"\b(?:bao cao|gui|nop)\b")


# what may come before a sentence's subject: "Nội dung: …", "Từ ngày 04/02/2026: …", "Đề nghị …"
_LEAD_IN = re.compile(r"^(?:[^:]{1,40}:\s+|(?:de nghi|yeu cau|giao(?: cho)?)\s+)")


def lead_in_end(folded: str) -> int:
    """Where a sentence starts after its lead-in ("Nội dung: ", "Đề nghị "); 0 without one."""
    m = _LEAD_IN.match(folded)
    return m.end() if m and not UNIT_HEAD.match(folded) else 0


_CLAUSE_FIRST = re.compile(r"^(?:can cu|sau khi|tren co so|truoc khi|theo (?:quy dinh|huong dan|ke hoach))\b")


def subject_unit(text: str) -> str | None:
    """"Ban Dân vận Quận ủy tổng hợp, …" -> "Ban Dân vận Quận ủy" (a sentence's subject); after
    clauses that open a sentence ("Căn cứ …, sau khi …, Thường trực HĐND các cấp dự kiến …")."""
    if _CLAUSE_FIRST.match(fold(text)):
        for comma in re.finditer(r",\s+", text[:600]):  # (in the text: folding may move positions)
            rest = text[comma.end():]
            if not _CLAUSE_FIRST.match(fold(rest)) and (found := _subject(rest)):
                return found
        return None
    return _subject(text)


def _subject(text: str) -> str | None:
    f = fold(text)
    start = lead_in_end(f)
    text, f = text[start:], f[start:]
    if not UNIT_HEAD.match(f) or NOT_UNIT.match(f):
        return None
    m = VERBS.search(f)
    # (a verb at 3 follows a word of two letters: the one-word check below refuses it too)
    if not m or m.start() < 3:  # pragma: no mutate - "< 4"/"<= 3" only move that case to the check below
        return None
    subject = text[:m.start()].strip(" ,;:-")
    n = len(subject.split())
    if n < 2 or n > 14 or re.search(r"[.:;(]", subject):
        return None
    return subject


_ASSIGNED = re.compile(r"\bgiao(?: cho)? (?P<u>.{3,150}?)(?:,? (?:chu tri|thuc hien|tham muu|phu trach|lam dau moi|"
                       r"theo doi|huong dan|xay dung|to chuc|trien khai))\b")
_WITH = re.compile(r"\bphoi hop(?: chat che)?(?: voi)? (?P<u>.{3,200}?)(?=,? (?:%s)|[.;:(]|$)" % VERBS.pattern[5:-3])


def assigned_units(text: str) -> tuple[str | None, str | None]:
    """Units named inside a sentence: "giao Sở X chủ trì, phối hợp với Y và Z thực hiện …" ->
    ("Sở X", "Y và Z"); either may be None."""
    f = fold(text)
    lead = support = None
    m = _ASSIGNED.search(f)
    if m and UNIT_HEAD.match(m["u"]):
        lead = text[m.start("u"):m.end("u")]
    w = _WITH.search(f)
    if w and (UNIT_HEAD.match(w["u"]) or _is_association(text[w.start("u"):])):
        support = text[w.start("u"):w.end("u")]
    return lead, support


# "Hội Nữ Chiến sĩ …", "Hội Cựu giáo chức …": "Hội" before a proper name is an association
# ("hội nghị", "hội thi" are events, written in lower case)
def _is_association(text: str) -> bool:
    m = re.match(r"Hội\s+(\w)", text)
    return bool(m) and m[1].isupper()


_RUN_ON = re.compile(r"(?<!, )\b(?:tien hanh|co trach nhiem|chiu trach nhiem|to chuc|thuc hien|ra soat|tong hop|gui|"
                     r"bao cao|theo doi|huong dan|xay dung|tham muu|de)\b")
# "Trung tâm Dịch vụ tổng hợp", "Phòng Tổng hợp": "tổng hợp" names the body there, it is no verb
_NAMING = re.compile(r"\b(?:dich vu|phong|van phong|bo phan|to)\s*$")


def cut_at_verb(value: str) -> str:
    """A label value that runs on into a sentence: keep the units before the verb."""
    f = fold(value)
    # (not after a comma: "các cơ quan, tổ chức, cá nhân" lists bodies, "tổ chức" is no verb there)
    m = next((m for m in _RUN_ON.finditer(f) if not (m[0] == "tong hop" and _NAMING.search(f, 0, m.start()))), None)
    if m and m.start() > 3:
        value = value[:m.start()]
    value = re.split(r"\.\s|\s\(", value)[0]
    # "Các sở, ngành có liên quan theo chức năng, nhiệm vụ được giao": the units, not their remit
    m = re.search(r"\s+theo (?:quy dinh|chuc nang|nhiem vu|tham quyen|phan cap|linh vuc)\b", fold(value))
    if m and m.start() > 3:
        value = value[:m.start()]
    return value


def units_in(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        for u in split_units(cut_at_verb(v)):
            if u not in out and len(u) <= 120:
                out.append(u)
    return out

