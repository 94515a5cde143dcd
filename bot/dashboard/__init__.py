"""The staff dashboard: a web view of the same database (issue 16)."""
