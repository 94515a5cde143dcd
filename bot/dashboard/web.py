"""The dashboard's routes on the HTTP server beside the bot (``add_routes``).

Pages: ``/dashboard`` (where to start), ``/dashboard/signin/<token>`` (the
link from the bot), ``/dashboard/clients`` and ``/dashboard/clients/<id>``
(klantmanagers), ``/dashboard/signout`` (POST), ``/dashboard/static/``, and the
admin's pages of ``admin_web``.
Every page asks ``access`` for the signed-in staff member as the ``staff``
table has them now.
"""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web
from telegram.ext import Application

from bot.casework.staff import Staff
from bot.dashboard import access, admin_web, caseload_view, links, signin
from bot.dashboard.respond import (
    COOKIE,
    PTB_APP,
    SECURITY_HEADERS,
    dashboard_pages,
    for_staff,
    forbidden,
    message,
    not_signed_in,
    page,
    services,
    signed_in,
)
from bot.people import audit

STATIC = Path(__file__).parent / "static"
CLIENT_ID = re.compile(r"[0-9]{1,18}")
"""A client id as it can be in the database (Telegram ids fit in 64 bits); anything else is unknown."""


def add_routes(web_app: web.Application, ptb_app: Application) -> None:
    """The dashboard's pages on the bot's HTTP server (one of the adders in ``bot/ops/http.py``)."""
    web_app[PTB_APP] = ptb_app
    web_app.middlewares.append(dashboard_pages)
    web_app.add_routes(
        [
            web.get("/dashboard", start),
            web.get("/dashboard/signin/{token}", sign_in),
            web.post("/dashboard/signout", sign_out),
            web.get("/dashboard/clients", clients),
            web.get("/dashboard/clients/{user_id}", client),
            web.static("/dashboard/static", STATIC, append_version=False),
            *admin_web.ROUTES,
        ]
    )


# ---------------------------------------------------------------- signing in and out


async def start(request: web.Request) -> web.Response:
    """The dashboard's front door: the start page of whoever is signed in."""
    member = signed_in(request)
    if member is None:
        return not_signed_in(request)
    raise web.HTTPSeeOther(access.start_page(member), headers=SECURITY_HEADERS)


async def sign_in(request: web.Request) -> web.Response:
    """The link from the bot: a session, or a page saying why not (and nothing else happens).

    The answer is a page that moves on at once (a meta refresh), not a 303:
    the link is opened from Telegram, and a browser does not send a
    SameSite=Strict cookie on a redirect that another site's link started.
    """
    s = services(request)
    now = s.clock.now()
    outcome = signin.open_session(s.db, request.match_info["token"], now)
    if isinstance(outcome, signin.Refused):
        return message(request, 403, "dashboard.link_refused_title", f"dashboard.link_{outcome.reason}")
    member = access.active_staff(s.db, outcome.staff_id)
    if member is None:  # demoted between sending the link and opening it
        signin.end_session(s.db, outcome.session_id, now)
        return message(request, 403, "dashboard.forbidden_title", "dashboard.no_role")
    audit.record(s.db, now, member.id, "dashboard_signin")
    response = page(request, "signed_in.html", member=member, target=access.start_page(member))
    response.set_cookie(
        COOKIE,
        outcome.session_id,
        max_age=int(signin.SESSION_VALID.total_seconds()),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=links.is_https(request.app[PTB_APP]),
    )
    return response


async def sign_out(request: web.Request) -> web.Response:
    s = services(request)
    signin.end_session(s.db, request.cookies.get(COOKIE), s.clock.now())
    response = message(request, 200, "dashboard.signed_out_title", "dashboard.signed_out")
    response.del_cookie(COOKIE, path="/")
    return response


# ---------------------------------------------------------------- the klantmanager's pages


@for_staff(access.may_see_caseload)
async def clients(request: web.Request, member: Staff) -> web.Response:
    s = services(request)
    now = s.clock.now()
    owners = access.caseload_owners(s.db, member, now)
    return page(request, "caseload.html", member=member, caseloads=caseload_view.caseloads(s.db, s.renderer, owners, now))


@for_staff(access.may_see_caseload)
async def client(request: web.Request, member: Staff) -> web.Response:
    s = services(request)
    now = s.clock.now()
    text = request.match_info["user_id"]
    user_id = int(text) if CLIENT_ID.fullmatch(text) else None
    if user_id is None or s.db.execute("SELECT 1 FROM clients WHERE user_id = ?", [user_id]).fetchone() is None:
        return message(request, 404, "dashboard.not_found_title", "dashboard.no_client", member)
    if not access.may_see_client(s.db, member, user_id, now):
        audit.record(s.db, now, member.id, "refused", user_id, data="dashboard")
        return forbidden(request, member)
    detail = caseload_view.client_detail(s.db, s.renderer, user_id, now)
    return page(request, "client.html", member=member, detail=detail)
