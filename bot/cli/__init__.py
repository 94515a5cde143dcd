"""The ``wegwijs`` command line."""
