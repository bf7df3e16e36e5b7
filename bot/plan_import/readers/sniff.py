"""What a file really is, from its first bytes (and its zip directory), whatever its name
says; anything that is not a programme format is refused with what to send instead."""

from __future__ import annotations

import io
import zipfile

from bot import texts
from bot.plan_import.readers.errors import ACCEPTED, MAX_UNZIPPED, MAX_ZIP_RATIO, PlanReadError, not_real_office

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_OLD_FORMATS = {"doc", "xls", "rtf", "odt", "ods", "ppt", "wps"}
_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "tif", "tiff", "bmp", "webp", "heic", "heif"}
_TEXT_EXTENSIONS = {"txt", "md", "text", "markdown"}
_LARGE_PART = 1024 * 1024


def sniff(data: bytes, ext: str, name: str) -> str:
    """"docx", "xlsx", "pdf", "csv" or "text"; PlanReadError for anything else."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _sniff_zip(data, ext, name)
    if data.startswith(_OLE):
        if _ENCRYPTED_STREAM in data:
            raise PlanReadError(texts.READ_PASSWORD, name)
        raise PlanReadError(texts.READ_OLD_OFFICE, name)
    if data[:1024].lstrip().startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"{\\rtf"):
        raise PlanReadError(texts.READ_RTF, name)
    if data.startswith(_IMAGES) or data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1") or \
            (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        raise PlanReadError(texts.READ_IMAGE, name)
    if ext in ("docx", "xlsx", "pdf"):
        if ext == "pdf":
            raise PlanReadError(texts.READ_NOT_REAL_OFFICE.format(what="PDF"), name)
        raise PlanReadError(not_real_office(ext), name)
    if ext == "csv":
        return "csv"
    if ext in _TEXT_EXTENSIONS:
        return "text"
    if ext in _IMAGE_EXTENSIONS:
        raise PlanReadError(texts.READ_IMAGE, name)
    if ext in _OLD_FORMATS:
        raise PlanReadError(texts.READ_OLD_FORMAT.format(ext=ext), name)
    if ext:
        raise PlanReadError(texts.READ_UNSUPPORTED.format(what=f"định dạng .{ext}"), name)
    return "text"  # no name: try it as text (binary junk is refused there)


def _sniff_zip(data: bytes, ext: str, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            _check_sizes(infos, name)
            if "EncryptedPackage" in names or any(i.flag_bits & 0x1 for i in infos):
                raise PlanReadError(texts.READ_PASSWORD, name)
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError,
            NotImplementedError, RuntimeError):
        if ext in ("docx", "xlsx"):
            raise PlanReadError(not_real_office(ext), name) from None
        raise PlanReadError(texts.READ_ZIP_DAMAGED, name) from None
    if b"opendocument" in mimetype:
        raise PlanReadError(texts.READ_OPENDOCUMENT, name)
    if ext in ("docx", "xlsx"):
        raise PlanReadError(not_real_office(ext), name)
    raise PlanReadError(texts.READ_ZIP_NOT_PLAN, name)


def _check_sizes(infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse a zip bomb before anything is unpacked: the declared sizes bound what zipfile
    will ever return, so their sum and each part's packing ratio are checked up front."""
    total = sum(i.file_size for i in infos)
    bomb = any(i.file_size > _LARGE_PART and i.file_size > MAX_ZIP_RATIO * max(1, i.compress_size) for i in infos)
    if total > MAX_UNZIPPED or bomb:
        raise PlanReadError(texts.READ_UNZIPPED_TOO_BIG.format(limit=MAX_UNZIPPED // 1024 // 1024), name)


__all__ = ["sniff", "ACCEPTED"]
