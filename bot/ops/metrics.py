"""The bot's metrics in the Prometheus text format (``GET /metrics``), with ``prometheus-client``.

Each application has its own ``CollectorRegistry`` (tests run many bots in one
process). Counters and the send-time histogram are kept as things happen;
what the database knows (outbox rows by status, due rows waiting, open
questions) is read at scrape time with cheap queries: the outbox counts
come from the trigger-kept ``outbox_counts`` table, due rows from the index
on (status, due_at), open questions from the one on (status, waiting_since).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import sqlite_utils
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.casework.questions import OPEN
from bot.core.clock import iso, parse_iso
from bot.core.services import KEY, Services
from bot.delivery import outbox, outbox_counts
from bot.delivery.dispatcher import DISPATCHER_KEY, Dispatcher
from bot.delivery.outbox import OutboxRow

METRICS_KEY = "wegwijs.metrics"
COUNT_GROUP = -1000
"""The counting handler's group: before every other (the flood guard's is -100), so every update
that reaches the handlers is counted, whatever stops it later."""
SEND_SECONDS_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0)
"""A send to Telegram takes 50-150 ms; the timeout is 20 s (uploads 60 s)."""
RESULT_OF_STATUS = {outbox.SENT: "sent", outbox.PENDING: "retry", outbox.FAILED: "failed", outbox.CANCELLED: "skipped"}
IN_DOUBT = "in_doubt"
ERROR_SOURCES = ("update", "job")


class Metrics:
    """The registry of one application and the metrics kept as things happen."""

    def __init__(self, app: Application) -> None:
        # No ``*_created`` series beside each counter (when it was made): noise for an operator.
        # The switch is for the whole process; no other part of Wegwijs uses prometheus-client.
        disable_created_metrics()
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "wegwijs_updates_handled", "Updates from Telegram given to the handlers (floods cut short are not)",
            registry=self.registry,
        )
        self.errors = Counter(
            "wegwijs_handler_errors", "Errors raised by handlers (source=update) and jobs (source=job)",
            ["source"], registry=self.registry,
        )
        self.sends = Counter(
            "wegwijs_outbox_sends",
            "Delivery attempts of scheduled messages by result: sent, retry (pending again), failed,"
            " in_doubt (no answer in time, not sent again), skipped (no longer wanted, person inactive or blocked)",
            ["result"], registry=self.registry,
        )
        self.send_seconds = Histogram(
            "wegwijs_outbox_send_seconds", "Time of one delivery attempt: rendering, Telegram's answer, bookkeeping",
            buckets=SEND_SECONDS_BUCKETS, registry=self.registry,
        )
        # Every label shown from the start, at 0: a rate over a series that appears late misses its first rise.
        for source in ERROR_SOURCES:
            self.errors.labels(source)
        for result in (*RESULT_OF_STATUS.values(), IN_DOUBT):
            self.sends.labels(result)
        self.registry.register(DatabaseCollector(app))
        ProcessCollector(registry=self.registry)  # memory, processor time, open files of this process

    def delivered(self, seconds: float, status: str, error: str | None) -> None:
        """One delivery attempt, by the status its row was left in."""
        result = RESULT_OF_STATUS.get(status, status)
        if status == outbox.FAILED and (error or "").startswith("in doubt"):
            result = IN_DOUBT
        self.sends.labels(result).inc()
        self.send_seconds.observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class DatabaseCollector(Collector):
    """What the database and the dispatcher say, read at scrape time."""

    def __init__(self, app: Application) -> None:
        self.app = app

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # the families are made at collect time; nothing to check against at register

    def collect(self) -> Iterator[GaugeMetricFamily]:
        s: Services = self.app.bot_data[KEY]
        yield from database_families(s.db, s.clock.now())
        found: Dispatcher | None = self.app.bot_data.get(DISPATCHER_KEY)
        if found is not None:
            since = time.monotonic() - (found.last_tick if found.last_tick is not None else found.started)
            yield GaugeMetricFamily(
                "wegwijs_dispatcher_tick_age_seconds", "Seconds since the dispatcher was last woken", value=since
            )


def database_families(db: sqlite_utils.Database, now: datetime) -> Iterator[GaugeMetricFamily]:
    """Outbox rows by kind and status, due rows waiting, open questions (each from an index)."""
    rows = GaugeMetricFamily("wegwijs_outbox_rows", "Outbox rows by kind and status", labels=["kind", "status"])
    for kind, statuses in sorted(outbox_counts.counts(db).items()):
        for status, number in sorted(statuses.items()):
            rows.add_metric([kind, status], number)
    yield rows
    due, oldest = db.execute(
        f"SELECT count(*), min(due_at) FROM {outbox.TABLE} WHERE status = ? AND due_at <= ?",
        [outbox.PENDING, iso(now)],
    ).fetchone()
    yield GaugeMetricFamily(
        "wegwijs_outbox_due_rows", "Pending rows whose time has come, not sent yet (quiet hours included)", value=due
    )
    yield GaugeMetricFamily(
        "wegwijs_outbox_oldest_due_seconds", "How long the oldest due pending row has waited (0: none waits)",
        value=_age(now, oldest),
    )
    questions = GaugeMetricFamily(
        "wegwijs_questions_open", "Open questions: waiting for an answer, a follow-up included (answered=no), or answered, not closed",
        labels=["answered"],
    )
    waiting, answered = db.execute(
        "SELECT count(waiting_since), count(*) - count(waiting_since) FROM questions WHERE status = ?", [OPEN]
    ).fetchone()
    questions.add_metric(["no"], waiting)
    questions.add_metric(["yes"], answered)
    yield questions


def _age(now: datetime, moment: str | None) -> float:
    return max(0.0, (now - parse_iso(moment)).total_seconds()) if moment else 0.0


def of(app: Application) -> Metrics:
    return app.bot_data[METRICS_KEY]


def install(app: Application) -> None:
    """Count updates and handler errors; time and count sends once the dispatcher runs."""
    metrics = app.bot_data[METRICS_KEY] = Metrics(app)

    async def count_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        metrics.updates.inc()

    async def count_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        metrics.errors.labels(ERROR_SOURCES[1] if update is None else ERROR_SOURCES[0]).inc()

    app.add_handler(TypeHandler(Update, count_update), group=COUNT_GROUP)
    app.add_error_handler(count_error)
    found: Dispatcher | None = app.bot_data.get(DISPATCHER_KEY)
    if found is not None:
        s: Services = app.bot_data[KEY]

        def after_delivery(row: OutboxRow, seconds: float) -> None:
            status, error = s.db.execute(
                f"SELECT status, last_error FROM {outbox.TABLE} WHERE id = ?", [row.id]
            ).fetchone() or (outbox.CANCELLED, None)
            metrics.delivered(seconds, status, error)

        found.after_delivery.append(after_delivery)
