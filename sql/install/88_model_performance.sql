-- crisk.model_performance: how well a model ranks and predicts on a sample
-- (a table or view shaped like a development sample, its outcome in a
-- boolean column "bad"), and how far the sample's population has moved
-- from the model's development sample.
--
-- A first row (risk_class NULL) for the whole sample: AUC, Gini and KS of
-- the model's scores, PSI of the spread over risk classes against the
-- development sample's (crisk.model_fit.class_shares; NULL for a model not
-- fitted by crisk.fit_scorecard, such as 'default'), the customers, the
-- observed bad rate and the mean predicted PD.  Then a row per risk class,
-- A to E: customers, observed bad rate and mean predicted PD (NULL without
-- a fit), so that predicted and observed can be compared class by class.
-- Runs with the caller's rights (it reads the caller's sample).
CREATE FUNCTION crisk.model_performance(model pg_catalog.text, sample pg_catalog.regclass)
    RETURNS TABLE (auc pg_catalog.float8, gini pg_catalog.float8, ks pg_catalog.float8,
                   psi pg_catalog.float8, risk_class pg_catalog.text, customers pg_catalog.int8,
                   bad_rate pg_catalog.float8, predicted_pd pg_catalog.float8)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    known constant pg_catalog.text[] := ARRAY['avg_days_beyond_terms', 'late_share', 'max_days_late',
        'utilization', 'altman_z', 'adverse_events', 'relationship_months', 'event_severity',
        'broken_promises_12m'];
    chars pg_catalog.text[];
    attribute_type pg_catalog.oid;
    fit crisk.model_fit;
    actual_shares pg_catalog.float8[];
    total pg_catalog.int8;
BEGIN
    IF model_performance.model IS NULL OR model_performance.sample IS NULL THEN
        RAISE EXCEPTION 'model and sample must not be NULL' USING ERRCODE = '22004';
    END IF;
    IF NOT EXISTS (SELECT FROM crisk.scorecard AS s WHERE s.model OPERATOR(pg_catalog.=) model_performance.model) THEN
        RAISE EXCEPTION 'scorecard model "%" does not exist', model_performance.model USING ERRCODE = '42704',
            HINT = 'The models are the distinct values of crisk.scorecard.model.';
    END IF;
    SELECT a.atttypid INTO attribute_type FROM pg_catalog.pg_attribute AS a
    WHERE a.attrelid OPERATOR(pg_catalog.=) model_performance.sample
      AND a.attname OPERATOR(pg_catalog.=) 'bad' AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'sample % has no column "bad"', model_performance.sample USING ERRCODE = '42703';
    ELSIF attribute_type OPERATOR(pg_catalog.<>) 'pg_catalog.bool'::pg_catalog.regtype THEN
        RAISE EXCEPTION 'column "bad" of % must be boolean', model_performance.sample USING ERRCODE = '42804';
    END IF;
    SELECT pg_catalog.array_agg(c.name ORDER BY c.ordinal) INTO chars
    FROM pg_catalog.unnest(known) WITH ORDINALITY AS c(name, ordinal)
    WHERE EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
                  WHERE a.attrelid OPERATOR(pg_catalog.=) model_performance.sample
                    AND a.attname OPERATOR(pg_catalog.=) c.name
                    AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped);
    chars := coalesce(chars, '{}');
    SELECT f.* INTO fit FROM crisk.model_fit AS f WHERE f.model OPERATOR(pg_catalog.=) model_performance.model;

    IF pg_catalog.to_regclass('pg_temp.crisk_performance_sample') IS NOT NULL THEN
        DROP TABLE pg_temp.crisk_performance_sample;
    END IF;
    EXECUTE pg_catalog.format(
        'CREATE TEMPORARY TABLE crisk_performance_sample ON COMMIT DROP AS '
        'SELECT f.bad, %s AS score FROM (SELECT s.bad%s FROM %s AS s WHERE s.bad IS NOT NULL) AS f',
        crisk._model_score_sql(chars, model_performance.model),
        crisk._model_sample_columns(chars), model_performance.sample);
    SELECT pg_catalog.count(*) INTO total FROM pg_temp.crisk_performance_sample;
    IF total OPERATOR(pg_catalog.=) 0 THEN
        RAISE EXCEPTION 'sample % has no customer with a known outcome', model_performance.sample
            USING ERRCODE = '22023';
    END IF;
    IF fit.class_shares IS NOT NULL THEN
        SELECT pg_catalog.array_agg(coalesce(n.customers, 0)::pg_catalog.float8
                                    OPERATOR(pg_catalog./) total ORDER BY c.class)
        INTO actual_shares
        FROM pg_catalog.unnest(ARRAY['A', 'B', 'C', 'D', 'E']::pg_catalog.text[]) AS c(class)
        LEFT JOIN (SELECT crisk.risk_class(p.score) AS class, pg_catalog.count(*) AS customers
                   FROM pg_temp.crisk_performance_sample AS p GROUP BY 1) AS n
          ON n.class OPERATOR(pg_catalog.=) c.class;
    END IF;

    RETURN QUERY
    SELECT crisk.auc(p.score, p.bad), (2 OPERATOR(pg_catalog.*) crisk.auc(p.score, p.bad)) OPERATOR(pg_catalog.-) 1,
           crisk.ks(p.score, p.bad),
           CASE WHEN actual_shares IS NOT NULL THEN crisk.psi(fit.class_shares, actual_shares) END,
           NULL::pg_catalog.text, pg_catalog.count(*),
           pg_catalog.avg(p.bad::pg_catalog.int4)::pg_catalog.float8,
           pg_catalog.avg(1 OPERATOR(pg_catalog./) (1 OPERATOR(pg_catalog.+) pg_catalog.exp(
               OPERATOR(pg_catalog.-) (fit.pd_intercept OPERATOR(pg_catalog.+) (fit.pd_slope OPERATOR(pg_catalog.*) p.score)))))
    FROM pg_temp.crisk_performance_sample AS p
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, c.class, pg_catalog.count(p.score),
           pg_catalog.avg(p.bad::pg_catalog.int4)::pg_catalog.float8,
           pg_catalog.avg(1 OPERATOR(pg_catalog./) (1 OPERATOR(pg_catalog.+) pg_catalog.exp(
               OPERATOR(pg_catalog.-) (fit.pd_intercept OPERATOR(pg_catalog.+) (fit.pd_slope OPERATOR(pg_catalog.*) p.score)))))
    FROM pg_catalog.unnest(ARRAY['A', 'B', 'C', 'D', 'E']::pg_catalog.text[]) AS c(class)
    LEFT JOIN pg_temp.crisk_performance_sample AS p ON crisk.risk_class(p.score) OPERATOR(pg_catalog.=) c.class
    GROUP BY c.class
    ORDER BY 5 NULLS FIRST;
    DROP TABLE pg_temp.crisk_performance_sample;
END
$$;
COMMENT ON FUNCTION crisk.model_performance(pg_catalog.text, pg_catalog.regclass) IS
    'Performance of a scorecard model on a sample with a boolean column "bad": AUC, Gini, KS and PSI against the development sample on a first row (risk_class NULL), then per risk class the customers, observed bad rate and mean predicted PD.';
REVOKE ALL ON FUNCTION crisk.model_performance(pg_catalog.text, pg_catalog.regclass) FROM PUBLIC;
