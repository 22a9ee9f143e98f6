"""Composition root: settings, the Starlette app, the store factory and the command line."""
