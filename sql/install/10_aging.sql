-- Days past due and aging buckets (src/aging.c).

CREATE FUNCTION crisk.days_past_due(due_date pg_catalog.date, as_of pg_catalog.date)
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'crisk_days_past_due'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.days_past_due(pg_catalog.date, pg_catalog.date) IS
    'Days an invoice is past its due date at as_of (as_of - due_date); zero or negative while not yet due.';

CREATE FUNCTION crisk.aging_bucket(due_date pg_catalog.date, as_of pg_catalog.date,
                                   bounds pg_catalog.int4[] DEFAULT '{30,60,90}')
    RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'crisk_aging_bucket'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_bucket(pg_catalog.date, pg_catalog.date, pg_catalog.int4[]) IS
    'Aging bucket label at as_of: ''current'' when not past due, then ''1-30'', ''31-60'', ''61-90'', ''91+'' for the default bounds.';

CREATE FUNCTION crisk.aging_bucket_index(due_date pg_catalog.date, as_of pg_catalog.date,
                                         bounds pg_catalog.int4[] DEFAULT '{30,60,90}')
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'crisk_aging_bucket_index'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_bucket_index(pg_catalog.date, pg_catalog.date, pg_catalog.int4[]) IS
    'Position of the aging bucket at as_of: 0 for current, 1 to n+1 for the overdue buckets, for sorting.';
