"""Use cases called by the GraphQL schema: they read and write through the Store port.

One calling style for every use case: ``async def name(ctx: Context, ...)``. A use case
reads the viewer, the clock and the settings from the per-request ``Context`` and moves its
blocking store work to a worker thread itself (``asyncio.to_thread``, one hop per use case,
so a transaction stays on one thread; reads through ``ctx.read``, which runs them in place
on a store whose reads are in-process, SQLite); reads that batch go through ``ctx.loaders``. The
schema awaits use cases and never schedules threads; the CLI runs them with ``asyncio.run``.
"""
