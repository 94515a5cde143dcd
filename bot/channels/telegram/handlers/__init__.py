"""Telegram handlers, one module per concern, each with ``register(app)``."""
