"""Change attribution: which listing changes moved sessions, conversion, units and sales."""
