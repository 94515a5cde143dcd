"""The ways people reach Wegwijs."""
