"""WordPress adapter: reads (and, when enabled, writes) an Ultimate Multisite network's tables."""
