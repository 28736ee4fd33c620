"""The Textual console. Only UI lives here: reads go through store.queries, writes through services."""
