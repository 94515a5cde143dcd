"""Appointments, their reminders, and spaced repetition of key facts."""
