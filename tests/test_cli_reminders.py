"""``wegwijs appointment ...`` and ``wegwijs outbox status``, as an operator runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.reminders import appointments
from bot.delivery import outbox
from bot.cli.main import main
from bot.core.db import open_db
from bot.people.users import accept_privacy, choose_language
from tests.timeline import MONDAY


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WEGWIJS_CLOCK_START", MONDAY.isoformat())
    path = tmp_path / "w.db"
    db = open_db(path)
    choose_language(db, 801, "nl")
    accept_privacy(db, 801, MONDAY)
    db.close()
    return path


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--db", str(db_path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def counts(db_path: Path) -> tuple[int, int, list[str]]:
    db = open_db(db_path)
    try:
        statuses = [r["status"] for r in db["outbox"].rows_where(order_by="id")]
        return db["appointments"].count, db["cannot_come"].count, statuses
    finally:
        db.close()


def test_add_change_cancel_and_list(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, out, _ = run(
        capsys, db_path, "appointment", "add", "--user", "801", "--kind", "rechtmatigheidsgesprek",
        "--at", "2025-06-20 10:30", "--place", "Jan van Galenstraat 323", "--bring", "paspoort",
    )
    assert code == 0
    assert out.splitlines()[0] == "#1  user 801  rechtmatigheidsgesprek  2025-06-20 10:30  planned"
    assert "    bring: paspoort" in out
    assert "messages: 2025-06-02 10:00 notice, 2025-06-13 10:30 reminder, 2025-06-19 10:30 reminder, 2025-06-20 08:30 reminder" in out

    code, out, _ = run(capsys, db_path, "appointment", "change", "1", "--at", "2025-06-23 14:00", "--note", "kom op tijd")
    assert code == 0 and "2025-06-23 14:00  planned" in out and "note: kom op tijd" in out
    assert "2025-06-16 14:00 reminder, 2025-06-22 14:00 reminder, 2025-06-23 12:00 reminder" in out

    db = open_db(db_path)
    row_id = appointments.answer(db, appointments.get(db, 1), appointments.NOT_COMING, MONDAY)
    appointments.give_reason(db, row_id, 801, "Ik heb dan les")
    db.close()
    code, out, _ = run(capsys, db_path, "appointment", "list")
    assert code == 0 and out.startswith("#1  user 801  rechtmatigheidsgesprek  2025-06-23 14:00  planned  answer: not_coming")
    assert "    cannot come (2025-06-02 10:00): Ik heb dan les" in out

    code, out, _ = run(capsys, db_path, "appointment", "cancel", "1")
    assert code == 0 and "cancelled" in out.splitlines()[0] and "reminder" not in out

    code, out, _ = run(capsys, db_path, "outbox", "status")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["kind", *outbox.STATUSES]
    # No notice was ever sent (no bot running): the person never heard of the appointment,
    # so its cancellation sends nothing either (issue 14).
    assert lines[1].split() == ["appointment.notice", "0", "0", "0", "0", "2"]
    assert lines[2].split() == ["appointment.reminder", "0", "0", "0", "0", "6"]
    assert "due now: 0" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--user", "999", "--kind", "tov", "--at", "2025-06-20 10:00"], "There is no person with number 999 who uses Wegwijs."),
        (["add", "--user", "801", "--kind", "party", "--at", "2025-06-20 10:00"], "party is not a kind of appointment. Choose one of: welkomstbijeenkomst,"),
        (["add", "--user", "801", "--kind", "tov", "--at", "20-06-2025"], "20-06-2025 is not a date and time. Write it like this: 2025-04-01 09:30."),
        (["add", "--user", "801", "--kind", "tov", "--at", "2025-06-01 10:00"], "Sunday, 1 June 2025, 10:00 has passed. Choose a moment in the future."),
        (["add", "--user", "801", "--kind", "tov", "--at", "2026-03-29 02:30"], "2026-03-29 02:30 does not exist in Amsterdam: the clocks skip that hour."),
        (["add", "--user", "801", "--kind", "tov", "--at", "2025-06-20 10:00", "--map-url", "javascript:x"], "javascript:x is not a web link."),
        (["add", "--user", "801", "--kind", "tov", "--at", "2025-06-20 10:00", "--note", "x" * 501], "The note is too long: at most 500 characters."),
        (["change", "42", "--place", "elders"], "There is no appointment 42."),
        (["cancel", "42"], "There is no appointment 42."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], db_path: Path, args: list[str], message: str
) -> None:
    before = counts(db_path)
    code, out, err = run(capsys, db_path, "appointment", *args)
    assert (code, out) == (2, "")
    assert err.startswith(message), err
    assert counts(db_path) == before


def test_a_cancelled_appointment_cannot_be_changed(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    run(capsys, db_path, "appointment", "add", "--user", "801", "--kind", "tov", "--at", "2025-06-20 10:00")
    run(capsys, db_path, "appointment", "cancel", "1")
    before = counts(db_path)
    for args in (["cancel", "1"], ["change", "1", "--at", "2025-06-21 10:00"]):
        code, _, err = run(capsys, db_path, "appointment", *args)
        assert code == 2 and err.strip() == "Appointment 1 is cancelled. It cannot be changed any more."
    assert counts(db_path) == before


def test_malformed_arguments_and_settings(capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["appointment", "add", "--user", "abc", "--kind", "tov", "--at", "2025-06-20 10:00"])
    assert exit_info.value.code == 2 and "argument --user: invalid int value: 'abc'" in capsys.readouterr().err
    monkeypatch.setenv("WEGWIJS_CLOCK_START", "tomorrow")
    code, _, err = run(capsys, db_path, "outbox", "status")
    assert code == 2 and "WEGWIJS_CLOCK_START='tomorrow' is not valid" in err
    monkeypatch.setenv("WEGWIJS_DISPATCH_SECONDS", "fast")
    assert main(["run", "--db", str(db_path)]) == 2
    assert "WEGWIJS_DISPATCH_SECONDS='fast' is not valid" in capsys.readouterr().err
