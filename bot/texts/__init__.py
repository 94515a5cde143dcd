"""The content: loading the path and the texts, rendering them in a language, reloading them."""
