"""The staff dashboard in the browser: sign-in by a link from the bot, the klantmanager's
caseload, the admin's overview of the same database (served beside the bot; see ``web.add_routes``)."""
