"""Report files kept on disk by content hash, with the original (sanitised) name kept."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path


def sanitize_filename(name: str, default: str = "tep") -> str:
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").split("/")[-1])
    name = re.sub(r"[\x00-\x1f<>:\"|?*]+", "_", name).strip(" .")
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 140] + dot + ext[:9]) if dot else name[:150]
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
