"""Getting messages out: the outbox of planned messages and the dispatcher that sends them."""
