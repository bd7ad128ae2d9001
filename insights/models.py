"""Tables of the operations centre: what it computes (rollups, scores) and what it keeps (index definitions,
plan targets, periodic reports, published datasets). It never writes another app's tables."""
