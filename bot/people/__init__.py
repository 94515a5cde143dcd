"""A statushouder's own record: language, step, consent, export, leaving, retention."""
