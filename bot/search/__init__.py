"""Finding the right item for a question in any language."""
