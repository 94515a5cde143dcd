"""Wegwijs: a multilingual Telegram assistant for statushouders."""
