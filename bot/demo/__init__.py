"""Trying the bot without a token, against the emulator."""
