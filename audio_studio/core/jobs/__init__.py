"""Jobs: every unit of work is an asyncio task with progress, status and cancel."""
