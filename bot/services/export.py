"""/xuat: the whole programme as one Excel workbook (openpyxl).

Sheets: Nhiệm vụ, Phân công, Báo cáo, Quá hạn, Đơn vị — Vietnamese headers, dates as real
dates shown dd/mm/yyyy, auto filter, frozen header row, column widths, printed landscape
and fit to the page width."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.services import status as st
from storage import report_queries as rq
from storage.queries import all_units

DATE_FMT = "DD/MM/YYYY"
DATETIME_FMT = "DD/MM/YYYY HH:MM"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

SHEET_TASKS = "Nhiệm vụ"
SHEET_ASSIGNMENTS = "Phân công"
SHEET_CHECKINS = "Báo cáo"
SHEET_OVERDUE = "Quá hạn"
SHEET_UNITS = "Đơn vị"


@dataclass
class ExportedWorkbook:
    content: bytes
    tasks: int
    assignments: int
    checkins: int
    overdue: int


def _local(dt: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Excel has no time zones: local wall-clock time, naive."""
    return dt.astimezone(tz).replace(tzinfo=None) if dt else None


def _sheet(wb: Workbook, title: str, headers: list[tuple[str, int]], rows: list[list], first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append([h for h, _ in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for r in rows:
        ws.append(r)
    for i, (_, width) in enumerate(headers, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = DATETIME_FMT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FMT
            elif isinstance(cell.value, str) and len(cell.value) > 60:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, ws.max_row)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    return ws


async def build_workbook(session: AsyncSession, today: date, tz: ZoneInfo) -> ExportedWorkbook:
    tasks = await rq.export_tasks(session)
    assignments = await rq.export_assignments(session)
    checkins = await rq.export_checkins(session)
    overdue = await rq.overdue_assignments(session, today)
    overdue_unassigned = await rq.overdue_unassigned(session, today)
    leads = await rq.lead_names_by_task(session)
    units = await all_units(session)
    people = await rq.member_counts_by_unit(session, today)
    open_late: dict[int, int] = {}
    for r in overdue:
        open_late[r.unit_id] = open_late.get(r.unit_id, 0) + 1
    counts: dict[int, dict[str, int]] = {}
    for uid, _name, cat, n in await rq.status_counts_by_unit(session, today, tz, roles=None):
        counts.setdefault(uid, dict.fromkeys(rq.CATEGORIES, 0))[cat] += n
    unassigned_counts = dict.fromkeys(rq.CATEGORIES, 0)
    for _y, _q, cat, n in await rq.unassigned_counts_by_quarter(session, today, tz):
        unassigned_counts[cat] += n

    lead_standings: dict[tuple, list[st.Standing]] = {}
    assignment_rows = []
    for code, title, unit, role, status, progress, due, eff_due, done_at, last, sent, reported, tid in assignments:
        standing = st.assignment_standing(status, progress, eff_due, today, reported=reported)
        if role == "lead":
            lead_standings.setdefault(tid, []).append(standing)
        assignment_rows.append([code, title, unit, texts.SC_ROLE.get(role, role), standing.words(), progress or 0,
                                due, eff_due, _local(done_at, tz), _local(last, tz), sent or 0])
    unassigned = texts.STANDING["unassigned"]

    wb = Workbook()
    _sheet(wb, SHEET_TASKS, [("Kế hoạch", 30), ("Mã", 8), ("Nhiệm vụ", 70), ("Hạn", 12), ("Kỳ", 6),
                             ("Chủ trì", 30), ("Trạng thái", 24), ("Ngày hoàn thành", 16), ("Ghi chú", 30)],
           [[plan, code, title, due, period or "", "; ".join(leads.get(tid, [])) or unassigned,
             st.task_standing(status, due, today, lead_standings.get(tid, []) if has_lead else []).words(),
             _local(done_at, tz), notes or ""]
            for tid, plan, code, title, due, status, done_at, period, notes, has_lead in tasks], first=True)
    _sheet(wb, SHEET_ASSIGNMENTS, [("Mã", 8), ("Nhiệm vụ", 60), ("Đơn vị", 30), ("Vai trò", 10),
                                   ("Trạng thái", 24), ("Tiến độ (%)", 11), ("Hạn gốc", 12), ("Hạn hiện tại", 13),
                                   ("Ngày hoàn thành", 16), ("Báo cáo gần nhất", 17), ("Số lần nhắc", 11)],
           assignment_rows)
    _sheet(wb, SHEET_CHECKINS, [("Thời gian", 17), ("Mã", 8), ("Nhiệm vụ", 50), ("Đơn vị", 28), ("Người báo cáo", 22),
                                ("Nội dung", 20), ("Tiến độ (%)", 11), ("Ghi chú", 50), ("Tệp đính kèm", 40)],
           [[_local(at, tz), code, title, unit, name, texts.CI_STATUS.get(status, status),
             progress if progress is not None else "", text or "", files]
            for at, code, title, unit, name, status, progress, text, files in checkins])
    _sheet(wb, SHEET_OVERDUE, [("Đơn vị", 30), ("Mã", 8), ("Nhiệm vụ", 60), ("Vai trò", 10), ("Hạn", 12),
                               ("Số ngày quá hạn", 15), ("Trạng thái", 18), ("Tiến độ (%)", 11),
                               ("Số lần nhắc", 11), ("Báo cáo gần nhất", 17)],
           [[r.unit_name, r.code, r.title, texts.SC_ROLE.get(r.role, r.role), r.due, st.days_late(r.due, today),
             st.assignment_standing(r.status, r.progress, r.due, today, reported=r.reported).state_words(),
             r.progress, r.reminders_sent, _local(r.last_checkin_at, tz)] for r in overdue]
           + [[unassigned, t.code, t.title, texts.SC_ROLE["lead"], t.due, st.days_late(t.due, today),
               st.unassigned_standing(t.status, t.due, today).state_words(), 0, 0, None]
              for t in overdue_unassigned])
    unit_rows = []
    for u in units:
        c = counts.get(u.id, dict.fromkeys(rq.CATEGORIES, 0))
        n, reach = people.get(u.id, (0, 0))
        unit_rows.append([u.name, "; ".join(a.alias for a in u.aliases), n, reach, sum(c.values()),
                          c[rq.DONE_ON_TIME], c[rq.DONE_LATE], c[rq.OPEN_ON_TIME], c[rq.OPEN_LATE]])
    if any(unassigned_counts.values()):  # tasks nobody leads: counted, never left out
        c = unassigned_counts
        unit_rows.append([unassigned.capitalize(), "", 0, 0, sum(c.values()), c[rq.DONE_ON_TIME], c[rq.DONE_LATE],
                          c[rq.OPEN_ON_TIME], c[rq.OPEN_LATE]])
    _sheet(wb, SHEET_UNITS, [("Đơn vị", 36), ("Tên khác", 30), ("Thành viên", 11), ("Nhận được tin", 13),
                             ("Phân công", 11), ("Hoàn thành đúng hạn", 14), ("Hoàn thành quá hạn", 14),
                             ("Chưa xong – trong hạn", 14), ("Chưa xong – quá hạn", 14)], unit_rows)
    buf = io.BytesIO()
    wb.save(buf)
    return ExportedWorkbook(buf.getvalue(), len(tasks), len(assignments), len(checkins),
                            len(overdue) + len(overdue_unassigned))
