"""What every dashboard page shares: the signed-in staff member, pages, refusals, errors.

Anything that goes wrong under the dashboard's paths (a wrong method, an
unknown address, a fault) gets a Dutch page from ``dashboard_pages``, never a
traceback or aiohttp's English text.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram.ext import Application

from bot.casework.staff import Staff
from bot.core.services import KEY, Services
from bot.dashboard import access, signin
from bot.dashboard.pages import render

log = logging.getLogger(__name__)

PTB_APP = web.AppKey("wegwijs.ptb_app", Application)
COOKIE = "wegwijs_dashboard"
PREFIXES = ("/dashboard", "/admin", "/content")

SECURITY_HEADERS = {
    # Nothing from elsewhere, no scripts at all; the charts are inline SVG with their own <style>.
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def services(request: web.Request) -> Services:
    return request.app[PTB_APP].bot_data[KEY]


def page(request: web.Request, template: str, status: int = 200, **values: object) -> web.Response:
    html = render(services(request).renderer, template, **values)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8", headers=SECURITY_HEADERS)


def message(request: web.Request, status: int, title: str, text: str, member: Staff | None = None) -> web.Response:
    """A page that only says something (``title`` and ``text`` are ui keys): a refused link, not allowed, not found."""
    return page(request, "message.html", status, title=title, text=text, member=member)


def signed_in(request: web.Request) -> Staff | None:
    s = services(request)
    staff_id = signin.session_staff(s.db, request.cookies.get(COOKIE), s.clock.now())
    return access.active_staff(s.db, staff_id)


def not_signed_in(request: web.Request) -> web.Response:
    """No session (401), or a session of someone who is no longer staff (403: removed or demoted)."""
    s = services(request)
    if signin.session_staff(s.db, request.cookies.get(COOKIE), s.clock.now()) is not None:
        return message(request, 403, "dashboard.forbidden_title", "dashboard.no_role")
    return message(request, 401, "dashboard.not_signed_in_title", "dashboard.not_signed_in")


def forbidden(request: web.Request, member: Staff) -> web.Response:
    return message(request, 403, "dashboard.forbidden_title", "dashboard.forbidden", member)


StaffPage = Callable[[web.Request, Staff], Awaitable[web.Response]]


def for_staff(allowed: Callable[[Staff], bool]) -> Callable[[StaffPage], Callable[[web.Request], Awaitable[web.Response]]]:
    """A page for a signed-in staff member whom ``allowed`` admits (the role is read again on every request);
    anyone else gets the page that says why."""

    def wrap(handler: StaffPage) -> Callable[[web.Request], Awaitable[web.Response]]:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.Response:
            member = signed_in(request)
            if member is None:
                return not_signed_in(request)
            if not allowed(member):
                return forbidden(request, member)
            return await handler(request, member)

        return checked

    return wrap


@web.middleware
async def dashboard_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Dutch pages for what aiohttp would answer in English, under the dashboard's paths only."""
    if not request.path.startswith(PREFIXES):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPMethodNotAllowed:
        return message(request, 405, "dashboard.error_title", "dashboard.wrong_method", signed_in(request))
    except web.HTTPNotFound:
        return message(request, 404, "dashboard.not_found_title", "dashboard.not_found", signed_in(request))
    except web.HTTPException:
        raise
    except Exception:
        log.exception("dashboard page %s failed", request.path)
        return message(request, 500, "dashboard.error_title", "dashboard.fault")
