"""Files: what users upload, what the bot sends, getFile and the file download endpoint."""

from __future__ import annotations

import hashlib
import mimetypes
import random
import struct
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.sandbox.model import bad, over_limit
from bot.sandbox.rules import DOWNLOAD_LIMIT, PHOTO_RATIO, PHOTO_SIDES_SUM, UPLOAD_DOCUMENT_LIMIT, UPLOAD_PHOTO_LIMIT

@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None
    mime_type: str | None
    kind: str  # "document" | "photo"
    width: int = 0
    height: int = 0

    def document(self) -> dict:
        d = {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.content)}
        if self.file_name:
            d["file_name"] = self.file_name
        if self.mime_type:
            d["mime_type"] = self.mime_type
        return d

    def photo(self) -> list[dict]:
        return [{"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.content),
                 "width": self.width, "height": self.height}]


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG/GIF/JPEG, (0, 0) if unknown."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:2] == b"\xff\xd8":
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                length = struct.unpack(">H", data[i + 2:i + 4])[0]
                if marker in (0xC0, 0xC1, 0xC2):
                    h, w = struct.unpack(">HH", data[i + 5:i + 9])
                    return w, h
                i += 2 + length
    except struct.error:
        pass
    return 0, 0


class FilesMixin:
    """Stored files, uploads in Bot API requests, getFile and /file/bot<token>/<path>."""

    def _new_file(self, content: bytes, file_name: str | None, mime_type: str | None, kind: str) -> StoredFile:
        n = next(self._file_seq)
        uniq = hashlib.sha256(content).hexdigest()[:16]
        prefix = "BQAC" if kind == "document" else "AgAC"
        file_id = f"{prefix}{n:06d}{uniq}{random.getrandbits(32):08x}"
        if kind == "photo":
            ext = ".png" if content[:4] == b"\x89PNG" else ".jpg"
            path = f"photos/file_{n}{ext}"
        else:
            ext = Path(file_name or "").suffix
            path = f"documents/file_{n}{ext}"
        w, h = _image_size(content) if kind == "photo" else (0, 0)
        f = StoredFile(file_id, uniq, path, content, file_name, mime_type, kind, w or 1, h or 1)
        self._files[file_id] = f
        return f

    def _input_file(self, params: dict, files: dict, name: str, kind: str) -> StoredFile:
        value = params.get(name)
        upload = None
        if name in files:
            upload = files[name]
        elif isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            upload = files[value[9:]]
        if upload is not None:
            fname, content, ctype = upload
            if not content:
                raise bad("file must be non-empty")
            if self.rules.file_limits:
                _check_upload(content, kind)
            if kind == "photo":
                return self._new_file(content, None, None, "photo")
            mime = ctype if ctype and ctype != "application/octet-stream" else None
            mime = mime or mimetypes.guess_type(fname or "")[0] or "application/octet-stream"
            return self._new_file(content, fname or "file", mime, "document")
        if isinstance(value, str) and value:
            f = self._files.get(value)
            if f is None:
                raise bad("wrong file identifier/HTTP URL specified")
            if kind == "photo" and f.kind != "photo":
                raise bad("can't use file of type Document as Photo")
            return f
        raise bad(f"there is no {name} in the request")

    async def _m_getFile(self, params, files, call):
        f = self._files.get(str(params.get("file_id", "")))
        if f is None:
            raise bad("invalid file_id")
        if self.rules.file_limits and len(f.content) > DOWNLOAD_LIMIT:
            raise over_limit("file is too big")
        return {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": len(f.content),
                "file_path": f.file_path}

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        path = request.match_info["path"]
        for f in self._files.values():
            if f.file_path == path:
                return web.Response(body=f.content, content_type=f.mime_type or "application/octet-stream")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    def file_content(self, file_id: str) -> bytes:
        return self._files[file_id].content


def _check_upload(content: bytes, kind: str) -> None:
    """Telegram's upload limits: documents 50 MB (the HTTP front answers 413), photos 10 MB and at most
    10000 pixels of width + height with a side ratio of at most 20."""
    if kind == "photo":
        if len(content) > UPLOAD_PHOTO_LIMIT:
            raise over_limit("file is too big")
        w, h = _image_size(content)
        if w and h and (w + h > PHOTO_SIDES_SUM or max(w, h) / min(w, h) > PHOTO_RATIO):
            raise over_limit("PHOTO_INVALID_DIMENSIONS")
    elif len(content) > UPLOAD_DOCUMENT_LIMIT:
        raise over_limit("Request Entity Too Large", 413)
