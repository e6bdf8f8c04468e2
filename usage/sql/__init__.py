"""The usage floor's database-specific code, one seam per concern (STYLE.md §9): each module
keeps a portable and a PostgreSQL implementation side by side, or (PostgreSQL-only fast
paths) is only reached when `core.db.is_postgresql()`. Domain modules (usage.ingest,
usage.tracking, usage.rollups, usage.metrics, usage.periods) never look at the vendor.

    lookups     external ids to ids in one query (PostgreSQL) or chunks of 900
    idcache     PostgreSQL: the per-process id cache of ingest
    partitions  PostgreSQL: month partitions of the events table
    events      PostgreSQL: COPY / ON CONFLICT write paths of a batch of events
    contacts    contacts' last_seen_at moved forward (tracking)
    deltas      the rollup deltas of ingested batches: written with the batch, added to the rollups
    dialect     small SQL differences used by rollups, metrics and periods
"""
