"""Report files kept on disk by content hash, with the original (sanitised) name kept."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path


MAX_NAME_BYTES = 200  # file systems allow 255 bytes per name; room for the ".part" of a write


def _clean(ch: str) -> str:
    """Invisible and direction-changing characters (format: U+202E, zero-width marks, BOM,
    soft hyphen; private-use, unassigned) are dropped; controls and line separators
    become "_"."""
    cat = unicodedata.category(ch)
    if cat in ("Cf", "Cs", "Co", "Cn"):
        return ""
    return "_" if cat in ("Cc", "Zl", "Zp") else ch


def _cut_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` UTF-8 bytes (never half a character)."""
    return text.encode()[:limit].decode(errors="ignore")


def sanitize_filename(name: str, default: str = "tep") -> str:
    """A name safe to show and to store: the last path part, NFC, without invisible or
    direction-changing characters or characters Windows refuses, at most MAX_NAME_BYTES
    bytes in UTF-8 (the extension kept)."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").split("/")[-1])
    name = "".join(_clean(ch) for ch in name)
    name = re.sub(r"[<>:\"|?*]+", "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name.encode()) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext.encode()) <= 16:
            name = _cut_bytes(stem, MAX_NAME_BYTES - len(ext.encode()) - 1).rstrip(" .") + "." + ext
        else:
            name = _cut_bytes(name, MAX_NAME_BYTES).rstrip(" .")
    return name or default


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    path: Path
    name: str
    size: int


class AttachmentStore:
    """``<root>/<sha[:2]>/<sha>/<name>``: the same content is stored once per name."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def save(self, content: bytes, original_name: str) -> StoredFile:
        sha = hashlib.sha256(content).hexdigest()
        name = sanitize_filename(original_name)
        folder = self.root / sha[:2] / sha
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        if not path.exists():
            tmp = path.with_name(path.name + ".part")
            tmp.write_bytes(content)
            tmp.replace(path)
        return StoredFile(sha, path, name, len(content))

    def read(self, stored_path: str | Path) -> bytes:
        return Path(stored_path).read_bytes()
