"""Bootstrap for a fresh machine with only Python 3.11+ (standard library only):

    python3 -m bot demo     # sets up .venv on first run, then runs `dondoc demo`
    python3 -m bot test     # sets up .venv (with test extras), then runs the test suite
    python3 -m bot <any dondoc command>
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".dondoc-installed"


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    if not (BIN / "python").exists():
        print("dondoc: tạo môi trường ảo .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dondoc: cài đặt các thư viện (lần đầu mất 1–2 phút) …", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(_fingerprint())


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):
        print("dondoc cần Python 3.11 trở lên.", file=sys.stderr)
        return 1
    ensure_venv()
    os.chdir(ROOT)
    if argv[:1] == ["test"]:
        cmd = [str(BIN / "python"), "-m", "pytest", *argv[1:]]
    else:
        cmd = [str(BIN / "dondoc"), *(argv or ["--help"])]
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
