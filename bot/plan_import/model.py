"""Plain data produced by the plan importer; no I/O, no Telegram, no database."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass
class ParsedTask:
    """One task read from a programme document.

    ``code`` is stable across re-imports of the same plan (e.g. "II.3" or "Q1-04"),
    ``due`` is None when the document gives no deadline (open-ended duties are flagged
    for the secretariat, never guessed), ``period`` names the section's period
    ("Q1".."Q4", "H1", "H2", "M03", "Y") when known, ``recurrence`` is e.g. "monthly:15"
    or "quarterly" for repeating duties, ``lead``/``support`` are unit names as written in
    the document after normalisation, ``line`` is the 1-based source line (or row).
    """

    code: str
    title: str
    due: date | None = None
    period: str | None = None
    recurrence: str | None = None
    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    line: int = 0
    notes: str = ""
    flags: list[str] = field(default_factory=list)  # e.g. "no_due_date", "open_ended", "unit_review"
    # unit names that look like two units run together without a comma ("unit_review"): kept as
    # written, for the secretariat to split in the preview
    review_units: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        d = asdict(self)
        d["due"] = self.due.isoformat() if self.due else None
        return d


@dataclass
class ParsedPlan:
    title: str
    year: int | None
    tasks: list[ParsedTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "year": self.year,
            "tasks": [t.to_json() for t in self.tasks],
            "warnings": list(self.warnings),
        }


def plan_from_json(data: dict) -> ParsedPlan:
    """Inverse of `ParsedPlan.to_json` (previews wait in the database until confirmed)."""
    tasks = []
    for t in data.get("tasks", []):
        t = dict(t)
        t["due"] = date.fromisoformat(t["due"]) if t.get("due") else None
        known = ParsedTask.__dataclass_fields__
        tasks.append(ParsedTask(**{k: v for k, v in t.items() if k in known}))
    return ParsedPlan(title=data.get("title", ""), year=data.get("year"), tasks=tasks,
                      warnings=list(data.get("warnings", [])))
