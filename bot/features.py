"""The app's features, in order: the one list the Telegram app, the other channels and the CLI walk.

Order matters as it did for the handler modules: the guard keeps edits and
buttons without data away from all the others; the klantmanager's features
route staff before anything meant for statushouders; the fallback catches
whatever the others leave.
"""

from __future__ import annotations

from bot.channels.telegram.handlers import (
    klantmanager,
    km_absence,
    km_admin,
    km_answers,
    km_appointments,
    km_broadcast,
    km_caseload,
    km_dashboard,
)
from bot.conversation import (
    appointments,
    ask,
    checks,
    fallback,
    followup,
    guard,
    menu,
    onboarding,
    personal_data,
    read_more,
    reminders,
    search,
)
from bot.core.features import Feature

FEATURES: tuple[Feature, ...] = tuple(
    module.FEATURE
    for module in (
        guard,
        klantmanager,
        km_admin,
        km_caseload,
        km_appointments,
        km_answers,
        km_absence,
        km_broadcast,
        km_dashboard,
        onboarding,
        menu,
        read_more,
        personal_data,
        search,
        appointments,
        checks,
        reminders,
        ask,
        followup,
        fallback,
    )
)
