"""Tasks on the kanban board (issue 7): created by rules and by people, scored by expected GBP, ease and urgency."""
