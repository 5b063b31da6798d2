"""Automation rules: the engine (facts, matching, actions), guarded price changes, backtests and the CLI verbs."""
