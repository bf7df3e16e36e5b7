"""Files built to hurt a reader, as measured in issue 10 — each one (name, bytes). The
benchmark (`dondoc bench import --hostile`) and the tests feed them to the isolated reader:
every one must be read or refused within the budget, and the bot must go on answering."""

from __future__ import annotations

import io
import zipfile
import zlib

_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  b'<Default Extension="xml" ContentType="application/xml"/>'
                  b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  b'wordprocessingml.document.main+xml"/>'
                  b'<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  b'wordprocessingml.numbering+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         b'officeDocument" Target="word/document.xml"/></Relationships>')
_DOC_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
             b'numbering" Target="numbering.xml"/></Relationships>')
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body: bytes, numbering: bytes | None = None, prolog: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/_rels/document.xml.rels", _DOC_RELS if numbering else _DOC_RELS.replace(
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'numbering" Target="numbering.xml"/>', b""))
        zf.writestr("word/document.xml", prolog + b"<w:document " + _W + b"><w:body>" + body + b"</w:body></w:document>")
        if numbering:
            zf.writestr("word/numbering.xml", numbering)
    return buf.getvalue()


def _par(text: str, num: bool = False) -> bytes:
    ppr = b'<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>' if num else b""
    return b"<w:p>" + ppr + b"<w:r><w:t>" + text.encode() + b"</w:t></w:r></w:p>"


def zip_bomb_docx(unzipped_mb: int = 60) -> bytes:
    """A few hundred KB that unzip to tens of MB of paragraphs."""
    one = _par("Tổ chức hội nghị triển khai nhiệm vụ năm 2025, chủ trì: Văn phòng.")
    return _docx(one * (unzipped_mb * 1024 * 1024 // len(one)))


def huge_numbering_docx(start: int = 2_000_000_000, items: int = 40) -> bytes:
    """A list numbered in letters from two billion: "a" repeated ~77 million times each."""
    numbering = (b"<w:numbering " + _W + b"><w:abstractNum w:abstractNumId=\"0\"><w:lvl w:ilvl=\"0\">"
                 b"<w:start w:val=\"" + str(start).encode() + b"\"/><w:numFmt w:val=\"lowerLetter\"/>"
                 b"<w:lvlText w:val=\"%1)\"/></w:lvl></w:abstractNum>"
                 b"<w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num></w:numbering>")
    body = _par("KẾ HOẠCH CÔNG TÁC NĂM 2025") + b"".join(
        _par(f"Nhiệm vụ số {i}, hoàn thành trước ngày 30/6/2025", num=True) for i in range(items))
    return _docx(body, numbering)


def entity_bomb_docx() -> bytes:
    """"Billion laughs": entities that expand to gigabytes if the XML parser resolves them."""
    prolog = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">'
              + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 20}">'.encode() for i in range(8))
              + b"]>")
    return _docx(b"<w:p><w:r><w:t>&i;</w:t></w:r></w:p>", prolog=prolog)


def long_text_plan(kb: int = 162) -> bytes:
    """A text plan of `kb` KB: many sections of numbered tasks with labels."""
    out = ["KẾ HOẠCH CÔNG TÁC NĂM 2025", ""]
    i = 0
    while sum(len(s) + 1 for s in out) < kb * 1024 // 1.3:  # Vietnamese letters take 2-3 bytes
        i += 1
        out += [f"{i}. Tổ chức kiểm tra, đôn đốc việc thực hiện nhiệm vụ số {i} tại các cơ sở trên địa bàn", "",
                "- Chủ trì: Văn phòng Ủy ban nhân dân", "", f"- Thời gian: trước ngày {1 + i % 28}/{1 + i % 12}/2025", ""]
    return "\n".join(out).encode()


def continuation_lines(n: int = 8000) -> bytes:
    """One task whose text is hard-wrapped over `n` lines."""
    lines = ["KẾ HOẠCH NĂM 2025", "1. Tổ chức thực hiện"] + ["các nội dung của kế hoạch và báo cáo kết quả"] * n
    return "\n".join(lines).encode()


def same_number_items(n: int = 8000) -> bytes:
    """`n` items all numbered "1." (a list pasted from several sources)."""
    return "\n".join(["KẾ HOẠCH NĂM 2025"] + [f"1. Nhiệm vụ thứ {i}, hoàn thành trong quý II" for i in range(n)]).encode()


def long_unit_name(chars: int = 30_000) -> bytes:
    return ("KẾ HOẠCH NĂM 2025\n1. Tổ chức hội nghị\n- Chủ trì: " + "Ban " * (chars // 4) + "\n").encode()


def pdf_stream_bomb(unzipped_mb: int = 200) -> bytes:
    """A one-page PDF whose content stream inflates to hundreds of MB of text operators."""
    op = b"BT /F1 12 Tf 72 700 Td (Nhiem vu) Tj ET\n"
    stream = zlib.compress(op * (unzipped_mb * 1024 * 1024 // len(op)), 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n" + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def hostile_files() -> list[tuple[str, bytes]]:
    return [
        ("zip_bomb.docx", zip_bomb_docx()),
        ("numbering_2e9.docx", huge_numbering_docx()),
        ("entity_bomb.docx", entity_bomb_docx()),
        ("long_plan_162kb.txt", long_text_plan()),
        ("continuation_8000.txt", continuation_lines()),
        ("numbered_1_x8000.txt", same_number_items()),
        ("unit_name_30000.txt", long_unit_name()),
        ("stream_bomb.pdf", pdf_stream_bomb()),
    ]
