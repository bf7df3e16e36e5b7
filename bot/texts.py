"""Every message the bot sends, in Vietnamese, in one place so wording is reviewed together.
Dates are dd/mm/yyyy. Sections follow the user journeys."""

from __future__ import annotations

import re
from datetime import date

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def fmt_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "không có hạn"


def days_phrase(due: date | None, today: date) -> str:
    """"còn 3 ngày" / "hôm nay là hạn" / "quá hạn 2 ngày"."""
    if due is None:
        return "không có hạn"
    n = (due - today).days
    if n > 0:
        return f"còn {n} ngày"
    if n == 0:
        return "hôm nay là hạn"
    return f"quá hạn {-n} ngày"


# --- general ---------------------------------------------------------------------
UNKNOWN_COMMAND = "Lệnh không hợp lệ. Gõ /help để xem các lệnh bạn dùng được."
NOT_ALLOWED = "Bạn không có quyền dùng lệnh này."
ERROR_GENERIC = "Xin lỗi, đã có lỗi khi xử lý yêu cầu. Bộ phận thường trực đã được báo."
ADMIN_ERROR_ALERT = "⚠️ Lỗi khi xử lý một yêu cầu ({kind}); chi tiết trong nhật ký, mục số {audit_id}."
BUTTON_STALE = "Nút này không còn dùng được. Gõ /help để xem các lệnh bạn dùng được."
# a value longer (or larger) than the database keeps: refused with the field's name
VALUE_TOO_LONG = "Không lưu được: {field} dài {length} ký tự, tối đa {limit} ký tự. Hãy rút gọn rồi gửi lại."
VALUE_OUT_OF_RANGE = "Không lưu được: {field} có giá trị ngoài phạm vi cho phép."
FIELD_NAMES = {
    "tasks.code": "mã nhiệm vụ", "tasks.period": "kỳ của nhiệm vụ", "tasks.recurrence": "chu kỳ nhiệm vụ",
    "units.name": "tên đơn vị", "units.key": "tên đơn vị", "unit_aliases.alias": "tên gọi khác của đơn vị",
    "unit_aliases.key": "tên gọi khác của đơn vị", "plans.title_key": "tên chương trình",
    "plans.source_name": "tên tệp chương trình", "attachments.file_name": "tên tệp",
    "attachments.mime_type": "kiểu tệp", "attachments.file_id": "mã tệp", "members.full_name": "họ tên",
    "members.username": "tên người dùng", "join_requests.full_name": "họ tên",
}
FIELD_OTHER = "một giá trị"


def refusal_line(error) -> str:
    """The line for a value its column cannot keep (storage.limits.ValueOutOfRange)."""
    field = FIELD_NAMES.get(error.key, FIELD_OTHER)
    if error.length is not None:
        return VALUE_TOO_LONG.format(field=field, length=error.length, limit=error.limit)
    return VALUE_OUT_OF_RANGE.format(field=field)
NO_TOKEN = (
    "Chưa có DONDOC_BOT_TOKEN: không thể kết nối Telegram. "
    "Chạy `dondoc demo` để thử bot với hộp cát cục bộ."
)
DEMO_PORT_BUSY = ("Không mở được cổng {port} cho trang demo ({reason}): chọn cổng khác bằng "
                  "`dondoc demo --port …` hoặc DONDOC_WEB_PORT.")
HELP_HEADER = "Các lệnh của dondoc:"
HELP_MEMBER = ("Bạn có thể nhắn thẳng câu trả lời, không cần lệnh: \"xong\", \"50%\", "
               "\"xin gia hạn đến 30/4 vì …\", hoặc gửi tệp báo cáo; gõ /viec để xem nhiệm vụ đang mở.")
HELP_INTRO = {
    "member": HELP_MEMBER,
    "unit_head": HELP_MEMBER + " Bạn cũng nhận thông báo khi nhiệm vụ của đơn vị quá hạn.",
    "secretariat": ("Gửi tệp kế hoạch (.docx, .xlsx, .csv, .txt) cho bot để nhập các nhiệm vụ; hỏi bằng lời "
                    "(\"quá hạn\", \"tiến độ\", \"xuất excel\") hoặc dùng các lệnh dưới đây."),
}
HELP_INTRO["admin"] = HELP_INTRO["secretariat"]
NOT_READABLE = "Tôi chưa đọc được loại tin này."
STRANGER = (
    "Xin chào! Bạn chưa là thành viên của đơn vị nào trong dondoc. "
    "Yêu cầu của bạn đã được gửi tới bộ phận thường trực để duyệt; "
    "bạn cũng có thể mở đường link mời mà đơn vị gửi cho bạn."
)


# --- plan import -------------------------------------------------------------------
def _codes(codes: list[str], limit: int = 12) -> str:
    return ", ".join(codes[:limit]) + (f" … (+{len(codes) - limit})" if len(codes) > limit else "")


def plan_preview_text(pv) -> str:
    """The preview shown before anything is saved (pv: bot.services.plans.PlanPreview):
    what needs the secretariat's attention first, then the summary."""
    year = f" — năm {pv.year}" if pv.year and str(pv.year) not in pv.title else ""
    lines = [f"📋 {pv.title}{year}", f"Số nhiệm vụ: {pv.task_count}"]
    if pv.updates_plan_id:
        lines.append("ℹ️ Kế hoạch này đã có: nhập lại sẽ cập nhật các nhiệm vụ theo mã, không tạo trùng.")
    if pv.needs_attention:
        lines.append("")
        lines.append("⚠️ Cần xem trước khi nhập:")
        if pv.no_lead:
            lines.append(f"• {len(pv.no_lead)} nhiệm vụ chưa có đơn vị chủ trì ({_codes(pv.no_lead)}): sẽ hiện là "
                         f"\"chưa giao đơn vị\" và không ai được nhắc cho đến khi được giao. Bấm \"{PLAN_SET_LEAD}\" "
                         "hoặc sửa cột Chủ trì trong bảng tính rồi gửi lại.")
        if pv.no_due:
            lines.append(f"• {len(pv.no_due)} nhiệm vụ chưa có hạn ({_codes(pv.no_due)}): không được nhắc hạn; "
                         "sửa cột Hạn hoàn thành trong bảng tính nếu cần.")
        if pv.unknown_units:
            lines.append(f"• {len(pv.unknown_units)} đơn vị chưa có trong danh bạ (sẽ được tạo mới): "
                         + "; ".join(pv.unknown_units[:15]) + (" …" if len(pv.unknown_units) > 15 else ""))
        for unit, codes in pv.review_units.items():
            lines.append(f"• \"{unit}\" ({_codes(codes)}) có thể là hai đơn vị viết liền, thiếu dấu phẩy: "
                         "sửa trong bảng tính nếu cần tách.")
        for part in pv.unread:
            lines.append(f"• {part}")
        lines.append("")
    for unit, codes in pv.default_lead.items():
        lines.append(f"ℹ️ {len(codes)} nhiệm vụ văn bản không ghi đơn vị chủ trì được giao cho đơn vị mặc định "
                     f"{unit} ({_codes(codes)}).")
    if pv.by_period:
        lines.append("Theo thời hạn: " + ", ".join(f"{q}: {n}" for q, n in pv.by_period.items()))
    if pv.units:
        lines.append(f"Đơn vị ({len(pv.units)}): " + "; ".join(list(pv.units)[:12])
                     + (" …" if len(pv.units) > 12 else ""))
    if pv.first_tasks:
        lines.append("Một số nhiệm vụ đầu:")
        for t in pv.first_tasks:
            when = f"hạn {fmt_date(t.due)}" if t.due else "chưa có hạn"
            lead = "; ".join(t.lead) if t.lead else "chưa giao đơn vị"
            lines.append(f"• {t.code}. {t.title[:120]} — {when} — {lead}")
    return "\n".join(lines)


PLAN_CONFIRM = "✅ Xác nhận nhập"
PLAN_CANCEL = "✖️ Hủy"
PLAN_SET_LEAD = "🏷 Giao đơn vị chủ trì"
PLAN_LEAD_PROMPT = ("Trả lời tin nhắn này bằng tên đơn vị chủ trì cho {n} nhiệm vụ chưa có đơn vị ({codes}), "
                    "ví dụ: Văn phòng Ban Chỉ đạo.")
PLAN_LEAD_PROMPT_HEAD = "Trả lời tin nhắn này bằng tên đơn vị chủ trì"
PLAN_LEAD_BAD = "Tên đơn vị phải có từ 2 đến 300 ký tự. Hãy trả lời lại tin nhắn trên bằng tên đơn vị."
PLAN_LEAD_NONE_LEFT = "Mọi nhiệm vụ trong bản xem trước này đều đã có đơn vị chủ trì."
PLAN_ALREADY_CONFIRMED = "Kế hoạch này đã được xác nhận nhập rồi; không nhập lần nữa."
PLAN_IMPORTING = "Đang nhập {n} nhiệm vụ…"
PLAN_AS_SHEET = "📊 Tải bảng tính để sửa"
PLAN_IMPORTED = "Đã nhập kế hoạch: {created} nhiệm vụ mới, {updated} cập nhật, {cancelled} hủy."
PLAN_CANCELLED = "Đã hủy, chưa ghi gì vào hệ thống."
PLAN_NO_TASKS = "Không tìm thấy nhiệm vụ nào trong tệp này. Hãy gửi văn bản kế hoạch (.docx, .txt) hoặc bảng tính theo mẫu (/maukehoach)."
PLAN_EXPIRED = "Bản xem trước này không còn hiệu lực. Hãy gửi lại tệp kế hoạch."
PLAN_SHEET_CAPTION = "Sửa bảng tính này rồi gửi lại để nhập; mã nhiệm vụ (cột TT) giữ nguyên để cập nhật đúng nhiệm vụ."
PLAN_TEMPLATE_CAPTION = "Mẫu bảng tính kế hoạch: mỗi dòng một nhiệm vụ; đơn vị cách nhau bằng dấu ;"
FILE_TOO_BIG = "Tệp {name} lớn hơn {limit} MB (giới hạn tải về của Telegram) nên không nhận được. Hãy nén hoặc chia nhỏ rồi gửi lại."

# a programme file that cannot be read: "Không đọc được tệp <name>: <reason>" — one line
# that says why and what to send instead
READ_FAILED = "Không đọc được tệp{name}: {reason}"
READ_SEND_INSTEAD = "bản Word (.docx), PDF xuất từ Word, văn bản (.txt) hoặc bảng tính theo mẫu (/maukehoach)"
READ_NOT_FOUND = "không tìm thấy tệp."
READ_IS_DIRECTORY = "đây là một thư mục, không phải tệp."
READ_OPEN_FAILED = "không mở được tệp ({error})."
READ_TOO_BIG = "tệp lớn quá ({size:.1f} MB, tối đa {limit} MB)."
READ_EMPTY = "tệp trống."
READ_TOO_LONG = "văn bản dài quá ({chars:,} ký tự, tối đa {limit:,}): đây không giống một kế hoạch. Hãy chia nhỏ rồi gửi lại."
READ_UNSUPPORTED = "{what} chưa được hỗ trợ. Hãy gửi " + READ_SEND_INSTEAD + "."
READ_PASSWORD = "tệp được đặt mật khẩu. Hãy bỏ mật khẩu rồi gửi lại."
READ_OLD_OFFICE = ("đây là định dạng Word/Excel cũ (.doc/.xls). Hãy mở tệp, chọn Lưu thành .docx hoặc .xlsx "
                   "rồi gửi lại.")
READ_OLD_FORMAT = "định dạng .{ext} chưa được hỗ trợ. Hãy lưu lại thành .docx hoặc .xlsx rồi gửi lại."
READ_RTF = "tệp RTF chưa được hỗ trợ. Hãy lưu lại thành .docx rồi gửi lại."
READ_OPENDOCUMENT = ("định dạng OpenDocument (.odt/.ods) chưa được hỗ trợ. Hãy lưu lại thành .docx hoặc .xlsx "
                     "rồi gửi lại.")
READ_PDF_SCANNED = ("tệp PDF này là bản quét/ảnh chụp, không có lớp chữ nên không đọc được. Hãy gửi bản Word "
                    "(.docx) hoặc PDF xuất thẳng từ Word (chọn bôi đen được chữ).")
READ_PDF_GARBLED = ("chữ trong tệp PDF này không trích ra được (phông chữ không chuẩn). Hãy gửi bản Word "
                    "(.docx) của kế hoạch.")
READ_PDF_TOO_MANY_PAGES = "tệp PDF dài quá ({pages} trang, tối đa {limit}). Hãy gửi riêng phần kế hoạch."
READ_IMAGE = ("đây là ảnh, không đọc được chữ trong ảnh. Hãy gửi " + READ_SEND_INSTEAD + ".")
READ_NOT_REAL_OFFICE = "tệp bị hỏng hoặc không phải là tệp {what} thật."
READ_ZIP_DAMAGED = "tệp nén bị hỏng."
READ_ZIP_NOT_PLAN = "đây là tệp nén, không phải kế hoạch. Hãy gửi " + READ_SEND_INSTEAD + "."
READ_UNZIPPED_TOO_BIG = "nội dung giải nén lớn quá (hơn {limit} MB). Hãy lưu lại thành tệp nhỏ hơn rồi gửi lại."
READ_NOT_TEXT = "nội dung không phải là văn bản (tệp bị hỏng hoặc sai đuôi tệp)."
READ_DAMAGED = "tệp bị hỏng hoặc có nội dung không đọc được."
READ_TOO_SLOW = ("tệp quá phức tạp, đọc hơn {seconds} giây chưa xong nên đã dừng. Hãy lưu lại thành tệp đơn "
                 "giản hơn hoặc chia nhỏ rồi gửi lại.")
READ_TOO_MUCH_MEMORY = ("tệp cần quá nhiều bộ nhớ để đọc (hơn {mb} MB) nên đã dừng. Hãy lưu lại thành tệp đơn "
                        "giản hơn hoặc chia nhỏ rồi gửi lại.")
# parts of a document that were read around, listed first in the preview
READ_PART_PREFIX = "Không đọc được:"
READ_PART_IMAGES = READ_PART_PREFIX + " {n} hình ảnh lớn trong tài liệu (chữ trong ảnh không đọc được)."
READ_PART_PDF_PAGES = READ_PART_PREFIX + " trang {pages} của tệp PDF là ảnh quét, không có chữ."
READ_PART_FRAGMENTS = READ_PART_PREFIX + " {n} dòng đánh số không ghi việc gì ({lines}), không nhập thành nhiệm vụ."
READ_BUSY = "Bot đang đọc một tệp kế hoạch khác của bạn. Hãy đợi kết quả rồi gửi tiếp."


# --- reminders (bot/reminders/compose.py) ------------------------------------------------
REMIND_BEFORE = "⏰ Nhắc việc: {phrase}"
REMIND_DUE_TODAY = "⏰ Hôm nay là hạn hoàn thành nhiệm vụ"
REMIND_OVERDUE = "⚠️ Nhiệm vụ đã quá hạn ({phrase})"
REMIND_OVERDUE_HEAD_NOTE = "Lãnh đạo đơn vị cũng nhận được thông báo này."
REMIND_ESCALATION = "🔺 Gửi lãnh đạo đơn vị: nhiệm vụ {phrase}"
REMIND_ESCALATION_WHY = ("Lãnh đạo đơn vị nhận tin này vì nhiệm vụ đã quá hạn mà đơn vị chưa báo cáo hoàn thành, "
                         "dù đầu mối đã được nhắc. Đề nghị anh/chị đôn đốc hoặc báo cáo thay.")
REMIND_ESCALATION_COMBINED = ("🔺 Gửi lãnh đạo đơn vị: {n} nhiệm vụ cần chú ý. Lãnh đạo đơn vị nhận tin này vì có "
                              "nhiệm vụ đã quá hạn mà đơn vị chưa báo cáo hoàn thành, dù đầu mối đã được nhắc.")
REMIND_OPENED = "📌 Đơn vị được giao phối hợp thực hiện nhiệm vụ"
REMIND_SUPPORT_BEFORE = "⏰ Nhắc đơn vị phối hợp: {phrase}"
REMIND_SNOOZE = "🔁 Nhắc lại theo yêu cầu: {phrase}"
REMIND_TASK = "📋 {code}. {title}"
REMIND_DUE = "📅 Hạn: {date} ({phrase})"
REMIND_LEAD = "🏢 Chủ trì: {units}"
REMIND_SUPPORT = "🤝 Phối hợp: {units}"
REMIND_FOOTER = "Bấm một nút bên dưới để báo cáo nhanh."
REMIND_COMBINED_HEADER = "⏰ Bạn có {n} nhiệm vụ cần chú ý:"
REMIND_COMBINED_PART = "(phần {i}/{n})"
REMIND_COMBINED_ITEM = "{i}. [{code}] {title}\n   Hạn {date} — {phrase}{label}"
REMIND_COMBINED_LABEL = " · {label}"
REMIND_COMBINED_UNITS = "   Chủ trì: {lead}"
REMIND_COMBINED_SUPPORT = "; phối hợp: {support}"
REMIND_COMBINED_FOOTER = "Bấm mã nhiệm vụ bên dưới để chọn, rồi chọn việc cần báo cáo (hoặc nhắn trả lời kèm mã)."
REMIND_LABEL_OPENED = "mới giao phối hợp"
REMIND_LABEL_SUPPORT = "phối hợp, sắp đến hạn"
REMIND_LABEL_SNOOZE = "nhắc lại"
BTN_DONE = "✅ Đã hoàn thành"
BTN_PROGRESS = "📊 Cập nhật tiến độ"
BTN_FILE = "📎 Gửi báo cáo"
BTN_EXTEND = "🕒 Xin gia hạn"
BTN_SNOOZE_1 = "🔁 Nhắc lại sau (ngày mai)"
BTN_SNOOZE_3 = "🔁 Nhắc lại sau 3 ngày"
BTN_TASK = "{code}"
BTN_TASK_SELECTED = "▸ {code}"
NO_UNITS = "—"
SECRETARIAT_MEMBER_UNREACHABLE = (
    "⚠️ Không gửi được tin nhắc cho {name} ({unit}): người này đã chặn bot hoặc không còn "
    "trò chuyện với bot từ {since}. Hãy liên hệ trực tiếp và nhờ họ mở lại bot."
)
SECRETARIAT_UNIT_NOBODY = (
    "⚠️ Đơn vị {unit} không có ai nhận được tin nhắc (chưa tham gia bot, đã chặn bot hoặc đang "
    "nghỉ phép). Nhiệm vụ liên quan: {tasks}. Hãy liên hệ trực tiếp đơn vị."
)
SECRETARIAT_UNDELIVERED = (
    "⚠️ {n} tin nhắc không gửi được dù bot đã thử lại nhiều lần (Telegram lỗi kéo dài). "
    "Hãy liên hệ trực tiếp:"
)
SECRETARIAT_UNDELIVERED_ITEM = "• [{code}] {title} — {name} ({unit})"

# --- secretariat digest (bot/reminders/digest.py) ----------------------------------------
DIGEST_HEADER = "📰 Bản tin sáng {date}"
DIGEST_OVERDUE = "⚠️ Quá hạn ({n} nhiệm vụ):"
DIGEST_OVERDUE_UNIT = "• {unit}: {tasks}"
DIGEST_DUE_WEEK = "📅 Đến hạn trong tuần ({n}):"
DIGEST_DUE_ITEM = "• [{code}] {title} — {date} — {units}"
DIGEST_UNREACHABLE = "📵 Thành viên không nhận được tin ({n}):"
DIGEST_UNREACHABLE_ITEM = "• {name} ({unit}) — từ {since}"
DIGEST_NOBODY = "🚫 Đơn vị không có ai nhận được tin: {units}"
DIGEST_ALL_CLEAR = "✅ Không có nhiệm vụ quá hạn hay đến hạn trong tuần."
DIGEST_MORE = "… và {n} mục khác"

# --- joining and check-ins (handlers/joining.py, handlers/checkin.py) ----------------------
ROLE_NAMES = {"member": "đầu mối", "unit_head": "lãnh đạo đơn vị", "secretariat": "thường trực",
              "admin": "quản trị"}


def vn_dates(text: str) -> str:
    """ISO dates inside a stored text ("2026-03-30 chờ số liệu") written dd/mm/yyyy."""
    return _ISO_DATE.sub(lambda m: f"{m[3]}/{m[2]}/{m[1]}", text)


def fmt_datetime(dt) -> str:
    """A local (aware) datetime as dd/mm/yyyy HH:MM."""
    return dt.strftime("%d/%m/%Y %H:%M")


def fmt_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")
    if n >= 1024:
        return f"{round(n / 1024)} KB"
    return f"{n} B"


JOIN_WELCOME = ("Chào mừng {name}! Bạn đã tham gia dondoc với vai trò {role} của {unit}.\n"
                "Bot sẽ nhắc các nhiệm vụ của đơn vị; trả lời bằng các nút trên tin nhắc hoặc nhắn "
                "\"xong\", \"đang làm 60%\", gửi tệp báo cáo… Gõ /viec để xem nhiệm vụ đang mở.")
JOIN_WELCOME_STAFF = "Chào mừng {name}! Bạn đã tham gia dondoc với vai trò {role}. Gõ /help để xem các lệnh."
JOIN_HELLO_AGAIN = "Xin chào {name}! Bạn đang là {role} của {unit}. Gõ /viec để xem nhiệm vụ, /help để xem các lệnh."
JOIN_CODE_UNKNOWN = "Mã mời không đúng. Hãy kiểm tra lại đường link hoặc xin bộ phận thường trực link mới."
JOIN_CODE_USED = "Mã mời này đã được dùng. Mỗi link mời chỉ dùng được một lần — hãy xin bộ phận thường trực link mới."
JOIN_CODE_EXPIRED = "Mã mời này đã hết hạn ngày {date}. Hãy xin bộ phận thường trực link mới."
JOIN_REQUEST_TO_STAFF = ("🙋 Người lạ nhắn tin cho bot:\n{name}{username} (id {user_id})\nNội dung: {text}\n"
                         "Đồng ý để thêm vào một đơn vị, hoặc Từ chối.")
JOIN_BTN_APPROVE = "✅ Đồng ý"
JOIN_BTN_REFUSE = "✖️ Từ chối"
JOIN_PICK_UNIT = "Chọn đơn vị cho {name} (hoặc nhắn tên đơn vị):"
JOIN_PICK_UNIT_NONE = "Chưa có đơn vị nào trong danh bạ. Hãy thêm đơn vị (nhập kế hoạch hoặc `dondoc unit`) rồi duyệt lại."
JOIN_UNIT_NOT_FOUND = "Không tìm thấy đơn vị \"{query}\". Hãy chọn bằng nút hoặc nhắn lại tên đơn vị."
JOIN_APPROVED_STAFF = "Đã thêm {name} vào {unit}."
JOIN_REFUSED_STAFF = "Đã từ chối yêu cầu của {name}."
JOIN_ALREADY_DECIDED = "Yêu cầu này đã được xử lý."
JOIN_APPROVED = "Yêu cầu của bạn đã được duyệt: bạn là đầu mối của {unit}. Gõ /viec để xem nhiệm vụ đang mở."
JOIN_REFUSED = "Rất tiếc, yêu cầu tham gia dondoc của bạn không được chấp thuận. Nếu cần, hãy liên hệ bộ phận thường trực."
JOIN_STILL_PENDING = ("Yêu cầu tham gia của bạn đang chờ bộ phận thường trực duyệt; nội dung bạn vừa gửi đã được "
                      "thêm vào yêu cầu. Bạn cũng có thể mở đường link mời mà đơn vị gửi cho bạn.")
JOIN_STILL_REFUSED = ("Yêu cầu tham gia dondoc của bạn đã không được chấp thuận. Nếu có nhầm lẫn, hãy mở đường link "
                      "mời mà đơn vị gửi cho bạn hoặc liên hệ bộ phận thường trực.")
INVITE_USAGE = "Cách dùng: /moi <tên đơn vị> [vai trò: đầu mối | lãnh đạo | thường trực]. Ví dụ: /moi Sở Tài chính"
INVITE_NO_UNIT = "Không tìm thấy đơn vị \"{query}\". Kiểm tra lại tên (có thể viết không dấu)."
INVITE_PICK = "Có nhiều đơn vị khớp với \"{query}\". Chọn đơn vị cần mời:"
INVITE_LINK = ("🔗 Link mời {role} của {unit} (dùng một lần, hết hạn {expires}):\n{link}\n"
               "Gửi link này cho người được mời; họ chỉ cần mở link và bấm Bắt đầu.")

CI_STATUS = {"done": "Đã hoàn thành", "progress": "Đang thực hiện", "blocked": "Gặp vướng mắc",
             "extension": "Xin gia hạn (chờ duyệt)", "file": "Nộp báo cáo", "note": "Ghi chú"}
CI_RECEIPT_HEAD = "✅ Đã ghi nhận"
CI_RECEIPT_TASK = "📋 {code}. {title}"
CI_RECEIPT_STATUS = "Trạng thái: {status}"
CI_RECEIPT_PROGRESS = "Tiến độ: {progress}%"
CI_RECEIPT_REASON = "Lý do: {reason}"
CI_RECEIPT_EXT = "Xin gia hạn đến: {date} (hạn hiện tại: {old}) — đã gửi bộ phận thường trực duyệt."
CI_RECEIPT_FILES = "Tệp đính kèm:"
CI_RECEIPT_FILE = "• {name} ({size})"
CI_RECEIPT_TIME = "Thời gian: {time}"
CI_RECEIPT_TASK_CLOSED = "🎉 Nhiệm vụ đã hoàn thành (các đơn vị chủ trì đều đã xong)."
CI_RECEIPT_SUPPORT = "Đơn vị phối hợp: phần việc của đơn vị đã được ghi nhận; nhiệm vụ do đơn vị chủ trì hoàn thành."
CI_RECEIPT_UNDO = "Gõ /huy trong 10 phút nếu cần hủy câu trả lời này."
CI_ASK_PERCENT = "📊 {code}. {title}\nĐã thực hiện được bao nhiêu %? Chọn nút hoặc nhắn số, ví dụ 60%."
CI_ASK_PERCENT_AGAIN = "Chưa đọc được số phần trăm. Hãy nhắn một số từ 0 đến 100, ví dụ 60%."
CI_ASK_FILE_AGAIN = "Tôi đang chờ tệp báo cáo cho nhiệm vụ {code}. Hãy gửi tệp (bấm 📎 trong Telegram)."
CI_EXIT_HINT = "(Nhắn \"thôi\" hoặc /huy để bỏ câu hỏi này.)"
CI_QUESTION_WHAT = {"progress": "tiến độ nhiệm vụ {code}", "file": "tệp báo cáo nhiệm vụ {code}",
                    "extension": "ngày xin gia hạn nhiệm vụ {code}", "pick": "câu trả lời thuộc nhiệm vụ nào",
                    "leave": "ngày nghỉ phép"}
CI_QUESTION_LEFT = "Đã bỏ câu hỏi về {what}. Không có gì được ghi nhận."
CI_QUESTION_DROPPED = ("Tôi bỏ câu hỏi về {what} vì chưa đọc được câu trả lời. Khi cần, bấm lại nút trên tin nhắc "
                       "hoặc nhắn lại, ví dụ \"xong\", \"đang làm 60%\".")
CI_UNDO_QUESTION = ("↩️ Đã bỏ câu hỏi về {what}. Chưa hủy câu trả lời nào; gõ /huy lần nữa nếu muốn hủy câu trả lời "
                    "gửi trước đó.")
CI_ASK_FILE = ("📎 {code}. {title}\nHãy gửi tệp báo cáo (có thể gửi nhiều tệp cùng lúc; "
               "{types}; tối đa {limit} MB mỗi tệp).")
CI_ASK_EXTENSION = ("🕒 {code}. {title}\nHạn hiện tại: {due}. Xin gia hạn đến ngày nào, vì sao? "
                    "Ví dụ: đến 15/4 vì chờ số liệu.")
CI_ASK_EXTENSION_AGAIN = "Chưa đọc được ngày xin gia hạn. Hãy nhắn, ví dụ: đến 15/4 vì chờ số liệu."
CI_BAD_EXTENSION_DATE = "Ngày xin gia hạn phải sau hôm nay và sau hạn hiện tại ({due}). Hãy nhắn lại ngày khác."
CI_ASK_WHICH = "Đơn vị đang có {n} nhiệm vụ mở. Câu trả lời này dành cho nhiệm vụ nào?"
CI_ASK_WHICH_FILE = "Đã lưu tệp. Tệp này thuộc nhiệm vụ nào?"
CI_PICK_BUTTON = "{code}. {title} ({due})"
CI_PICK_EXPIRED = "Câu trả lời đang chờ đã hết hiệu lực. Hãy nhắn lại."
CI_PRESS_AGAIN = "Nút này đã được bấm; câu trả lời đã được ghi nhận."
CI_REMINDER_GONE = "Tin nhắc này không còn nhiệm vụ nào đang mở."
CI_NO_OPEN_TASKS = "Đơn vị của bạn hiện không có nhiệm vụ nào đang mở."
CI_FILES_KEPT_NO_TASK = "Đã lưu tệp, nhưng đơn vị của bạn hiện không có nhiệm vụ đang mở để gắn vào."
CI_NO_UNIT = "Bạn chưa thuộc đơn vị nào nên chưa có nhiệm vụ để báo cáo."
CI_DIDNT_UNDERSTAND = ("Tôi chưa hiểu câu trả lời. Bạn có thể nhắn: \"xong\", \"đang làm 60%\", "
                       "\"chưa làm được vì …\", \"xin gia hạn đến 15/4 vì …\", \"nghỉ phép đến 20/4\", "
                       "hoặc gửi tệp báo cáo. Gõ /viec để xem nhiệm vụ đang mở.")
CI_HOW_TO_ANSWER = ("Cách báo cáo: bấm nút trên tin nhắc, hoặc nhắn \"xong\", \"đang làm 60%\", \"chưa làm được vì …\", "
                    "\"xin gia hạn đến 15/4 vì …\" (thêm mã nhiệm vụ nếu đơn vị có nhiều nhiệm vụ, ví dụ \"Q2.1 xong\"); "
                    "gửi tệp báo cáo bằng nút 📎 của Telegram. Gõ /viec để xem nhiệm vụ đang mở, /huy để hủy câu trả "
                    "lời vừa gửi.")
CI_ANSWER_HEAD = "Nhiệm vụ của {unit}:"
CI_ANSWER_TASK = "📋 {code}. {title}\n   Hạn {due} ({phrase}) · {status}{progress}{role}"
CI_ANSWER_PROGRESS = ", tiến độ {progress}%"
CI_ANSWER_PENDING_EXT = "\n   Đang xin gia hạn đến {date} (chờ duyệt)"
CI_ANSWER_NOT_RECORDED = "Câu hỏi không được ghi nhận là báo cáo. Để báo cáo, nhắn ví dụ \"xong\" hoặc \"đang làm 60%\"."
CI_CODE_NOT_FOUND = "Không thấy nhiệm vụ mã {code} trong các nhiệm vụ của đơn vị bạn."
CI_THANKS = "Không có gì ạ. Khi cần báo cáo, cứ nhắn \"xong\", \"đang làm 60%\" hoặc gửi tệp báo cáo."
CI_GREETING = ("Xin chào {name}! Bạn có thể nhắn \"xong\", \"đang làm 60%\", gửi tệp báo cáo, hoặc gõ /viec để xem "
               "nhiệm vụ đang mở.")
CI_NO_QUESTION_PENDING = "Không có câu hỏi nào đang chờ. Gõ /huy nếu muốn hủy câu trả lời vừa gửi (trong 10 phút)."
CI_NOT_YOURS = "Nhiệm vụ này không thuộc đơn vị của bạn."
CI_CLOSED = "Nhiệm vụ này đã kết thúc hoặc bị hủy, không nhận thêm cập nhật."
CI_ALREADY_DONE = "Nhiệm vụ này đã được ghi nhận hoàn thành trước đó."
CI_SNOOZED = "🔁 Được, tôi sẽ nhắc lại nhiệm vụ {code} lúc {time}."
CI_FILE_TOO_BIG = "⚠️ Không nhận tệp {name}: lớn hơn {limit} MB (giới hạn tải về của Telegram). Hãy nén hoặc chia nhỏ rồi gửi lại."
CI_FILE_BAD_TYPE = "⚠️ Không nhận tệp {name}: loại tệp .{ext} không được phép (chỉ nhận {types})."
CI_FILE_FAILED = "⚠️ Không tải được tệp {name}. Hãy gửi lại."
INBOX_FILE_NOT_RECORDED = ("⚠️ Tệp {name} bạn gửi lúc {at} đã được lưu nhưng chưa được ghi nhận vào nhiệm vụ nào "
                           "(bot bị gián đoạn). Vui lòng gửi lại tệp kèm nội dung báo cáo.")
CI_LEAVE_SET = "🌴 Đã ghi nhận: bạn nghỉ đến hết ngày {date}. Bot tạm dừng nhắc việc cho bạn đến lúc đó."
CI_LEAVE_ASK = "Bạn nghỉ đến ngày nào? Hãy nhắn, ví dụ: nghỉ phép đến 20/4."
CI_UNDONE = ("↩️ Đã hủy câu trả lời \"{what}\" gửi lúc {time} cho nhiệm vụ {code}. {title}.\n"
             "Trạng thái hiện tại: {status}, tiến độ {progress}%.")
CI_UNDONE_WHAT = {"progress": "Đang thực hiện {progress}%", "extension": "Xin gia hạn đến {date}"}
CI_UNDONE_EXTENSION = "Đề nghị gia hạn đã được rút lại."
CI_UNDO_SUPERSEDED = ("Không hủy được câu trả lời lúc {time} cho nhiệm vụ {code}: đã có câu trả lời mới hơn cho "
                      "nhiệm vụ này. Nếu cần, hãy gửi câu trả lời đúng.")
CI_EDIT_CORRECTED = "✏️ Đã sửa câu trả lời theo tin nhắn bạn vừa chỉnh (không ghi thêm câu trả lời mới)."
CI_EDIT_TOO_LATE = ("✏️ Tin nhắn đã sửa không làm thay đổi câu trả lời đã ghi lúc {time} (đã quá 10 phút hoặc đã có "
                    "câu trả lời mới hơn). Nếu cần, hãy gửi một tin nhắn mới.")
CI_EDIT_NOT_UNDERSTOOD = "✏️ Chưa hiểu nội dung đã sửa; câu trả lời lúc {time} được giữ nguyên."
CI_EDIT_NO_CHECKIN = "✏️ Tin nhắn bạn vừa sửa không ghi nhận câu trả lời nào. Nếu cần, hãy gửi một tin nhắn mới."
CI_UNDONE_FILES = "Tệp đã gửi vẫn được lưu nhưng không còn gắn với câu trả lời này: {files}."
CI_NOTHING_TO_UNDO = "Không có câu trả lời nào trong 10 phút qua để hủy."
ASSIGNMENT_STATUS = {"open": "Chưa báo cáo", "in_progress": "Đang thực hiện", "blocked": "Gặp vướng mắc",
                     "done": "Đã hoàn thành", "cancelled": "Đã hủy"}
# Where an assignment or a task stands: the one set of words every view uses (the
# secretariat's commands, the workbook, the chart, the digest), picked by bot/services/status.py.
STANDING = {"done": "đã xong", "in_progress": "đang làm {progress}%", "started": "đang làm",
            "blocked": "gặp vướng mắc", "reported": "đã báo cáo", "not_reported": "chưa báo cáo",
            "cancelled": "đã hủy", "unassigned": "chưa giao đơn vị"}
STANDING_LATE = "quá hạn {days} ngày"
STANDING_SEP = " · "
EXT_TO_STAFF = ("🕒 Đề nghị gia hạn\n{unit} — {name}\n📋 {code}. {title}\nHạn hiện tại: {old}\n"
                "Xin gia hạn đến: {new}\nLý do: {reason}")
EXT_BTN_APPROVE = "✅ Đồng ý"
EXT_BTN_REFUSE = "✖️ Từ chối"
EXT_APPROVED = "✅ Đề nghị gia hạn nhiệm vụ {code}. {title} đã được đồng ý: hạn mới {new}."
EXT_REFUSED = "✖️ Đề nghị gia hạn nhiệm vụ {code}. {title} không được đồng ý; hạn vẫn là {old}."
EXT_DECIDED_STAFF = "{outcome} bởi {by}."
EXT_OUTCOME = {True: "✅ Đã đồng ý gia hạn", False: "✖️ Đã từ chối gia hạn"}
EXT_ALREADY_DECIDED = "Đề nghị này đã được xử lý."
EXT_NO_REASON = "(không nêu)"
TASKS_HEADER = "📋 Nhiệm vụ đang mở của {unit} ({n}):"
TASKS_ITEM = "• {code}. {title}\n   Hạn {due} — {phrase}{status}"
TASKS_NONE = "✅ {unit} hiện không có nhiệm vụ nào đang mở."
TASKS_SUPPORT = " (phối hợp)"

# --- secretariat commands (handlers/secretariat.py, bot/services/reports.py) ------------------
SC_NONE = "  (chưa có)"
SC_NO_CHECKIN = "chưa báo cáo"
SC_NO_DUE = "Không có hạn"
SC_QUARTER = "Quý {q}/{year}"
SC_ROLE = {"lead": "chủ trì", "support": "phối hợp"}
SC_PAGE = "Trang {i}/{n}"
SC_PREV = "◀"
SC_NEXT = "▶"
SC_EXPIRED = "Nội dung này không còn. Hãy gõ lại lệnh."
SC_CONTINUED = "(tiếp)"

SC_OVERDUE_USAGE = "Cách dùng: /quahan [tên đơn vị]. Ví dụ: /quahan hoặc /quahan So Tai chinh"
SC_OVERDUE_NONE = "✅ Không có nhiệm vụ nào quá hạn."
SC_OVERDUE_NONE_UNIT = "✅ {unit} không có nhiệm vụ nào quá hạn."
SC_OVERDUE_HEADER = "⚠️ Nhiệm vụ quá hạn đến {date}: {n} phân công ở {units} đơn vị"
SC_OVERDUE_HEADER_UNASSIGNED = "; {n} nhiệm vụ chưa giao đơn vị"
SC_OVERDUE_HEADER_ONLY_UNASSIGNED = "⚠️ Nhiệm vụ quá hạn đến {date}: {n} nhiệm vụ chưa giao đơn vị"
SC_OVERDUE_UNIT = "🏢 {unit} ({n}):"
SC_OVERDUE_ITEM = "• [{code}] {title}{support}\n   Hạn {due} — {standing} · đã nhắc {sent} lần{last}"
SC_OVERDUE_LAST = " · báo cáo gần nhất: {date}"
SC_OVERDUE_UNASSIGNED_ITEM = "• [{code}] {title}\n   Hạn {due} — {standing} · hãy giao đơn vị chủ trì"

SC_UPCOMING_USAGE = "Cách dùng: /sapden [số ngày, 1–366]. Ví dụ: /sapden 14 (mặc định 7 ngày)."
SC_UPCOMING_NONE = "✅ Không có nhiệm vụ nào đến hạn trong {days} ngày tới."
SC_UPCOMING_HEADER = "📅 Đến hạn trong {days} ngày tới (từ {first}): {n} nhiệm vụ"
SC_UPCOMING_ITEM = "• [{code}] {title}\n   Hạn {due} ({phrase}) — chủ trì: {lead}"
SC_UPCOMING_SUPPORT = "; phối hợp: {units}"

SC_PROGRESS_USAGE = "Cách dùng: /tiendo [quý | đơn vị | tên một đơn vị]. Ví dụ: /tiendo quy"
SC_PROGRESS_NONE = "Chưa có nhiệm vụ nào để tính tiến độ."
SC_PROGRESS_HEADER = "📊 Tiến độ thực hiện (nhiệm vụ chủ trì), đến {date}"
SC_PROGRESS_SCOPE = "Đơn vị: {unit}"
SC_PROGRESS_LEGEND = ("✅ hoàn thành đúng hạn · ☑️ hoàn thành quá hạn · ⏳ chưa hoàn thành – trong hạn · "
                      "⚠️ chưa hoàn thành – quá hạn")
SC_PROGRESS_ALL = "Toàn bộ"
SC_PROGRESS_BY_QUARTER = "Theo quý:"
SC_PROGRESS_BY_UNIT = "Theo đơn vị:"
SC_PROGRESS_LINE = ("• {label}: {total} — ✅ {on_time} ({on_time_pct}) · ☑️ {late} ({late_pct}) · "
                    "⏳ {open} ({open_pct}) · ⚠️ {open_late} ({open_late_pct})")
PROGRESS_MODE_WORDS = {"quy": "q", "theo quy": "q", "quarter": "q", "q": "q",
                       "don vi": "u", "theo don vi": "u", "unit": "u", "units": "u", "dv": "u"}

SC_TASK_USAGE = "Cách dùng: /nhiemvu <mã nhiệm vụ>. Ví dụ: /nhiemvu II.3"
SC_TASK_NOT_FOUND = "Không tìm thấy nhiệm vụ có mã \"{code}\"."
SC_TASK_PICK = "Có {n} nhiệm vụ mang mã \"{code}\" (ở các kế hoạch khác nhau). Chọn nhiệm vụ:"
SC_TASK_HEADER = "📋 [{code}] {title}\nKế hoạch: {plan}\nHạn: {due} ({phrase})"
SC_TASK_STATUS = {"done": "đã hoàn thành", "cancelled": "đã hủy", "open": "đang mở"}
SC_TASK_UNITS = "🏢 Đơn vị:"
SC_TASK_ASSIGNMENT = "• {unit} ({role}): {status}{extra}{due} · đã nhắc {sent} lần"
SC_TASK_NO_LEAD = "• Chủ trì: {standing}"
SC_TASK_DONE_AT = " ngày {date}"
SC_TASK_EXTENDED = " · hạn sau gia hạn: {date}"
SC_TASK_REMINDERS = "\n⏰ Tin nhắc ({n}):"
SC_TASK_REMINDER = "• {time} — {kind} → {name} ({unit}): {status}"
SC_REMINDER_KIND = {"before": "nhắc trước hạn", "due_today": "hạn hôm nay", "overdue": "quá hạn",
                    "opened": "giao phối hợp", "support_before": "nhắc phối hợp", "snooze": "nhắc lại",
                    "manual": "nhắc ngay (thường trực)"}
SC_REMINDER_STATUS = {"sent": "đã gửi", "failed": "không gửi được", "claimed": "đang gửi"}
SC_TASK_CHECKINS = "\n📝 Báo cáo ({n}):"
SC_TASK_CHECKIN = "• {time} — {name} ({unit}): {what}"
SC_TASK_FILES = "tệp: {names}"
SC_TASK_EXTENSIONS = "\n🕒 Đề nghị gia hạn ({n}):"
SC_TASK_EXTENSION = "• {unit} — {name}: {old} → {new}, {status}. Lý do: {reason}"
SC_EXTENSION_STATUS = {"pending": "chờ duyệt", "approved": "đã đồng ý", "refused": "đã từ chối"}
SC_BTN_FILES = "📎 Gửi các tệp báo cáo ({n})"
SC_BTN_REMIND = "🔔 Nhắc ngay"
SC_FILES_NONE = "Nhiệm vụ này chưa có tệp báo cáo nào."
SC_FILE_CAPTION = "[{code}] {name} — {unit}, {time}"
SC_FILE_MISSING = "⚠️ Không còn tệp {name} trên máy chủ."

SC_UNIT_USAGE = "Cách dùng: /donvi <tên đơn vị> (viết không dấu, một phần tên cũng được). Ví dụ: /donvi tai chinh"
SC_UNIT_NOT_FOUND = "Không tìm thấy đơn vị \"{query}\". Kiểm tra lại tên (có thể viết không dấu, một phần tên)."
SC_UNIT_PICK = "Có {n} đơn vị khớp với \"{query}\". Chọn đơn vị:"
SC_UNIT_HEADER = "🏢 {unit}\nNhiệm vụ đang mở: {open} (quá hạn: {late})"
SC_UNIT_ALIASES = "Tên khác: {aliases}"
SC_UNIT_MEMBERS = "👥 Thành viên ({n}):"
SC_UNIT_NO_MEMBERS = "  (chưa có ai tham gia bot)"
SC_UNIT_MEMBER = "• {name} — {role}: {state}"
SC_MEMBER_STATE = {"ok": "✅ nhận được tin", "unreachable": "📵 không nhận được tin từ {date}",
                   "not_joined": "chưa mở bot", "on_leave": "🌴 nghỉ phép đến {date}"}
SC_UNIT_NOBODY = "⚠️ Đơn vị hiện không có ai nhận được tin nhắc."
SC_UNIT_TASKS = "\n📋 Nhiệm vụ đang mở ({n}):"
SC_UNIT_TASK = "{mark} [{code}] {title}{support}\n   Hạn {due} — {standing}"

SC_EXPORT_CAPTION = "📊 Dữ liệu theo dõi nhiệm vụ đến {date}: {tasks} nhiệm vụ, {assignments} phân công, {checkins} báo cáo."
SC_EXPORT_NAME = "dondoc_{date}.xlsx"
SC_CHART_CAPTION = "📈 Tiến độ đến {date} (nhiệm vụ chủ trì): theo quý và theo đơn vị{more}."
SC_CHART_MORE = " ({shown}/{total} đơn vị nhiều nhiệm vụ nhất)"
SC_CHART_NONE = "Chưa có nhiệm vụ nào để vẽ biểu đồ."
SC_WORKING = "⏳ Đang chuẩn bị…"

SC_REMIND_USAGE = "Cách dùng: /nhac <mã nhiệm vụ>. Ví dụ: /nhac II.3 — gửi tin nhắc ngay cho các đơn vị chưa xong."
SC_REMIND_CLOSED = "Nhiệm vụ [{code}] không còn đơn vị nào chưa hoàn thành; không gửi nhắc."
SC_REMIND_DONE = "🔔 Đã gửi nhắc nhiệm vụ [{code}]: {sent} người nhận được."
SC_REMIND_FAILED = "⚠️ Không gửi được cho {n} người (đã chặn bot hoặc lỗi mạng)."
SC_REMIND_NOBODY = "⚠️ Không có ai nhận được tin ở: {units}."

SC_CHAT_UNKNOWN = "Tôi chưa hiểu câu này."
SC_CHAT_THANKS = "Không có gì ạ!"
SC_CHAT_HELP = ("Bạn có thể:\n"
                "• gửi tệp kế hoạch (.docx, .xlsx, .csv, .txt) để nhập các nhiệm vụ;\n"
                "• hỏi bằng lời: \"quá hạn\", \"sắp đến hạn\", \"tiến độ\", \"xuất excel\", \"biểu đồ\", "
                "\"nhiệm vụ 1.2\";\n"
                "• hoặc dùng lệnh /quahan, /sapden, /tiendo, /xuat, /thongbao… — gõ /help để xem tất cả.")

SC_BROADCAST_USAGE = ("Cách dùng: /thongbao [đơn vị 1, đơn vị 2:] nội dung. Không ghi đơn vị thì gửi tất cả "
                      "các đơn vị. Ví dụ: /thongbao So Tai chinh, So Noi vu: Họp giao ban lúc 8h thứ Hai.")
SC_BROADCAST_AMBIGUOUS = "\"{query}\" khớp với {n} đơn vị. Chọn đơn vị nhận thông báo:"
SC_BROADCAST_HEADER = "📢 Thông báo của bộ phận thường trực:\n\n{text}"
SC_BROADCAST_PART = "(phần {i}/{n})"
SC_BROADCAST_CONFIRM = "Gửi thông báo sau tới {people} người của {units}?\n\n{text}"
SC_BROADCAST_LONG = "…\n\n(Thông báo dài {chars} ký tự, sẽ gửi thành {parts} tin liên tiếp.)"
SC_BROADCAST_TOO_LONG = ("Thông báo dài {chars} ký tự, quá {parts} tin nhắn. Hãy rút gọn, hoặc gửi nội dung "
                         "thành tệp và nhắn thông báo ngắn kèm theo.")
SC_BROADCAST_ALREADY = "Thông báo này đã được gửi hoặc đã hủy trước đó."
SC_BROADCAST_ALL_UNITS = "tất cả các đơn vị ({n})"
SC_BROADCAST_SOME_UNITS = "{names}"
SC_BROADCAST_NOBODY = "Không có ai để gửi: các đơn vị này chưa có thành viên nhận được tin."
SC_BTN_SEND = "📢 Gửi"
SC_BTN_CANCEL = "✖️ Hủy"
SC_BROADCAST_CANCELLED = "Đã hủy, chưa gửi thông báo."
SC_BROADCAST_DONE = ("📢 Đã gửi thông báo: {sent}/{total} người nhận được{failed}.{skipped}")
SC_BROADCAST_FAILED = "; không gửi được {n} người (đã chặn bot hoặc lỗi)"
SC_BROADCAST_SKIPPED = "\nKhông gửi cho {n} người chưa mở bot hoặc không liên lạc được."
