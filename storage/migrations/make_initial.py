"""Development helper until the first release: regenerate the initial migration from the
models (`python -m storage.migrations.make_initial`). After a release, add migrations with
`alembic revision --autogenerate` instead."""

import tempfile
from pathlib import Path

from alembic import command

from storage.db import MIGRATIONS_DIR, alembic_config

if __name__ == "__main__":
    for f in (MIGRATIONS_DIR / "versions").glob("0001_*.py"):
        f.unlink()
    with tempfile.TemporaryDirectory() as d:
        cfg = alembic_config(f"sqlite:///{Path(d) / 'x.db'}")
        command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
