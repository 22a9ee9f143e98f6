"""Adapters: the native store (``adapters.native``) and the WordPress tables
(``adapters.wordpress``).
"""
