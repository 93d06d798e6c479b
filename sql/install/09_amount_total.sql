-- crisk._amount_total: the exact sum of numeric amounts, for the readers
-- that total the allocations once per ledger item (crisk.open_items_at,
-- crisk.ledger_parts).  It gives what pg_catalog.sum(numeric) gives (the
-- scale of the most precise amount, NULL over no amounts, NULLs skipped),
-- but its state is the running total itself, a numeric, where sum() keeps
-- an accumulator of several hundred bytes per group: grouping a hundred
-- thousand items' allocations by hashing then needs less than half the
-- memory, and so less than half the time (bench/aged_balance.sh).
CREATE AGGREGATE crisk._amount_total(pg_catalog.numeric) (
    SFUNC = pg_catalog.numeric_add,
    STYPE = pg_catalog.numeric,
    COMBINEFUNC = pg_catalog.numeric_add,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk._amount_total(pg_catalog.numeric) IS
    'Internal: the exact sum of the amounts, as sum(numeric) gives it (NULL over no rows), with the running total as its state; the allocation readers total each item''s allocations with it.';
