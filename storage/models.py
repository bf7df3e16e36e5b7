"""SQLAlchemy 2.0 typed models. No Telegram types here: chat ids are plain integers
and every member carries a ``channel`` so a second messenger (Zalo) fits later."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite keeps none)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        # a driver may answer in the session's TimeZone (psycopg on a server set to Asia/Ho_Chi_Minh: +07)
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(AsyncAttrs, DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


# --- directory -------------------------------------------------------------------


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)  # folded name for matching
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    aliases: Mapped[list[UnitAlias]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", lazy="selectin"
    )
    members: Mapped[list[Member]] = relationship(back_populates="unit")


class UnitAlias(Base):
    __tablename__ = "unit_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), unique=True)

    unit: Mapped[Unit] = relationship(back_populates="aliases")


ROLES = ("member", "unit_head", "secretariat", "admin")


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_member_channel_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), default="telegram")
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str | None] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable_since: Mapped[datetime | None]
    on_leave_until: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit | None] = relationship(back_populates="members", lazy="selectin")


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(20), default="member")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))


class JoinRequest(Base):
    """A stranger wrote to the bot; the secretariat approves or refuses."""

    __tablename__ = "join_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), default="telegram")
    user_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending/approved/refused
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


# --- programme ---------------------------------------------------------------------


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(String(300), index=True)
    year: Mapped[int | None]
    source_name: Mapped[str | None] = mapped_column(String(300))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    tasks: Mapped[list[Task]] = relationship(back_populates="plan", cascade="all, delete-orphan")


TASK_STATUSES = ("open", "done", "cancelled")


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("plan_id", "code", name="uq_task_plan_code"),
        Index("ix_tasks_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    period: Mapped[str | None] = mapped_column(String(10))
    recurrence: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="open")
    notes: Mapped[str] = mapped_column(Text, default="")
    source_line: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]

    plan: Mapped[Plan] = relationship(back_populates="tasks")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="task", cascade="all, delete-orphan"
    )


ASSIGNMENT_STATUSES = ("open", "in_progress", "blocked", "done", "cancelled")


class Assignment(Base):
    """A task given to a unit: ``role`` is ``lead`` or ``support``."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id", name="uq_assignment_task_unit"),
        Index("ix_assignments_unit_status_due", "unit_id", "status", "due_date"),
        Index("ix_assignments_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(10), default="lead")
    status: Mapped[str] = mapped_column(String(20), default="open")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    due_date: Mapped[date | None] = mapped_column(Date)  # effective: task due or extension
    done_at: Mapped[datetime | None]
    last_checkin_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship(back_populates="assignments", lazy="selectin")
    unit: Mapped[Unit] = relationship(lazy="selectin")


CHECKIN_STATUSES = ("done", "progress", "blocked", "extension", "file", "note")


class CheckIn(Base):
    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_assignment_created", "assignment_id", "created_at"),
                      Index("ix_checkins_member_message", "member_id", "message_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    progress: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text, default="")
    previous_status: Mapped[str | None] = mapped_column(String(20))
    previous_progress: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # the chat message it came from, if text
    # the incoming update that recorded it (bot.inbox.update_key): a replay after a kill finds it
    update_key: Mapped[str | None] = mapped_column(String(64), index=True)

    attachments: Mapped[list[Attachment]] = relationship(back_populates="checkin", lazy="selectin",
                                                         order_by="Attachment.id")


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    file_id: Mapped[str] = mapped_column(String(300))
    file_name: Mapped[str] = mapped_column(String(300))
    mime_type: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    stored_path: Mapped[str] = mapped_column(String(500))
    media_group_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    unlinked_reported_at: Mapped[datetime | None]  # kept, never recorded (a kill): the member was told

    checkin: Mapped[CheckIn | None] = relationship(back_populates="attachments")


class ExtensionRequest(Base):
    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    old_due: Mapped[date | None] = mapped_column(Date)
    requested_due: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending/approved/refused
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


# --- reminders -----------------------------------------------------------------------


class ScheduledReminder(Base):
    """When a reminder of a kind is due for an assignment (optionally for one member:
    a snooze). The scanner reads only rows with ``sent_at IS NULL AND fire_at <= now``."""

    __tablename__ = "scheduled_reminders"
    __table_args__ = (
        UniqueConstraint("assignment_id", "kind", "member_id", name="uq_sched_assignment_kind_member"),
        Index("ix_sched_pending_fire", "done", "fire_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(40))  # before_7d, due_today, overdue_1, snooze:…
    fire_at: Mapped[datetime]
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


DELIVERY_STATUSES = ("claimed", "retry", "sent", "failed", "dropped")


class ReminderLog(Base):
    """One row per delivery: the unique key is the claim, so two processes never send twice.

    ``status``: ``claimed`` (being sent by the holder of ``generation`` until ``lease_until``),
    ``retry`` (an attempt failed; the next may start at ``lease_until``), and the final
    ``sent``, ``failed`` (unreachable, or the retry ceiling: the secretariat is told, see
    ``reported_at``) and ``dropped`` (no longer relevant: task done, cancelled, superseded).
    ``claimed_at`` is the first claim; ``generation`` fences a takeover: only the holder of
    the current generation may mark the row."""

    __tablename__ = "reminder_log"
    __table_args__ = (
        UniqueConstraint("assignment_id", "member_id", "kind", name="uq_reminder_assignment_member_kind"),
        Index("ix_reminder_log_status", "status", "claimed_at"),
        Index("ix_reminder_log_status_lease", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(80))  # a /nhac key is "<kind>@manual:<stamp>"
    status: Mapped[str] = mapped_column(String(20), default="claimed")  # claimed/sent/failed
    claimed_by: Mapped[str] = mapped_column(String(80), default="")
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_until: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]


class SendSlot(Base):
    """The global send rate shared by every process on one database: ``next_at`` (epoch
    seconds on the database server's clock) is the next free sending slot."""

    __tablename__ = "send_slots"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)


class DigestLog(Base):
    __tablename__ = "digest_log"
    __table_args__ = (UniqueConstraint("member_id", "day", "kind", name="uq_digest_member_day_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40), default="digest")
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)


# --- conversation state and audit ----------------------------------------------------


class ConversationState(Base):
    """Unfinished conversations (pending import preview, which task a file belongs to …)."""

    __tablename__ = "conversation_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboxUpdate(Base):
    """An incoming update, stored before it is handled and marked when handled, so that a
    kill loses nothing: on start, stored updates not yet handled are handled again. The
    digest tells a redelivery (same update) from a new update reusing an old id."""

    __tablename__ = "inbox_updates"
    __table_args__ = (
        UniqueConstraint("channel", "update_id", "digest", name="uq_inbox_channel_update_digest"),
        Index("ix_inbox_pending", "handled_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), default="telegram")
    update_id: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # handlings started again after a kill
    handled_at: Mapped[datetime | None]


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
