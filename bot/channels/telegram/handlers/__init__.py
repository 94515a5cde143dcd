"""The klantmanager's and admin's Telegram handlers, one module per concern, each declaring its ``FEATURE``."""
