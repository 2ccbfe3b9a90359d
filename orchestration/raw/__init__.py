"""The raw layer: the source contract and exactly-once ingestion of landing files."""
