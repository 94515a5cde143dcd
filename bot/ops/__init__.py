"""What a city's IT runs the bot with: the HTTP server beside the bot (``http``), its health check
(``health``) and metrics (``metrics``, served by ``endpoints``), and the database backup (``backup``)."""
