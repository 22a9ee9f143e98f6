"""Pure plan-change rules: standard library only (a test enforces it)."""
