"""The dashboard over HTTP: the sign-in link from the bot, sessions, roles, the klantmanager's pages.

The bot runs against the emulator; a staff member sends /dashboard and the
test opens the link from the bot's message with a client that keeps cookies,
as a browser would (the browser itself: ``test_dashboard_browser.py``).
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from bot.casework import staff, staff_admin
from bot.dashboard import insights, signin, tables
from bot.dashboard.respond import COOKIE
from bot.reminders import appointments, repetition
from bot.texts.timing import load_timing
from tests.dashboard_server import dashboard_url, sign_in_link
from tests.harness import Person, seen
from tests.test_handoff import START, Team, ask, team_at, text

AMAL, TESFAY, REZA = 701, 702, 703


def visible_text(page: str) -> str:
    """What a reader of the page sees: the text outside tags, styles and scripts."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", " ", page))


def page_text(key: str, **values: str) -> str:
    """A Dutch ui text as the page shows it (escaped like any text in HTML)."""
    words = html.unescape(text("nl", key))
    for name, value in values.items():
        words = words.replace("{{ " + name + " }}", value)
    return html.escape(words, quote=True)


@dataclass
class Dashboard:
    team: Team
    base: str
    amal: Person
    tesfay: Person
    reza: Person


async def seed(team: Team) -> tuple[Person, Person, Person]:
    """Amal (Sanne's): an open question, an item not understood, a "cannot come", an appointment ahead.
    Tesfay (Sanne's): nothing open. Reza: Daan's client."""
    amal = await team.new_client(team.sanne, "Amal Haddad", AMAL, "ar")
    tesfay = await team.new_client(team.sanne, "Tesfay Berhe", TESFAY, "ti")
    reza = await team.new_client(team.daan, "Reza Ahmadi", REZA, "fa")
    await ask(amal, "ar", "متى يأتي الموعد؟")
    await team.sanne.receive()
    s = team.bot.services
    now = team.clock.now()
    timing = load_timing(s.renderer.journey)
    item = next(step.critical_items for step in s.renderer.journey.steps if step.critical_items)[0]
    s.db["item_checks"].insert({"user_id": amal.person_id, "item_id": item, "status": "asked", "round": 3})
    repetition.escalate(s.db, amal.person_id, {"item_id": item, "round": 3}, now)
    missed = appointments.add(
        s.db, timing, user_id=amal.person_id, kind="tov", starts_at=datetime(2027, 3, 10, 10, 0), now=now, place="Implacement"
    )
    appointments.give_reason(s.db, appointments.answer(s.db, missed, appointments.NOT_COMING, now), amal.person_id, "Mijn kind is ziek")
    appointments.add(
        s.db, timing, user_id=amal.person_id, kind="rechtmatigheidsgesprek", starts_at=datetime(2027, 3, 12, 14, 0), now=now,
        place="Jan Evertsenstraat 1",
    )
    return amal, tesfay, reza


@pytest.fixture
async def dash(tmp_path: Path) -> AsyncIterator[Dashboard]:
    async with team_at(tmp_path, START, http_port=0) as team:
        yield Dashboard(team, dashboard_url(team.bot), *await seed(team))


async def get(http: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with http.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def test_a_klantmanager_signs_in_with_the_link_and_sees_their_caseload(dash: Dashboard) -> None:
    link = await sign_in_link(dash.team.sanne)
    assert link.startswith(dash.base + "/dashboard/signin/")
    db = dash.team.bot.services.db
    token = link.rsplit("/", 1)[1]
    assert db["dashboard_links"].count == 1 and token not in str(list(db["dashboard_links"].rows))  # only its hash

    async with aiohttp.ClientSession() as http:
        async with http.get(link, allow_redirects=False) as response:
            assert response.status == 200
            cookie = response.cookies[COOKIE]
            assert cookie["httponly"] and cookie["samesite"] == "Strict" and not cookie["secure"]
            assert int(cookie["max-age"]) == 8 * 3600
            assert 'http-equiv="refresh" content="0; url=/dashboard/clients"' in await response.text()
            assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        status, page = await get(http, dash.base + "/dashboard/clients")
    assert status == 200
    assert '<html lang="nl">' in page and "Amal Haddad" in page and "Tesfay Berhe" in page
    assert "Reza" not in page  # Daan's client
    amal_row = page.split("Amal Haddad")[1].split("</tr>")[0]
    assert "Arabisch" in amal_row and "Les TOV, woensdag 10 maart 2027, 10:00" in amal_row  # the next one
    assert amal_row.count('class="num attention"') == 3  # an open question, an item not understood, cannot come
    assert db["dashboard_sessions"].count == 1 and db["audit"].count_where("action = 'dashboard_signin'") == 1


def caseload_rows(page: str) -> dict[str, list[str]]:
    """Each client's row of the caseload table as shown: name -> the text of each cell after the name."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = {}
    for row in body.split("</tr>")[:-1]:
        cells = [" ".join(visible_text(cell).split()) for cell in re.findall(r"<t[hd]\b.*?</t[hd]>", row, flags=re.S)]
        rows[cells[0]] = cells[1:]
    return rows


async def test_the_caseload_shows_each_clients_step_language_last_active_and_question_age(dash: Dashboard) -> None:
    renderer = dash.team.bot.services.renderer
    intake = renderer.journey.steps[2]
    dash.team.clock.set(START + timedelta(hours=26))
    await dash.tesfay.press(f"{intake.number}. {renderer.title('ti', intake.overview)}")  # active a day after Amal
    async with aiohttp.ClientSession() as http:
        await get(http, await sign_in_link(dash.team.sanne))
        status, page = await get(http, dash.base + "/dashboard/clients")
    assert status == 200
    rows = caseload_rows(page)
    # step, language, last active, open questions (the oldest's age), not understood, cannot come, next appointment
    assert rows["Amal Haddad"] == [
        "onbekend", "Arabisch", "01-03-2027", "1 (oudste: 26 uur)", "1", "1", "Les TOV, woensdag 10 maart 2027, 10:00",
    ]
    assert rows["Tesfay Berhe"] == [f"3. {renderer.title('nl', intake.overview)}", "Tigrinya", "02-03-2027", "0", "0", "0", "–"]


async def test_a_client_page_lists_what_the_counts_count(dash: Dashboard) -> None:
    async with aiohttp.ClientSession() as http:
        await get(http, await sign_in_link(dash.team.sanne))
        status, page = await get(http, f"{dash.base}/dashboard/clients/{dash.amal.person_id}")
    assert status == 200
    assert "متى يأتي الموعد؟" in page  # the open question, with its age
    assert "Mijn kind is ziek" in page and "Les TOV" in page
    assert "Jan Evertsenstraat 1" in page
    renderer = dash.team.bot.services.renderer
    item = repetition.not_understood(dash.team.bot.services.db, dash.amal.person_id)[0]
    assert html.escape(renderer.title("nl", item)) in page


async def test_a_link_works_once_for_ten_minutes_and_a_forged_one_never(dash: Dashboard) -> None:
    db = dash.team.bot.services.db
    link = await sign_in_link(dash.team.sanne)
    async with aiohttp.ClientSession() as first:
        assert (await get(first, link))[0] == 200
    async with aiohttp.ClientSession() as second:
        status, page = await get(second, link)
        assert status == 403 and page_text("dashboard.link_used") in page
        assert not second.cookie_jar.filter_cookies(URL(dash.base))  # no session for the second opener
        late = await sign_in_link(dash.team.sanne)
        dash.team.clock.advance(signin.LINK_VALID + timedelta(seconds=1))
        status, page = await get(second, late)
        assert status == 403 and page_text("dashboard.link_expired") in page
        forged = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
        for bad in (forged, link + "A" * 5000, link[:-1], dash.base + "/dashboard/signin/<script>", dash.base + "/dashboard/signin/%00"):
            status, page = await get(second, bad)
            assert status == 403 and page_text("dashboard.link_unknown") in page, bad
        status, page = await get(second, dash.base + "/dashboard/clients")
        assert status == 401 and page_text("dashboard.not_signed_in") in page
    assert db["dashboard_sessions"].count == 1


async def test_a_session_lasts_eight_hours_and_ends_on_signing_out(dash: Dashboard) -> None:
    async with aiohttp.ClientSession() as http:
        await get(http, await sign_in_link(dash.team.sanne))
        dash.team.clock.advance(signin.SESSION_VALID - timedelta(minutes=1))
        assert (await get(http, dash.base + "/dashboard/clients"))[0] == 200
        dash.team.clock.advance(timedelta(minutes=2))
        assert (await get(http, dash.base + "/dashboard/clients"))[0] == 401

        await get(http, await sign_in_link(dash.team.sanne))
        cookie = http.cookie_jar.filter_cookies(URL(dash.base))[COOKIE].value
        async with http.post(dash.base + "/dashboard/signout") as response:
            assert response.status == 200 and page_text("dashboard.signed_out") in await response.text()
        assert (await get(http, dash.base + "/dashboard/clients"))[0] == 401
    async with aiohttp.ClientSession(cookies={COOKIE: cookie}) as replay:  # the old cookie, kept by someone
        assert (await get(replay, dash.base + "/dashboard/clients"))[0] == 401


async def test_roles_are_read_again_on_every_page(dash: Dashboard) -> None:
    team = dash.team
    async with aiohttp.ClientSession() as http:
        await get(http, await sign_in_link(team.sanne))
        status, page = await get(http, f"{dash.base}/dashboard/clients/{dash.reza.person_id}")  # Daan's client
        assert status == 403 and page_text("dashboard.forbidden") in page and "Reza" not in page
        assert team.bot.services.db["audit"].count_where("actor_id = ? AND action = 'refused'", [team.sanne.person_id]) == 1
        status, page = await get(http, dash.base + "/admin")
        assert status == 403 and page_text("dashboard.forbidden") in page

        staff_admin.reassign(
            team.bot.services.db, from_id=team.sanne.person_id, to_id=team.daan.person_id, now=team.clock.now(),
            actor_id=team.admin.person_id,
        )
        staff_admin.remove(team.bot.services.db, team.sanne.person_id, team.clock.now(), team.admin.person_id)
        status, page = await get(http, dash.base + "/dashboard/clients")
        assert status == 403 and page_text("dashboard.no_role") in page and "Amal" not in page


async def test_a_substitute_sees_the_colleagues_caseload_while_they_are_away(dash: Dashboard) -> None:
    team = dash.team
    staff.set_away(team.bot.services.db, team.daan.person_id, team.clock.now() + timedelta(days=3), team.sanne.person_id)
    async with aiohttp.ClientSession() as http:
        await get(http, await sign_in_link(team.sanne))
        status, page = await get(http, dash.base + "/dashboard/clients")
        assert status == 200 and "Klanten van Daan" in page and "Reza Ahmadi" in page
        assert (await get(http, f"{dash.base}/dashboard/clients/{dash.reza.person_id}"))[0] == 200
        staff.set_away(team.bot.services.db, team.daan.person_id, None, None)  # /back
        assert (await get(http, f"{dash.base}/dashboard/clients/{dash.reza.person_id}"))[0] == 403


async def test_bad_addresses_and_methods_get_a_dutch_page(dash: Dashboard) -> None:
    async with aiohttp.ClientSession() as http:
        await get(http, await sign_in_link(dash.team.sanne))
        for path in ("/dashboard/clients/99999", "/dashboard/clients/abc", "/dashboard/clients/" + "9" * 40,
                     "/dashboard/clients/-1", "/dashboard/clients/٧٠١"):
            status, page = await get(http, dash.base + path)
            assert status == 404 and page_text("dashboard.no_client") in page, path
        status, page = await get(http, dash.base + "/dashboard/nothing-here")
        assert status == 404 and page_text("dashboard.not_found") in page
        async with http.post(dash.base + "/dashboard/clients") as response:
            assert response.status == 405 and page_text("dashboard.wrong_method") in await response.text()
        status, page = await get(http, dash.base + "/dashboard/signout")
        assert status == 405 and page_text("dashboard.wrong_method") in page
        async with http.delete(dash.base + "/dashboard/signin/x") as response:
            assert response.status == 405 and "Traceback" not in await response.text()
        status, _ = await get(http, dash.base + "/dashboard")
        assert status == 303
    assert (await get(aiohttp.ClientSession(), dash.base + "/dashboard"))[0] == 401


async def test_dashboard_is_for_staff_only(dash: Dashboard) -> None:
    answer = await dash.amal.say("/dashboard")
    assert any(seen(m).startswith(text("ar", "errors.unknown_command")) for m in answer)
    assert dash.team.bot.services.db["dashboard_links"].count == 0
    admin_link = await sign_in_link(dash.team.admin)
    async with aiohttp.ClientSession() as http:
        status, page = await get(http, admin_link)
        assert status == 200 and 'url=/admin"' in page
        status, page = await get(http, dash.base + "/dashboard/clients")
        assert status == 403  # an admin who is not a klantmanager has no caseload


async def test_an_admin_sees_the_overview_and_downloads_each_table_as_csv(dash: Dashboard) -> None:
    s = dash.team.bot.services
    overview = insights.admin_overview(s.db, s.renderer, dash.team.clock.now())
    async with aiohttp.ClientSession() as http:
        status, page = await get(http, await sign_in_link(dash.team.admin))
        assert status == 200 and 'url=/admin"' in page
        pages = {}
        for name in insights.SECTION_NAMES:
            status, pages[name] = await get(http, f"{dash.base}/admin/{name}")
            assert status == 200 and '<a href="/admin/' in pages[name]
            current = pages[name].split('aria-current="page">')[1].split("<")[0]
            assert current == html.escape(text("nl", f"dashboard.section.{name}"))  # the menu shows where one is
        status, first = await get(http, dash.base + "/admin")
        assert status == 200 and first.split('aria-current="page">')[1].split("<")[0] == html.escape(
            text("nl", f"dashboard.section.{insights.SECTION_NAMES[0]}"))
        for table in overview:  # each table on its section's page, and only there
            on = [name for name, shown in pages.items() if f'<h2 id="{table.key}">{html.escape(table.title)}</h2>' in shown]
            assert len(on) == 1, table.key
            async with http.get(f"{dash.base}/admin/{table.key}.csv") as response:
                assert response.status == 200 and response.content_type == "text/csv"
                assert f"wegwijs-{table.key}.csv" in response.headers["Content-Disposition"]
                csv_text = await response.text()  # the dispatcher keeps sending: compare the shape
                expected = tables.as_csv(table)
                assert csv_text.splitlines()[0] == expected.splitlines()[0]
                assert len(csv_text.splitlines()) == len(expected.splitlines())
        for page in pages.values():
            body = page.split("</header>")[1]  # Beheer, signed in, is above
            words = set(re.findall(r"\w+", visible_text(body)))  # a chart's random element ids may hold any digits
            for name in ("Amal", "Tesfay", "Reza", "Sanne", "Daan", str(AMAL), str(dash.amal.person_id)):
                assert name not in words  # no names in the overview
            assert f"/{dash.amal.person_id}" not in body  # and no links to a person
        assert "&lt;5" in pages["path"]  # three clients: every count is hidden
        links = [cell for table in overview for row in table.rows for cell in row if isinstance(cell, tables.Link)]
        if links:
            status, item_page = await get(http, dash.base + links[0].href)
            assert status == 200 and "item-text" in item_page
        for bad in ("/admin/nothing.csv", "/admin/nothing", "/admin/Path", "/admin/%2e%2e%2fetc.csv",
                    "/admin/" + "x" * 300 + ".csv", "/content/xx/woning", "/content/nl/nothing", "/content/nl/%2e%2e"):
            status, page = await get(http, dash.base + bad)
            assert status == 404 and page_text("dashboard.not_found") in page, bad
    async with aiohttp.ClientSession() as http:
        await get(http, await sign_in_link(dash.team.sanne))
        assert (await get(http, f"{dash.base}/admin/{overview[0].key}.csv"))[0] == 403
        assert (await get(http, f"{dash.base}/admin/{insights.SECTION_NAMES[-1]}"))[0] == 403


async def test_behind_the_gemeentes_own_https_address_the_cookie_is_secure(dash: Dashboard) -> None:
    s = dash.team.bot.services
    s.settings = replace(s.settings, public_url="https://wegwijs.gemeente.example")
    link = await sign_in_link(dash.team.sanne)
    assert link.startswith("https://wegwijs.gemeente.example/dashboard/signin/")
    async with aiohttp.ClientSession() as http:  # the proxy would pass the path on to the bot's port
        async with http.get(dash.base + link.removeprefix("https://wegwijs.gemeente.example")) as response:
            assert response.status == 200 and response.cookies[COOKIE]["secure"]
