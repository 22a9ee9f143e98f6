"""Use cases called by the GraphQL schema: they read and write through the Store port."""
