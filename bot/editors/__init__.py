"""The content editors' tools: checks, previews, translation files, review and status."""
