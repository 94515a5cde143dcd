"""The screens a statushouder sees, and composing them in their language."""
