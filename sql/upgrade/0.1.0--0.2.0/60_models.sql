-- Predictive models (issue 19): the objects of sql/install/80_* to 8x_*,
-- new in 0.2.0 and created here exactly as a fresh install creates them.

-- as in sql/install/80_outcome_counts.sql
-- The state type crisk.outcome_counts that crisk.logistic_regression,
-- crisk.auc and crisk.ks gather their rows in: distinct patterns of values,
-- each with its counts of bad and good rows (src/outcome_counts.c).

CREATE TYPE crisk.outcome_counts;

CREATE FUNCTION crisk.outcome_counts_in(pg_catalog.cstring)
    RETURNS crisk.outcome_counts
    AS 'MODULE_PATHNAME', 'crisk_outcome_counts_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.outcome_counts_in(pg_catalog.cstring) IS
    'Input function of crisk.outcome_counts: reads the text form written by crisk.outcome_counts_out and checks every field.';

CREATE FUNCTION crisk.outcome_counts_out(crisk.outcome_counts)
    RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'crisk_outcome_counts_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.outcome_counts_out(crisk.outcome_counts) IS
    'Output function of crisk.outcome_counts: the distinct patterns of values, sorted, each with its counts of bad and good rows.';

CREATE TYPE crisk.outcome_counts (
    INPUT = crisk.outcome_counts_in,
    OUTPUT = crisk.outcome_counts_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE crisk.outcome_counts IS
    'Transition state of crisk.logistic_regression, crisk.auc and crisk.ks: the rows gathered as distinct patterns of values (characteristics, or a score), each with its counts of bad and good rows.';

CREATE FUNCTION crisk.outcome_counts_combine(crisk.outcome_counts, crisk.outcome_counts)
    RETURNS crisk.outcome_counts
    AS 'MODULE_PATHNAME', 'crisk_outcome_counts_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.outcome_counts_combine(crisk.outcome_counts, crisk.outcome_counts) IS
    'Combine function of crisk.logistic_regression, crisk.auc and crisk.ks: adds the patterns of two partial states (parallel workers, Citus nodes).';

CREATE FUNCTION crisk.score_outcome_transition(state crisk.outcome_counts,
                                               score pg_catalog.float8,
                                               bad pg_catalog.bool)
    RETURNS crisk.outcome_counts
    AS 'MODULE_PATHNAME', 'crisk_score_outcome_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.score_outcome_transition(crisk.outcome_counts, pg_catalog.float8, pg_catalog.bool) IS
    'Transition function of crisk.auc and crisk.ks: counts a row under its score, as bad or good; rows with a NULL score or outcome are skipped.';

-- as in sql/install/81_logistic_regression.sql
-- The aggregate crisk.logistic_regression and its result type
-- crisk.logit_fit (src/logistic_regression.c).

CREATE TYPE crisk.logit_fit AS (
    coefficients    pg_catalog.float8[],
    std_errors      pg_catalog.float8[],
    log_likelihood  pg_catalog.float8,
    iterations      pg_catalog.int4,
    converged       pg_catalog.bool
);
COMMENT ON TYPE crisk.logit_fit IS
    'A fitted logistic regression: coefficients (intercept first, then one per element of x), their standard errors, the log-likelihood of the sample, the Newton (IRLS) iterations taken and whether they converged.';

CREATE FUNCTION crisk.logistic_regression_transition(state crisk.outcome_counts,
                                                     y pg_catalog.bool,
                                                     x pg_catalog.float8[])
    RETURNS crisk.outcome_counts
    AS 'MODULE_PATHNAME', 'crisk_logistic_regression_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.logistic_regression_transition(crisk.outcome_counts, pg_catalog.bool, pg_catalog.float8[]) IS
    'Transition function of crisk.logistic_regression: counts the row under its pattern of x, as y true or false; rows with a NULL y, x or element of x are skipped.';

CREATE FUNCTION crisk.logistic_regression_final(crisk.outcome_counts)
    RETURNS crisk.logit_fit
    AS 'MODULE_PATHNAME', 'crisk_logistic_regression_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.logistic_regression_final(crisk.outcome_counts) IS
    'Final function of crisk.logistic_regression: maximum-likelihood fit by Newton-Raphson (IRLS) on the gathered rows; separation and collinearity raise 22023.';

CREATE AGGREGATE crisk.logistic_regression(y pg_catalog.bool, x pg_catalog.float8[]) (
    SFUNC = crisk.logistic_regression_transition,
    STYPE = crisk.outcome_counts,
    COMBINEFUNC = crisk.outcome_counts_combine,
    FINALFUNC = crisk.logistic_regression_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.logistic_regression(pg_catalog.bool, pg_catalog.float8[]) IS
    'Logistic regression of y (true = the event, e.g. the customer went bad) on the elements of x, with an intercept: coefficients agree with R''s glm(family = binomial). Rows with NULLs are skipped; no rows give NULL.';

-- as in sql/install/82_auc.sql
-- The aggregate crisk.auc (src/auc.c), over the state of
-- sql/install/80_outcome_counts.sql.

CREATE FUNCTION crisk.auc_final(crisk.outcome_counts)
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'crisk_auc_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.auc_final(crisk.outcome_counts) IS
    'Final function of crisk.auc: the share of (good, bad) pairs where the good customer scores higher, ties counting one half; NULL without a bad or a good row.';

CREATE AGGREGATE crisk.auc(score pg_catalog.float8, bad pg_catalog.bool) (
    SFUNC = crisk.score_outcome_transition,
    STYPE = crisk.outcome_counts,
    COMBINEFUNC = crisk.outcome_counts_combine,
    FINALFUNC = crisk.auc_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.auc(pg_catalog.float8, pg_catalog.bool) IS
    'Area under the ROC curve of a score where higher means better credit: the probability that a good customer scores above a bad one, ties counting one half (R''s pROC::auc with direction ">"). Gini = 2 * AUC - 1. NULL without a bad or a good row.';

-- as in sql/install/83_ks.sql
-- The aggregate crisk.ks (src/ks.c), over the state of
-- sql/install/80_outcome_counts.sql.

CREATE FUNCTION crisk.ks_final(crisk.outcome_counts)
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'crisk_ks_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.ks_final(crisk.outcome_counts) IS
    'Final function of crisk.ks: the largest gap, over cut-offs, between the shares of bad and of good customers scoring at or below the cut-off; NULL without a bad or a good row.';

CREATE AGGREGATE crisk.ks(score pg_catalog.float8, bad pg_catalog.bool) (
    SFUNC = crisk.score_outcome_transition,
    STYPE = crisk.outcome_counts,
    COMBINEFUNC = crisk.outcome_counts_combine,
    FINALFUNC = crisk.ks_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.ks(pg_catalog.float8, pg_catalog.bool) IS
    'Kolmogorov-Smirnov statistic of a score, a fraction from 0 to 1: the largest gap between the share of bad customers and the share of good customers at or below a cut-off. NULL without a bad or a good row.';

-- as in sql/install/84_psi.sql
-- crisk.psi, the population stability index (src/psi.c).

CREATE FUNCTION crisk.psi(expected_share pg_catalog.float8[], actual_share pg_catalog.float8[])
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'crisk_psi'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.psi(pg_catalog.float8[], pg_catalog.float8[]) IS
    'Population stability index of a distribution over classes: sum of (actual - expected) * ln(actual / expected), one share per class, each array summing to 1. Below 0.10 stable, above 0.25 a significant shift; infinite when a class is empty in one array only.';

-- as in sql/install/85_model_fit.sql
-- crisk.model_fit: one row per scorecard model fitted by crisk.fit_scorecard
-- (sql/install/86_fit_scorecard.sql), with what the fit found.

CREATE TABLE crisk.model_fit (
    model_fit_id        pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY,
    model               pg_catalog.text NOT NULL,
    fitted_at           pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    fitted_by           pg_catalog.text NOT NULL DEFAULT CURRENT_USER,
    sample              pg_catalog.text NOT NULL,
    target              pg_catalog.text NOT NULL,
    sample_size         pg_catalog.int8 NOT NULL,
    bad_rate            pg_catalog.float8 NOT NULL,
    characteristics     pg_catalog.text[] NOT NULL,
    information_values  pg_catalog.float8[] NOT NULL,
    coefficients        pg_catalog.float8[] NOT NULL,
    std_errors          pg_catalog.float8[] NOT NULL,
    pdo                 pg_catalog.numeric NOT NULL,
    base_score          pg_catalog.int4 NOT NULL,
    base_odds           pg_catalog.numeric NOT NULL,
    points_scale        pg_catalog.float8 NOT NULL,
    auc                 pg_catalog.float8,
    gini                pg_catalog.float8,
    ks                  pg_catalog.float8,
    pd_intercept        pg_catalog.float8,
    pd_slope            pg_catalog.float8,
    class_shares        pg_catalog.float8[],
    CONSTRAINT model_fit_pkey PRIMARY KEY (model_fit_id),
    CONSTRAINT model_fit_model_unique UNIQUE (model),
    CONSTRAINT model_fit_not_default CHECK (model OPERATOR(pg_catalog.<>) 'default'),
    CONSTRAINT model_fit_sample_size_positive CHECK (sample_size OPERATOR(pg_catalog.>) 0),
    CONSTRAINT model_fit_bad_rate_range
        CHECK (bad_rate OPERATOR(pg_catalog.>) 0 AND bad_rate OPERATOR(pg_catalog.<) 1)
);
COMMENT ON TABLE crisk.model_fit IS
    'Scorecard models fitted by crisk.fit_scorecard: the development sample, the characteristics with their information value and coefficient, the scaling of points, the AUC, Gini and KS on the sample, and how a score maps to a 12-month probability of default.';
COMMENT ON COLUMN crisk.model_fit.model_fit_id IS 'Identity of the fit.';
COMMENT ON COLUMN crisk.model_fit.model IS 'The model''s name in crisk.scorecard (one fit per model).';
COMMENT ON COLUMN crisk.model_fit.fitted_at IS 'When the model was fitted.';
COMMENT ON COLUMN crisk.model_fit.fitted_by IS 'The role that fitted it.';
COMMENT ON COLUMN crisk.model_fit.sample IS 'The development sample (table or view) as named when the model was fitted.';
COMMENT ON COLUMN crisk.model_fit.target IS 'The sample''s boolean column telling which customers went bad.';
COMMENT ON COLUMN crisk.model_fit.sample_size IS 'Customers in the sample with a known outcome.';
COMMENT ON COLUMN crisk.model_fit.bad_rate IS 'Share of those customers who went bad.';
COMMENT ON COLUMN crisk.model_fit.characteristics IS 'The characteristics considered, in the order of information_values and of coefficients 2, 3, ...';
COMMENT ON COLUMN crisk.model_fit.information_values IS 'Information value of each characteristic after binning: below 0.02 useless, 0.1 to 0.3 medium, above 0.3 strong.';
COMMENT ON COLUMN crisk.model_fit.coefficients IS 'Logistic regression of going bad on the weights of evidence: intercept first, then one per characteristic; NULL for a characteristic left out (no information, or a coefficient of the wrong sign).';
COMMENT ON COLUMN crisk.model_fit.std_errors IS 'Standard errors of the coefficients, in the same order.';
COMMENT ON COLUMN crisk.model_fit.pdo IS 'Points to double the odds asked for.';
COMMENT ON COLUMN crisk.model_fit.base_score IS 'Score asked for at base_odds.';
COMMENT ON COLUMN crisk.model_fit.base_odds IS 'Good:bad odds asked for at base_score.';
COMMENT ON COLUMN crisk.model_fit.points_scale IS 'Factor applied to the points so that scores fit in 0 to 100: 1 when pdo could be kept, below 1 when points were compressed (pdo * points_scale points then double the odds).';
COMMENT ON COLUMN crisk.model_fit.auc IS 'Area under the ROC curve of the model''s scores on the sample (0.5: no better than chance, 1: perfect).';
COMMENT ON COLUMN crisk.model_fit.gini IS 'Gini coefficient (accuracy ratio) on the sample: 2 * auc - 1.';
COMMENT ON COLUMN crisk.model_fit.ks IS 'Kolmogorov-Smirnov statistic of the scores on the sample, a fraction.';
COMMENT ON COLUMN crisk.model_fit.pd_intercept IS 'Probability of default of a score s: 1 / (1 + exp(-(pd_intercept + pd_slope * s))), fitted on the sample.';
COMMENT ON COLUMN crisk.model_fit.pd_slope IS 'See pd_intercept; negative, since a higher score means fewer defaults.';
COMMENT ON COLUMN crisk.model_fit.class_shares IS 'Share of the sample in each risk class, A to E, under the model: what crisk.model_performance compares a later population with (PSI).';

SELECT pg_catalog.pg_extension_config_dump('crisk.model_fit', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.model_fit_model_fit_id_seq', '');
REVOKE ALL ON TABLE crisk.model_fit FROM PUBLIC;

-- as in sql/install/86_fit_scorecard.sql
-- crisk.fit_scorecard: a scorecard model fitted to a development sample
-- (weight-of-evidence binning, logistic regression, points), written as
-- crisk.scorecard rows of a new model plus a crisk.model_fit row.
--
-- It runs with the caller's rights (it reads the caller's sample, and
-- writes crisk.scorecard and crisk.model_fit, which the caller must be
-- allowed to insert into), so it names every object with its schema.
--
-- Steps, for each characteristic (a column of the sample named after one
-- of the seven characteristics crisk.credit_score knows):
--   1. equal-frequency bins: cut points at the 1/bins, 2/bins, ... quantiles
--      of the known values (ties keep a value in one bin), or one bin per
--      value when there are no more values than bins;
--   2. adjacent bins are merged until every bin holds bad and good
--      customers and the bad rate runs one way: up as the value gets worse
--      (more days late, higher utilization, more adverse events), down as
--      it gets better (higher Altman Z, longer relationship), the
--      directions crisk.validate_model checks, so that worse behaviour
--      never earns more points;
--   3. weight of evidence of each bin, WoE = ln(share of all good customers
--      in the bin / share of all bad customers in the bin), and the
--      characteristic's information value IV = sum over bins of
--      (good share - bad share) * WoE; unknown values form their own bin
--      (WoE 0 when the sample has none; counts plus 1/2 when the bin holds
--      only good or only bad customers);
--   4. characteristics left with fewer than two bins carry no information
--      and are left out.
-- Then a logistic regression of going bad on the WoE of the characteristics
-- kept; a characteristic whose coefficient comes out of the wrong sign
-- (which happens when it says the same as others) is left out and the
-- regression run again.  Points: a bin earns -factor * coefficient * WoE,
-- factor = pdo / ln 2 (pdo more points double the good:bad odds), and the
-- constant offset - factor * intercept, offset = base_score - factor *
-- ln(base_odds), is shared among the characteristics; each characteristic
-- is shifted so that its worst bin earns 0 and the constant kept only as
-- far as scores stay within 0 to 100; when the spread alone passes 100,
-- every point is scaled down (model_fit.points_scale).  Points are whole
-- numbers.  Finally the sample is scored with crisk.credit_score under the
-- new model, giving the AUC, Gini and KS, and a logistic regression of
-- going bad on the score gives the probability of default of each score.
-- What crisk.fit_scorecard and crisk.model_performance share: the
-- select list that reads a sample's characteristics (alias s) as numbers
-- v1, v2, ... in the order given, and the crisk.credit_score call that
-- scores a row of the table so made (alias f) under a model.
CREATE FUNCTION crisk._model_sample_columns(characteristics pg_catalog.text[])
    RETURNS pg_catalog.text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    columns_sql pg_catalog.text := '';
BEGIN
    FOR j IN 1 .. pg_catalog.cardinality(characteristics) LOOP
        -- max_days_late reads as crisk.credit_score reads it: unknown but
        -- with nothing ever late (late_share = 0) means 0 days.
        IF characteristics[j] OPERATOR(pg_catalog.=) 'max_days_late'
           AND 'late_share' OPERATOR(pg_catalog.=) ANY (characteristics) THEN
            columns_sql := columns_sql OPERATOR(pg_catalog.||) pg_catalog.format(
                ', CASE WHEN s.max_days_late IS NULL AND s.late_share::pg_catalog.float8 OPERATOR(pg_catalog.=) 0 '
                'THEN 0 ELSE s.max_days_late::pg_catalog.float8 END AS v%s', j);
        ELSE
            columns_sql := columns_sql OPERATOR(pg_catalog.||) pg_catalog.format(', s.%I::pg_catalog.float8 AS v%s', characteristics[j], j);
        END IF;
    END LOOP;
    RETURN columns_sql;
END
$$;
COMMENT ON FUNCTION crisk._model_sample_columns(pg_catalog.text[]) IS
    'Internal: the select list reading a sample''s characteristic columns (alias s) as double precision v1, v2, ... for crisk.fit_scorecard and crisk.model_performance.';

CREATE FUNCTION crisk._model_score_sql(characteristics pg_catalog.text[], model pg_catalog.text)
    RETURNS pg_catalog.text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    names constant pg_catalog.text[] := ARRAY['avg_days_beyond_terms', 'late_share', 'max_days_late',
        'altman_z', 'adverse_events', 'utilization', 'relationship_months', 'event_severity',
        'broken_promises_12m'];
    casts constant pg_catalog.text[] := ARRAY['', '', '::pg_catalog.int4', '', '::pg_catalog.int4', '',
        '::pg_catalog.int4', '::pg_catalog.int4', '::pg_catalog.int4'];
    -- what crisk.credit_score takes when the sample has no such column
    absent constant pg_catalog.text[] := ARRAY['NULL', 'NULL', 'NULL', 'NULL', 'NULL', 'NULL', 'NULL', '0', '0'];
    args pg_catalog.text[] := '{}';
    position pg_catalog.int4;
BEGIN
    FOR j IN 1 .. 9 LOOP
        position := pg_catalog.array_position(characteristics, names[j]);
        args := args OPERATOR(pg_catalog.||)
                CASE WHEN position IS NULL THEN absent[j] ELSE 'f.v' OPERATOR(pg_catalog.||) position OPERATOR(pg_catalog.||) casts[j] END;
    END LOOP;
    RETURN pg_catalog.format(
        'crisk.credit_score(ROW(NULL, NULL, NULL, NULL, NULL, %s, NULL, %s, %s, NULL, NULL)::crisk.payment_profile, '
        'altman_z => %s, adverse_events => %s, utilization => %s, relationship_months => %s, model => %L, '
        'event_severity => %s, broken_promises_12m => %s)',
        args[1], args[2], args[3], args[4], args[5], args[6], args[7], model, args[8], args[9]);
END
$$;
COMMENT ON FUNCTION crisk._model_score_sql(pg_catalog.text[], pg_catalog.text) IS
    'Internal: the crisk.credit_score call scoring a row (alias f, characteristics as v1, v2, ... in the order given) under a model, for crisk.fit_scorecard and crisk.model_performance.';

CREATE FUNCTION crisk.fit_scorecard(sample pg_catalog.regclass,
                                    model pg_catalog.text,
                                    characteristics pg_catalog.text[] DEFAULT NULL,
                                    target pg_catalog.text DEFAULT 'bad',
                                    bins pg_catalog.int4 DEFAULT 5,
                                    pdo pg_catalog.numeric DEFAULT 20,
                                    base_score pg_catalog.int4 DEFAULT 50,
                                    base_odds pg_catalog.numeric DEFAULT 20)
    RETURNS crisk.model_fit
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    known constant pg_catalog.text[] := ARRAY['avg_days_beyond_terms', 'late_share', 'max_days_late',
        'utilization', 'altman_z', 'adverse_events', 'relationship_months', 'event_severity',
        'broken_promises_12m'];
    -- true where a higher value is better (crisk.validate_model's directions)
    higher_is_better constant pg_catalog.bool[] := ARRAY[false, false, false, false, true, false, true, false, false];
    chars pg_catalog.text[];
    better pg_catalog.bool[] := '{}';
    attribute_type pg_catalog.oid;
    columns_sql pg_catalog.text := '';
    n_chars pg_catalog.int4;
    total_bads pg_catalog.float8;
    total_goods pg_catalog.float8;
    quantiles pg_catalog.float8[];
    cuts pg_catalog.float8[];
    lowest pg_catalog.float8;
    nb pg_catalog.float8[];
    ng pg_catalog.float8[];
    missing_bads pg_catalog.float8;
    missing_goods pg_catalog.float8;
    woe pg_catalog.float8[];
    missing_woe pg_catalog.float8;
    iv pg_catalog.float8;
    ivs pg_catalog.float8[] := '{}';
    nbins pg_catalog.int4;
    merge_at pg_catalog.int4;
    rate_1 pg_catalog.float8;
    rate_2 pg_catalog.float8;
    active pg_catalog.int4[] := '{}';
    x_sql pg_catalog.text;
    fit crisk.logit_fit;
    worst pg_catalog.int4;
    worst_coefficient pg_catalog.float8;
    coefficients pg_catalog.float8[];
    std_errors pg_catalog.float8[];
    factor pg_catalog.float8;
    score_offset pg_catalog.float8;
    constant_points pg_catalog.float8;
    spread pg_catalog.float8 := 0;
    scale pg_catalog.float8;
    share pg_catalog.int4;
    total_max pg_catalog.int4;
    use_floor pg_catalog.bool := false;
    score_sql pg_catalog.text;
    result crisk.model_fit;
    auc_value pg_catalog.float8;
    ks_value pg_catalog.float8;
    pd_coefficients pg_catalog.float8[];
    class_shares pg_catalog.float8[];
    j pg_catalog.int4;
    k pg_catalog.int4;
    position pg_catalog.int4;
BEGIN
    -- Arguments.
    IF fit_scorecard.sample IS NULL THEN
        RAISE EXCEPTION 'sample must not be NULL' USING ERRCODE = '22004',
            HINT = 'Pass the development sample, e.g. a table made from crisk.development_sample().';
    END IF;
    IF fit_scorecard.model IS NULL THEN
        RAISE EXCEPTION 'model must not be NULL' USING ERRCODE = '22004';
    END IF;
    IF fit_scorecard.model OPERATOR(pg_catalog.=) '' OR fit_scorecard.model OPERATOR(pg_catalog.=) 'default' THEN
        RAISE EXCEPTION 'model must be a new name, not "%"', fit_scorecard.model USING ERRCODE = '22023',
            DETAIL = 'Model "default" is the shipped expert model; a fitted model needs a name of its own.';
    END IF;
    IF EXISTS (SELECT FROM crisk.scorecard AS s WHERE s.model OPERATOR(pg_catalog.=) fit_scorecard.model)
       OR EXISTS (SELECT FROM crisk.model_fit AS f WHERE f.model OPERATOR(pg_catalog.=) fit_scorecard.model) THEN
        RAISE EXCEPTION 'model "%" already exists', fit_scorecard.model USING ERRCODE = '42710',
            HINT = 'Fit under a new name; accounts move to it with UPDATE crisk.account SET model = ...';
    END IF;
    IF fit_scorecard.target IS NULL OR fit_scorecard.bins IS NULL OR fit_scorecard.pdo IS NULL
       OR fit_scorecard.base_score IS NULL OR fit_scorecard.base_odds IS NULL THEN
        RAISE EXCEPTION 'target, bins, pdo, base_score and base_odds must not be NULL' USING ERRCODE = '22004';
    END IF;
    IF fit_scorecard.bins OPERATOR(pg_catalog.<) 2 OR fit_scorecard.bins OPERATOR(pg_catalog.>) 20 THEN
        RAISE EXCEPTION 'bins must be between 2 and 20' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('bins is %s.', fit_scorecard.bins);
    END IF;
    IF NOT (fit_scorecard.pdo OPERATOR(pg_catalog.>) 0 AND fit_scorecard.pdo OPERATOR(pg_catalog.<) 'Infinity') THEN
        RAISE EXCEPTION 'pdo must be a positive number of points' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('pdo is %s.', fit_scorecard.pdo);
    END IF;
    IF fit_scorecard.base_score OPERATOR(pg_catalog.<) 0 OR fit_scorecard.base_score OPERATOR(pg_catalog.>) 100 THEN
        RAISE EXCEPTION 'base_score must be between 0 and 100' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('base_score is %s.', fit_scorecard.base_score);
    END IF;
    IF NOT (fit_scorecard.base_odds OPERATOR(pg_catalog.>) 0 AND fit_scorecard.base_odds OPERATOR(pg_catalog.<) 'Infinity') THEN
        RAISE EXCEPTION 'base_odds must be positive' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('base_odds is %s.', fit_scorecard.base_odds);
    END IF;

    SELECT a.atttypid INTO attribute_type FROM pg_catalog.pg_attribute AS a
    WHERE a.attrelid OPERATOR(pg_catalog.=) fit_scorecard.sample
      AND a.attname OPERATOR(pg_catalog.=) fit_scorecard.target
      AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'target column "%" does not exist in %', fit_scorecard.target, fit_scorecard.sample
            USING ERRCODE = '42703';
    ELSIF attribute_type OPERATOR(pg_catalog.<>) 'pg_catalog.bool'::pg_catalog.regtype THEN
        RAISE EXCEPTION 'target column "%" must be boolean', fit_scorecard.target USING ERRCODE = '42804',
            DETAIL = pg_catalog.format('It is %s.', attribute_type::pg_catalog.regtype);
    END IF;

    IF fit_scorecard.characteristics IS NULL THEN
        SELECT pg_catalog.array_agg(c.name ORDER BY c.ordinal) INTO chars
        FROM pg_catalog.unnest(known) WITH ORDINALITY AS c(name, ordinal)
        WHERE EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
                      WHERE a.attrelid OPERATOR(pg_catalog.=) fit_scorecard.sample
                        AND a.attname OPERATOR(pg_catalog.=) c.name
                        AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped);
        IF chars IS NULL THEN
            RAISE EXCEPTION 'sample % has no characteristic column', fit_scorecard.sample
                USING ERRCODE = '22023',
                DETAIL = 'Characteristics are columns named ' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(known, ', ') OPERATOR(pg_catalog.||) '.';
        END IF;
    ELSE
        chars := fit_scorecard.characteristics;
        IF pg_catalog.cardinality(chars) OPERATOR(pg_catalog.=) 0 THEN
            RAISE EXCEPTION 'characteristics must not be empty' USING ERRCODE = '22023',
                HINT = 'Pass NULL to use every characteristic column of the sample.';
        END IF;
        FOR j IN 1 .. pg_catalog.cardinality(chars) LOOP
            IF chars[j] IS NULL OR NOT chars[j] OPERATOR(pg_catalog.=) ANY (known) THEN
                RAISE EXCEPTION 'characteristics must name characteristics crisk scores' USING ERRCODE = '22023',
                    DETAIL = pg_catalog.format('"%s" is not one of %s.', chars[j], pg_catalog.array_to_string(known, ', '));
            END IF;
            IF chars[j] OPERATOR(pg_catalog.=) ANY (chars[1:j OPERATOR(pg_catalog.-) 1]) THEN
                RAISE EXCEPTION 'characteristics must not repeat a characteristic' USING ERRCODE = '22023',
                    DETAIL = pg_catalog.format('"%s" is named twice.', chars[j]);
            END IF;
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
                           WHERE a.attrelid OPERATOR(pg_catalog.=) fit_scorecard.sample
                             AND a.attname OPERATOR(pg_catalog.=) chars[j]
                             AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) THEN
                RAISE EXCEPTION 'characteristic column "%" does not exist in %', chars[j], fit_scorecard.sample
                    USING ERRCODE = '42703';
            END IF;
        END LOOP;
    END IF;
    n_chars := pg_catalog.cardinality(chars);
    FOR j IN 1 .. n_chars LOOP
        better := better OPERATOR(pg_catalog.||) higher_is_better[pg_catalog.array_position(known, chars[j])];
    END LOOP;
    columns_sql := crisk._model_sample_columns(chars);

    -- The sample, once: the outcome and each characteristic as a number.
    -- Work tables of an earlier call in this transaction go first.
    IF pg_catalog.to_regclass('pg_temp.crisk_fit_sample') IS NOT NULL THEN
        DROP TABLE pg_temp.crisk_fit_sample;
    END IF;
    IF pg_catalog.to_regclass('pg_temp.crisk_fit_bins') IS NOT NULL THEN
        DROP TABLE pg_temp.crisk_fit_bins;
    END IF;
    IF pg_catalog.to_regclass('pg_temp.crisk_fit_points') IS NOT NULL THEN
        DROP TABLE pg_temp.crisk_fit_points;
    END IF;
    IF pg_catalog.to_regclass('pg_temp.crisk_fit_scores') IS NOT NULL THEN
        DROP TABLE pg_temp.crisk_fit_scores;
    END IF;
    EXECUTE pg_catalog.format(
        'CREATE TEMPORARY TABLE crisk_fit_sample ON COMMIT DROP AS SELECT s.%I AS bad%s FROM %s AS s WHERE s.%I IS NOT NULL',
        fit_scorecard.target, columns_sql, fit_scorecard.sample, fit_scorecard.target);
    SELECT pg_catalog.count(*) FILTER (WHERE f.bad), pg_catalog.count(*) FILTER (WHERE NOT f.bad)
    INTO total_bads, total_goods FROM pg_temp.crisk_fit_sample AS f;
    IF total_bads OPERATOR(pg_catalog.=) 0 OR total_goods OPERATOR(pg_catalog.=) 0 THEN
        RAISE EXCEPTION 'sample must hold both bad and good customers' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('It has %s bad and %s good customers with a known outcome.', total_bads, total_goods);
    END IF;

    -- Bins of each characteristic.
    CREATE TEMPORARY TABLE crisk_fit_bins (characteristic pg_catalog.int4, bin pg_catalog.int4,
        lower_bound pg_catalog.float8, upper_bound pg_catalog.float8, woe pg_catalog.float8) ON COMMIT DROP;
    SELECT pg_catalog.array_agg(g::pg_catalog.float8 OPERATOR(pg_catalog./) fit_scorecard.bins)
    INTO quantiles FROM pg_catalog.generate_series(1, fit_scorecard.bins OPERATOR(pg_catalog.-) 1) AS g;
    FOR j IN 1 .. n_chars LOOP
        -- A characteristic with few values (adverse events) gets a bin per
        -- value; others cut at quantiles.
        EXECUTE pg_catalog.format(
            'SELECT CASE WHEN pg_catalog.count(DISTINCT f.v%1$s) OPERATOR(pg_catalog.<=) $2
                         THEN pg_catalog.array_agg(DISTINCT f.v%1$s)
                         ELSE pg_catalog.percentile_disc($1) WITHIN GROUP (ORDER BY f.v%1$s) END,
                    pg_catalog.min(f.v%1$s)
             FROM pg_temp.crisk_fit_sample AS f WHERE f.v%1$s IS NOT NULL', j)
        INTO cuts, lowest USING quantiles, fit_scorecard.bins;
        SELECT pg_catalog.array_agg(DISTINCT c ORDER BY c) INTO cuts
        FROM pg_catalog.unnest(cuts) AS c WHERE c OPERATOR(pg_catalog.>) lowest;
        cuts := coalesce(cuts, '{}');
        EXECUTE pg_catalog.format(
            'SELECT pg_catalog.array_agg(b.bads ORDER BY b.bin), pg_catalog.array_agg(b.goods ORDER BY b.bin)
             FROM (SELECT pg_catalog.width_bucket(f.v%1$s, $1) AS bin,
                          pg_catalog.count(*) FILTER (WHERE f.bad)::pg_catalog.float8 AS bads,
                          pg_catalog.count(*) FILTER (WHERE NOT f.bad)::pg_catalog.float8 AS goods
                   FROM pg_temp.crisk_fit_sample AS f WHERE f.v%1$s IS NOT NULL GROUP BY 1) AS b', j)
        INTO nb, ng USING cuts;
        EXECUTE pg_catalog.format(
            'SELECT pg_catalog.count(*) FILTER (WHERE f.bad), pg_catalog.count(*) FILTER (WHERE NOT f.bad)
             FROM pg_temp.crisk_fit_sample AS f WHERE f.v%s IS NULL', j)
        INTO missing_bads, missing_goods;
        nb := coalesce(nb, '{}');
        ng := coalesce(ng, '{}');

        -- Merge adjacent bins until each holds both outcomes and the bad
        -- rate runs the characteristic's way.
        LOOP
            nbins := pg_catalog.cardinality(nb);
            EXIT WHEN nbins OPERATOR(pg_catalog.<=) 1;
            merge_at := NULL;
            FOR k IN 1 .. nbins LOOP
                IF nb[k] OPERATOR(pg_catalog.=) 0 OR ng[k] OPERATOR(pg_catalog.=) 0 THEN
                    merge_at := CASE WHEN k OPERATOR(pg_catalog.<) nbins THEN k ELSE k OPERATOR(pg_catalog.-) 1 END;
                    EXIT;
                END IF;
            END LOOP;
            IF merge_at IS NULL THEN
                FOR k IN 1 .. nbins OPERATOR(pg_catalog.-) 1 LOOP
                    rate_1 := nb[k] OPERATOR(pg_catalog./) (nb[k] OPERATOR(pg_catalog.+) ng[k]);
                    rate_2 := nb[k OPERATOR(pg_catalog.+) 1] OPERATOR(pg_catalog./) (nb[k OPERATOR(pg_catalog.+) 1] OPERATOR(pg_catalog.+) ng[k OPERATOR(pg_catalog.+) 1]);
                    IF (better[j] AND rate_1 OPERATOR(pg_catalog.<=) rate_2)
                       OR (NOT better[j] AND rate_1 OPERATOR(pg_catalog.>=) rate_2) THEN
                        merge_at := k;
                        EXIT;
                    END IF;
                END LOOP;
            END IF;
            EXIT WHEN merge_at IS NULL;
            nb := nb[1:merge_at OPERATOR(pg_catalog.-) 1] OPERATOR(pg_catalog.||) (nb[merge_at] OPERATOR(pg_catalog.+) nb[merge_at OPERATOR(pg_catalog.+) 1])
                  OPERATOR(pg_catalog.||) nb[merge_at OPERATOR(pg_catalog.+) 2:nbins];
            ng := ng[1:merge_at OPERATOR(pg_catalog.-) 1] OPERATOR(pg_catalog.||) (ng[merge_at] OPERATOR(pg_catalog.+) ng[merge_at OPERATOR(pg_catalog.+) 1])
                  OPERATOR(pg_catalog.||) ng[merge_at OPERATOR(pg_catalog.+) 2:nbins];
            cuts := cuts[1:merge_at OPERATOR(pg_catalog.-) 1] OPERATOR(pg_catalog.||) cuts[merge_at OPERATOR(pg_catalog.+) 1:nbins OPERATOR(pg_catalog.-) 1];
        END LOOP;

        -- Weights of evidence and information value.
        nbins := pg_catalog.cardinality(nb);
        woe := '{}';
        iv := 0;
        FOR k IN 1 .. nbins LOOP
            woe := woe OPERATOR(pg_catalog.||) pg_catalog.ln((ng[k] OPERATOR(pg_catalog./) total_goods)
                                                             OPERATOR(pg_catalog./) (nb[k] OPERATOR(pg_catalog./) total_bads));
            iv := iv OPERATOR(pg_catalog.+)
                  (((ng[k] OPERATOR(pg_catalog./) total_goods) OPERATOR(pg_catalog.-) (nb[k] OPERATOR(pg_catalog./) total_bads))
                   OPERATOR(pg_catalog.*) woe[k]);
        END LOOP;
        IF missing_bads OPERATOR(pg_catalog.+) missing_goods OPERATOR(pg_catalog.=) 0 THEN
            missing_woe := 0;
        ELSE
            IF missing_bads OPERATOR(pg_catalog.=) 0 OR missing_goods OPERATOR(pg_catalog.=) 0 THEN
                missing_bads := missing_bads OPERATOR(pg_catalog.+) 0.5;
                missing_goods := missing_goods OPERATOR(pg_catalog.+) 0.5;
            END IF;
            missing_woe := pg_catalog.ln((missing_goods OPERATOR(pg_catalog./) total_goods)
                                         OPERATOR(pg_catalog./) (missing_bads OPERATOR(pg_catalog./) total_bads));
            iv := iv OPERATOR(pg_catalog.+)
                  (((missing_goods OPERATOR(pg_catalog./) total_goods)
                    OPERATOR(pg_catalog.-) (missing_bads OPERATOR(pg_catalog./) total_bads))
                   OPERATOR(pg_catalog.*) missing_woe);
        END IF;
        ivs := ivs OPERATOR(pg_catalog.||) iv;
        IF nbins OPERATOR(pg_catalog.>=) 2 THEN
            active := active OPERATOR(pg_catalog.||) j;
            INSERT INTO pg_temp.crisk_fit_bins
            SELECT j, g, CASE WHEN g OPERATOR(pg_catalog.>) 1 THEN cuts[g OPERATOR(pg_catalog.-) 1] END,
                   CASE WHEN g OPERATOR(pg_catalog.<) nbins THEN cuts[g] END, woe[g]
            FROM pg_catalog.generate_series(1, nbins) AS g
            UNION ALL
            SELECT j, 0, NULL, NULL, missing_woe;
        END IF;
    END LOOP;

    -- Logistic regression on the weights of evidence, leaving out
    -- characteristics whose coefficient has the wrong sign.
    LOOP
        IF pg_catalog.cardinality(active) OPERATOR(pg_catalog.=) 0 THEN
            RAISE EXCEPTION 'no characteristic separates bad from good customers in %', fit_scorecard.sample
                USING ERRCODE = '22023',
                DETAIL = 'Once binned, no characteristic has two classes with different bad rates in the direction crisk expects.',
                HINT = 'Use a larger sample, or a longer horizon so that more customers go bad.';
        END IF;
        SELECT pg_catalog.string_agg(pg_catalog.format(
                   'CASE WHEN f.v%1$s IS NULL THEN %2$s::pg_catalog.float8 ELSE (%3$L::pg_catalog.float8[])[pg_catalog.width_bucket(f.v%1$s, %4$L::pg_catalog.float8[]) OPERATOR(pg_catalog.+) 1] END',
                   c.characteristic, c.missing_woe, c.woes, c.cuts), ', ' ORDER BY c.characteristic)
        INTO x_sql
        FROM (SELECT b.characteristic,
                     pg_catalog.max(b.woe) FILTER (WHERE b.bin OPERATOR(pg_catalog.=) 0) AS missing_woe,
                     pg_catalog.array_agg(b.woe ORDER BY b.bin) FILTER (WHERE b.bin OPERATOR(pg_catalog.>) 0) AS woes,
                     pg_catalog.array_agg(b.lower_bound ORDER BY b.bin) FILTER (WHERE b.bin OPERATOR(pg_catalog.>) 1) AS cuts
              FROM pg_temp.crisk_fit_bins AS b
              WHERE b.characteristic OPERATOR(pg_catalog.=) ANY (active)
              GROUP BY b.characteristic) AS c;
        EXECUTE 'SELECT (r.fit).* FROM (SELECT crisk.logistic_regression(f.bad, ARRAY[' OPERATOR(pg_catalog.||) x_sql OPERATOR(pg_catalog.||) ']) AS fit '
                'FROM pg_temp.crisk_fit_sample AS f) AS r'
        INTO fit;
        worst := NULL;
        worst_coefficient := 0;
        FOR position IN 1 .. pg_catalog.cardinality(active) LOOP
            IF fit.coefficients[position OPERATOR(pg_catalog.+) 1] OPERATOR(pg_catalog.>=) worst_coefficient THEN
                worst := position;
                worst_coefficient := fit.coefficients[position OPERATOR(pg_catalog.+) 1];
            END IF;
        END LOOP;
        EXIT WHEN worst IS NULL;
        active := active[1:worst OPERATOR(pg_catalog.-) 1] OPERATOR(pg_catalog.||) active[worst OPERATOR(pg_catalog.+) 1:pg_catalog.cardinality(active)];
    END LOOP;
    coefficients := ARRAY[fit.coefficients[1]];
    std_errors := ARRAY[fit.std_errors[1]];
    FOR j IN 1 .. n_chars LOOP
        position := pg_catalog.array_position(active, j);
        coefficients := coefficients OPERATOR(pg_catalog.||) fit.coefficients[position OPERATOR(pg_catalog.+) 1];
        std_errors := std_errors OPERATOR(pg_catalog.||) fit.std_errors[position OPERATOR(pg_catalog.+) 1];
    END LOOP;

    -- Points.
    factor := fit_scorecard.pdo::pg_catalog.float8 OPERATOR(pg_catalog./) pg_catalog.ln(2::pg_catalog.float8);
    score_offset := fit_scorecard.base_score OPERATOR(pg_catalog.-)
                    (factor OPERATOR(pg_catalog.*) pg_catalog.ln(fit_scorecard.base_odds::pg_catalog.float8));
    CREATE TEMPORARY TABLE crisk_fit_points ON COMMIT DROP AS
    SELECT b.characteristic, b.bin, b.lower_bound, b.upper_bound,
           (OPERATOR(pg_catalog.-) factor) OPERATOR(pg_catalog.*) coefficients[b.characteristic OPERATOR(pg_catalog.+) 1]
               OPERATOR(pg_catalog.*) b.woe AS raw_points,
           NULL::pg_catalog.int4 AS points
    FROM pg_temp.crisk_fit_bins AS b
    WHERE b.characteristic OPERATOR(pg_catalog.=) ANY (active);
    SELECT pg_catalog.sum(r.spread), pg_catalog.sum(r.lowest)
    INTO spread, constant_points
    FROM (SELECT pg_catalog.max(p.raw_points) OPERATOR(pg_catalog.-) pg_catalog.min(p.raw_points) AS spread,
                 pg_catalog.min(p.raw_points) AS lowest
          FROM pg_temp.crisk_fit_points AS p GROUP BY p.characteristic) AS r;
    constant_points := (constant_points OPERATOR(pg_catalog.+) score_offset)
                       OPERATOR(pg_catalog.-) (factor OPERATOR(pg_catalog.*) fit.coefficients[1]);
    scale := CASE WHEN spread OPERATOR(pg_catalog.>) 100 THEN 100 OPERATOR(pg_catalog./) spread ELSE 1 END;
    LOOP
        UPDATE pg_temp.crisk_fit_points AS p
        SET points = (CASE WHEN use_floor THEN pg_catalog.floor(v.x) ELSE pg_catalog.round(v.x) END)::pg_catalog.int4
        FROM (SELECT q.characteristic, q.bin,
                     scale OPERATOR(pg_catalog.*) (q.raw_points OPERATOR(pg_catalog.-)
                         pg_catalog.min(q.raw_points) OVER (PARTITION BY q.characteristic)) AS x
              FROM pg_temp.crisk_fit_points AS q) AS v
        WHERE v.characteristic OPERATOR(pg_catalog.=) p.characteristic AND v.bin OPERATOR(pg_catalog.=) p.bin;
        SELECT pg_catalog.sum(m.best) INTO total_max
        FROM (SELECT pg_catalog.max(p.points) AS best FROM pg_temp.crisk_fit_points AS p GROUP BY p.characteristic) AS m;
        EXIT WHEN total_max OPERATOR(pg_catalog.<=) 100 OR use_floor;
        use_floor := true;
    END LOOP;
    -- The constant, as far as it keeps every score within 0 to 100, shared
    -- equally (in whole points) among the characteristics.
    IF scale OPERATOR(pg_catalog.=) 1 THEN
        share := pg_catalog.floor(GREATEST(0, LEAST(constant_points, 100 OPERATOR(pg_catalog.-) total_max))
                                  OPERATOR(pg_catalog./) pg_catalog.cardinality(active))::pg_catalog.int4;
        UPDATE pg_temp.crisk_fit_points AS p SET points = p.points OPERATOR(pg_catalog.+) share;
    END IF;

    INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points)
    SELECT fit_scorecard.model, chars[p.characteristic], p.lower_bound, p.upper_bound, p.points
    FROM pg_temp.crisk_fit_points AS p
    ORDER BY p.characteristic, p.bin;

    -- The sample scored under the new model, as crisk.credit_score scores.
    score_sql := crisk._model_score_sql(chars, fit_scorecard.model);
    EXECUTE 'CREATE TEMPORARY TABLE crisk_fit_scores ON COMMIT DROP AS '
            'SELECT f.bad, ' OPERATOR(pg_catalog.||) score_sql OPERATOR(pg_catalog.||) ' AS score FROM pg_temp.crisk_fit_sample AS f';
    SELECT crisk.auc(s.score, s.bad), crisk.ks(s.score, s.bad),
           (crisk.logistic_regression(s.bad, ARRAY[s.score::pg_catalog.float8])).coefficients
    INTO auc_value, ks_value, pd_coefficients
    FROM pg_temp.crisk_fit_scores AS s;
    SELECT pg_catalog.array_agg(coalesce(n.customers, 0)::pg_catalog.float8
                                OPERATOR(pg_catalog./) (total_bads OPERATOR(pg_catalog.+) total_goods) ORDER BY c.risk_class)
    INTO class_shares
    FROM pg_catalog.unnest(ARRAY['A', 'B', 'C', 'D', 'E']::pg_catalog.text[]) AS c(risk_class)
    LEFT JOIN (SELECT crisk.risk_class(s.score) AS risk_class, pg_catalog.count(*) AS customers
               FROM pg_temp.crisk_fit_scores AS s GROUP BY 1) AS n
      ON n.risk_class OPERATOR(pg_catalog.=) c.risk_class;

    INSERT INTO crisk.model_fit AS m (model, sample, target, sample_size, bad_rate, characteristics,
                                      information_values, coefficients, std_errors, pdo, base_score,
                                      base_odds, points_scale, auc, gini, ks, pd_intercept, pd_slope,
                                      class_shares)
    VALUES (fit_scorecard.model, fit_scorecard.sample::pg_catalog.text, fit_scorecard.target,
            (total_bads OPERATOR(pg_catalog.+) total_goods)::pg_catalog.int8,
            total_bads OPERATOR(pg_catalog./) (total_bads OPERATOR(pg_catalog.+) total_goods),
            chars, ivs, coefficients, std_errors, fit_scorecard.pdo, fit_scorecard.base_score,
            fit_scorecard.base_odds, scale, auc_value,
            (2 OPERATOR(pg_catalog.*) auc_value) OPERATOR(pg_catalog.-) 1, ks_value,
            pd_coefficients[1], pd_coefficients[2], class_shares)
    RETURNING m.* INTO result;
    DROP TABLE pg_temp.crisk_fit_scores;
    DROP TABLE pg_temp.crisk_fit_points;
    DROP TABLE pg_temp.crisk_fit_bins;
    DROP TABLE pg_temp.crisk_fit_sample;
    RETURN result;
END
$$;
COMMENT ON FUNCTION crisk.fit_scorecard(pg_catalog.regclass, pg_catalog.text, pg_catalog.text[], pg_catalog.text,
                                        pg_catalog.int4, pg_catalog.numeric, pg_catalog.int4, pg_catalog.numeric) IS
    'Fits a scorecard model to a development sample (one row per customer, characteristic columns and a boolean outcome): monotone weight-of-evidence bins, information values, logistic regression, points within 0 to 100; writes the model''s crisk.scorecard rows and a crisk.model_fit row, which it returns. Runs with the caller''s rights.';
REVOKE ALL ON FUNCTION crisk.fit_scorecard(pg_catalog.regclass, pg_catalog.text, pg_catalog.text[], pg_catalog.text,
                                           pg_catalog.int4, pg_catalog.numeric, pg_catalog.int4, pg_catalog.numeric)
    FROM PUBLIC;

-- as in sql/install/87_development_sample.sql
-- crisk.development_sample: each customer's characteristics on an
-- observation date and whether they went bad within a horizon after it,
-- the input of crisk.fit_scorecard.
--
-- The characteristics are those a rescoring pass as of the observation date
-- computes (crisk._rescore_worklist and crisk._rescore_compute: the ledger
-- as it stood then, financial statements closed by then, events that had
-- occurred by then), except that the credit limit behind utilization is the
-- one in force on the observation date, read back from crisk.limit_change,
-- not today's (for an account created in crisk after the observation date,
-- with its history loaded, the limit it was created with).  Customers without an account, or without an invoice issued
-- by the observation date, are not in the sample.
--
-- Bad: an invoice of the customer reached bad_days_past_due days past due
-- (its due date + bad_days_past_due fell after the observation date and
-- within the horizon, and it was not paid by that day), or insolvency
-- proceedings (event kinds safeguard, receivership, liquidation) occurred
-- within the horizon.
--
-- It runs with the caller's rights and reads what a rescoring pass reads,
-- through the same internal functions: it needs the rights of the role the
-- worker runs as (crisk.grant_worker_privileges), and PUBLIC may not run it.
CREATE FUNCTION crisk.development_sample(observation_date pg_catalog.date,
                                         horizon pg_catalog.interval DEFAULT '12 months',
                                         bad_days_past_due pg_catalog.int4 DEFAULT 90)
    RETURNS TABLE (customer_id pg_catalog.text,
                   avg_days_beyond_terms pg_catalog.float8,
                   late_share pg_catalog.float8,
                   max_days_late pg_catalog.int4,
                   utilization pg_catalog.float8,
                   altman_z pg_catalog.float8,
                   adverse_events pg_catalog.int4,
                   relationship_months pg_catalog.int4,
                   event_severity pg_catalog.int4,
                   broken_promises_12m pg_catalog.int4,
                   bad pg_catalog.bool)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    horizon_end pg_catalog.date;
BEGIN
    IF development_sample.observation_date IS NULL THEN
        RAISE EXCEPTION 'observation_date must not be NULL' USING ERRCODE = '22004';
    END IF;
    IF NOT pg_catalog.isfinite(development_sample.observation_date) THEN
        RAISE EXCEPTION 'observation_date must be a finite date' USING ERRCODE = '22023';
    END IF;
    IF development_sample.horizon IS NULL OR development_sample.bad_days_past_due IS NULL THEN
        RAISE EXCEPTION 'horizon and bad_days_past_due must not be NULL' USING ERRCODE = '22004';
    END IF;
    horizon_end := (development_sample.observation_date OPERATOR(pg_catalog.+) development_sample.horizon)::pg_catalog.date;
    IF horizon_end OPERATOR(pg_catalog.<=) development_sample.observation_date THEN
        RAISE EXCEPTION 'horizon must be at least a day' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('horizon is %s.', development_sample.horizon);
    END IF;
    IF development_sample.bad_days_past_due OPERATOR(pg_catalog.<=) 0 THEN
        RAISE EXCEPTION 'bad_days_past_due must be positive' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('bad_days_past_due is %s.', development_sample.bad_days_past_due);
    END IF;

    RETURN QUERY
    WITH worklist AS (
        SELECT w AS item,
               -- the limit in force at the end of the observation date
               (SELECT c.new_limit FROM crisk.limit_change AS c
                WHERE c.customer_id OPERATOR(pg_catalog.=) w.customer_id
                  AND c.changed_at OPERATOR(pg_catalog.<) (development_sample.observation_date OPERATOR(pg_catalog.+) 1)
                ORDER BY c.changed_at DESC, c.change_id DESC LIMIT 1) AS limit_before,
               EXISTS (SELECT FROM crisk.limit_change AS c
                       WHERE c.customer_id OPERATOR(pg_catalog.=) w.customer_id
                         AND c.changed_at OPERATOR(pg_catalog.<) (development_sample.observation_date OPERATOR(pg_catalog.+) 1)) AS changed_before,
               -- else the limit the first later change replaced; a later
               -- change that created the account (old_locked NULL) replaced
               -- nothing, and its limit is the earliest known
               (SELECT CASE WHEN c.old_locked IS NULL THEN c.new_limit ELSE c.old_limit END
                FROM crisk.limit_change AS c
                WHERE c.customer_id OPERATOR(pg_catalog.=) w.customer_id
                  AND c.changed_at OPERATOR(pg_catalog.>=) (development_sample.observation_date OPERATOR(pg_catalog.+) 1)
                ORDER BY c.changed_at, c.change_id LIMIT 1) AS limit_after,
               EXISTS (SELECT FROM crisk.limit_change AS c
                       WHERE c.customer_id OPERATOR(pg_catalog.=) w.customer_id
                         AND c.changed_at OPERATOR(pg_catalog.>=) (development_sample.observation_date OPERATOR(pg_catalog.+) 1)) AS changed_after
        FROM crisk._rescore_worklist(development_sample.observation_date) AS w
        WHERE NOT (w.profile IS NULL)
    ), items AS (
        SELECT pg_catalog.array_agg(
                   CASE WHEN k.changed_before OR k.changed_after
                        THEN pg_catalog.jsonb_populate_record(k.item, pg_catalog.jsonb_build_object(
                                 'credit_limit',
                                 CASE WHEN k.changed_before THEN k.limit_before ELSE k.limit_after END,
                                 -- the limit utilization is measured against
                                 'utilization_limit',
                                 CASE WHEN k.changed_before THEN k.limit_before ELSE k.limit_after END))
                        ELSE k.item END) AS items
        FROM worklist AS k
    ), went_late AS (
        SELECT DISTINCT l.customer_id
        FROM crisk.ledger AS l
        WHERE l.issue_date OPERATOR(pg_catalog.<=) horizon_end
          AND (l.due_date OPERATOR(pg_catalog.+) development_sample.bad_days_past_due)
              OPERATOR(pg_catalog.>) development_sample.observation_date
          AND (l.due_date OPERATOR(pg_catalog.+) development_sample.bad_days_past_due)
              OPERATOR(pg_catalog.<=) horizon_end
          AND (l.paid_date IS NULL
               OR l.paid_date OPERATOR(pg_catalog.>) (l.due_date OPERATOR(pg_catalog.+) development_sample.bad_days_past_due))
    ), went_insolvent AS (
        SELECT DISTINCT e.customer_id
        FROM crisk.event AS e
        WHERE e.kind OPERATOR(pg_catalog.=) ANY (ARRAY['safeguard', 'receivership', 'liquidation']::pg_catalog.text[])
          AND e.occurred_on OPERATOR(pg_catalog.>) development_sample.observation_date
          AND e.occurred_on OPERATOR(pg_catalog.<=) horizon_end
    )
    SELECT r.customer_id,
           ((r.item).profile).avg_days_beyond_terms,
           ((r.item).profile).late_share,
           ((r.item).profile).max_days_late,
           r.utilization, r.altman_z, (r.item).adverse_events, r.relationship_months,
           (r.item).event_severity, (r.item).broken_promises_12m,
           (g.customer_id IS NOT NULL OR i.customer_id IS NOT NULL)
    FROM items,
         LATERAL pg_catalog.unnest(crisk._rescore_compute(items.items, development_sample.observation_date)) AS r
         LEFT JOIN went_late AS g ON g.customer_id OPERATOR(pg_catalog.=) r.customer_id
         LEFT JOIN went_insolvent AS i ON i.customer_id OPERATOR(pg_catalog.=) r.customer_id
    ORDER BY r.customer_id;
END
$$;
COMMENT ON FUNCTION crisk.development_sample(pg_catalog.date, pg_catalog.interval, pg_catalog.int4) IS
    'Development sample for crisk.fit_scorecard: each customer''s characteristics as known on observation_date (limit then in force included) and bad = an invoice reached bad_days_past_due days past due, or insolvency proceedings occurred, within the horizon after it.';
REVOKE ALL ON FUNCTION crisk.development_sample(pg_catalog.date, pg_catalog.interval, pg_catalog.int4) FROM PUBLIC;

-- as in sql/install/88_model_performance.sql
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

-- as in sql/install/89_probability_of_default.sql
-- Probabilities of default and what uses them (SPEC 5.3): crisk.score_pd,
-- the pd column of crisk.score and crisk.score_history (written by
-- rescoring, src/rescore_write.c), the loss given default per segment
-- (crisk.lgd), the expected credit loss as PD x LGD x exposure, and the
-- model_drift alert (crisk.check_model_drift).

CREATE FUNCTION crisk.score_pd(score pg_catalog.int4, pd_intercept pg_catalog.float8,
                               pd_slope pg_catalog.float8)
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'crisk_score_pd'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.score_pd(pg_catalog.int4, pg_catalog.float8, pg_catalog.float8) IS
    '12-month probability of default of a score (0 to 100) under a fitted model''s calibration: 1 / (1 + exp(-(pd_intercept + pd_slope * score))), pd_intercept and pd_slope from crisk.model_fit.';

-- The PD of each scored customer.  Added after the table's other columns,
-- as the upgrade from 0.1.0 adds it.
ALTER TABLE crisk.score ADD COLUMN pd pg_catalog.float8;
COMMENT ON COLUMN crisk.score.pd IS
    '12-month probability of default of the score under the customer''s model (crisk.score_pd with the model''s crisk.model_fit calibration); NULL for a model not fitted by crisk.fit_scorecard, such as the shipped expert model default, whose points were set by judgement, not calibrated to outcomes.';
ALTER TABLE crisk.score_history ADD COLUMN pd pg_catalog.float8;
COMMENT ON COLUMN crisk.score_history.pd IS
    '12-month probability of default of the score (see crisk.score.pd).';

-- The PD of a score under a model, by the model's name.
CREATE FUNCTION crisk.probability_of_default(model pg_catalog.text, score pg_catalog.int4)
    RETURNS pg_catalog.float8
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fit crisk.model_fit;
BEGIN
    SELECT f.* INTO fit FROM crisk.model_fit AS f
    WHERE f.model OPERATOR(pg_catalog.=) probability_of_default.model;
    IF NOT FOUND THEN
        IF NOT EXISTS (SELECT FROM crisk.scorecard AS s
                       WHERE s.model OPERATOR(pg_catalog.=) probability_of_default.model) THEN
            RAISE EXCEPTION 'scorecard model "%" does not exist', probability_of_default.model
                USING ERRCODE = '42704',
                      HINT = 'The models are the distinct values of crisk.scorecard.model.';
        END IF;
        RETURN NULL;            -- an expert model: no calibration to outcomes
    END IF;
    RETURN crisk.score_pd(probability_of_default.score, fit.pd_intercept, fit.pd_slope);
END
$$;
COMMENT ON FUNCTION crisk.probability_of_default(pg_catalog.text, pg_catalog.int4) IS
    '12-month probability of default of a score under a model fitted by crisk.fit_scorecard; NULL for a model not fitted (such as default); 42704 for an unknown model, 22023 for a score outside 0 to 100.';

-- Loss given default per segment (crisk.account.segment): the share of a
-- defaulted customer's exposure that is lost, after recoveries, credit
-- insurance and collateral.  Segments without a row use the setting
-- crisk.default_lgd (0.45 unless set).
CREATE TABLE crisk.lgd (
    segment             pg_catalog.text NOT NULL,
    loss_given_default  pg_catalog.numeric NOT NULL,
    note                pg_catalog.text,
    CONSTRAINT lgd_pkey PRIMARY KEY (segment),
    CONSTRAINT lgd_fraction CHECK (loss_given_default OPERATOR(pg_catalog.>=) 0
                                   AND loss_given_default OPERATOR(pg_catalog.<=) 1)
);
COMMENT ON TABLE crisk.lgd IS
    'Loss given default per customer segment (crisk.account.segment), for the expected credit loss by PD (crisk.expected_credit_loss_by_pd); a segment without a row, or a customer without a segment, uses the setting crisk.default_lgd.';
COMMENT ON COLUMN crisk.lgd.segment IS 'A value of crisk.account.segment.';
COMMENT ON COLUMN crisk.lgd.loss_given_default IS 'Share of the exposure lost when a customer of the segment defaults, as a fraction (0.45 for 45 %).';
COMMENT ON COLUMN crisk.lgd.note IS 'Where the figure comes from (recovery statistics, credit insurance cover, ...).';
REVOKE ALL ON crisk.lgd FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.lgd', '');

-- The aggregate crisk.expected_credit_loss(exposure, pd, lgd): the sum of
-- exposure x PD x LGD, rounded once to the cent at the end.  The PD is
-- taken as numeric with 15 significant digits (float8 to numeric); the
-- products are summed exactly.  Rows with a NULL are skipped; an exposure
-- of 0 or less (a customer in credit) loses nothing.
CREATE FUNCTION crisk.expected_credit_loss_pd_transition(state pg_catalog.numeric,
                                                         exposure pg_catalog.numeric,
                                                         pd pg_catalog.float8,
                                                         lgd pg_catalog.numeric)
    RETURNS pg_catalog.numeric
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF exposure IS NULL OR pd IS NULL OR lgd IS NULL THEN
        RETURN state;
    END IF;
    IF NOT (pd OPERATOR(pg_catalog.>=) 0 AND pd OPERATOR(pg_catalog.<=) 1) THEN
        RAISE EXCEPTION 'pd must be a probability from 0 to 1' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('A row has pd %s.', pd);
    END IF;
    IF NOT (lgd OPERATOR(pg_catalog.>=) 0 AND lgd OPERATOR(pg_catalog.<=) 1) THEN
        RAISE EXCEPTION 'lgd must be a fraction from 0 to 1' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('A row has lgd %s.', lgd);
    END IF;
    -- OPERATOR() binds all alike, left to right: the product in parentheses.
    RETURN COALESCE(state, 0) OPERATOR(pg_catalog.+)
           (GREATEST(exposure, 0) OPERATOR(pg_catalog.*) pd::pg_catalog.numeric
            OPERATOR(pg_catalog.*) lgd);
END
$$;
COMMENT ON FUNCTION crisk.expected_credit_loss_pd_transition(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.float8, pg_catalog.numeric) IS
    'Transition function of crisk.expected_credit_loss(exposure, pd, lgd): adds exposure x pd x lgd (0 for an exposure of 0 or less), exactly; rows with a NULL are skipped; pd or lgd outside 0 to 1 raise 22023.';

CREATE FUNCTION crisk.expected_credit_loss_pd_final(state pg_catalog.numeric)
    RETURNS pg_catalog.numeric
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN pg_catalog.round(state, 2);
COMMENT ON FUNCTION crisk.expected_credit_loss_pd_final(pg_catalog.numeric) IS
    'Final function of crisk.expected_credit_loss(exposure, pd, lgd): the exact sum rounded to the cent.';

CREATE AGGREGATE crisk.expected_credit_loss(exposure pg_catalog.numeric, pd pg_catalog.float8,
                                            lgd pg_catalog.numeric) (
    SFUNC = crisk.expected_credit_loss_pd_transition,
    STYPE = pg_catalog.numeric,
    COMBINEFUNC = pg_catalog.numeric_add,
    FINALFUNC = crisk.expected_credit_loss_pd_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.expected_credit_loss(pg_catalog.numeric, pg_catalog.float8, pg_catalog.numeric) IS
    'Expected credit loss as the sum of exposure x probability of default x loss given default, rounded to the cent; in place of the provision matrix for customers scored by a fitted model. Rows with a NULL are skipped; an exposure of 0 or less loses nothing; no rows give NULL.';

-- Per customer, from the last rescoring: the exposure (open receivables),
-- the PD of crisk.score, the LGD of the customer's segment, and their
-- product rounded to the cent.  Customers whose model gives no PD (an
-- expert model) have a NULL PD and loss: the provision matrix covers them
-- (crisk.portfolio_kpi).  The setting crisk.default_lgd is read as set,
-- 0.45 when crisk's library is not loaded in the session yet.  Runs with
-- the caller's rights.
CREATE FUNCTION crisk.expected_credit_loss_by_pd()
    RETURNS TABLE (customer_id pg_catalog.text, segment pg_catalog.text, model pg_catalog.text,
                   as_of pg_catalog.date, exposure pg_catalog.numeric, pd pg_catalog.float8,
                   lgd pg_catalog.numeric, expected_credit_loss pg_catalog.numeric)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT s.customer_id, a.segment, s.model, s.as_of, s.open_amount, s.pd, l.lgd,
           pg_catalog.round(GREATEST(s.open_amount, 0) OPERATOR(pg_catalog.*) s.pd::pg_catalog.numeric
                            OPERATOR(pg_catalog.*) l.lgd, 2)
    FROM crisk.score AS s
    JOIN crisk.account AS a ON a.customer_id OPERATOR(pg_catalog.=) s.customer_id
    CROSS JOIN LATERAL (
        SELECT COALESCE((SELECT g.loss_given_default FROM crisk.lgd AS g
                         WHERE g.segment OPERATOR(pg_catalog.=) a.segment),
                        COALESCE(pg_catalog.current_setting('crisk.default_lgd', true), '0.45')::pg_catalog.numeric)
               AS lgd) AS l
    ORDER BY s.customer_id;
END;
COMMENT ON FUNCTION crisk.expected_credit_loss_by_pd() IS
    'Expected credit loss per customer as of the last rescoring: open receivables (0 when in credit) x crisk.score.pd x the loss given default of the customer''s segment (crisk.lgd, else the setting crisk.default_lgd), rounded to the cent; NULL where the customer''s model gives no PD (the provision matrix then applies).';
REVOKE ALL ON FUNCTION crisk.expected_credit_loss_by_pd() FROM PUBLIC;

-- The model_drift alert: a fitted model's population on the current
-- portfolio (crisk.score, the customers scored under it) has moved from its
-- development sample's (crisk.model_fit.class_shares) by a PSI above the
-- setting crisk.model_drift_psi.
INSERT INTO crisk.alert_kind (kind, description, default_severity) VALUES
    ('model_drift', 'a fitted model''s scored population drifted from its development sample (PSI above crisk.model_drift_psi)', 'warning');

CREATE FUNCTION crisk.check_model_drift(run_id pg_catalog.int8 DEFAULT NULL)
    RETURNS TABLE (model pg_catalog.text, customers pg_catalog.int8, psi pg_catalog.float8,
                   alert_raised pg_catalog.bool)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    threshold pg_catalog.float8 :=
        COALESCE(pg_catalog.current_setting('crisk.model_drift_psi', true), '0.25')::pg_catalog.float8;
    m record;
    actual pg_catalog.float8[];
    raised pg_catalog.int8;
BEGIN
    FOR m IN
        SELECT f.model, f.class_shares, pg_catalog.count(s.customer_id) AS customers,
               pg_catalog.array_agg(s.risk_class) AS classes
        FROM crisk.model_fit AS f
        JOIN crisk.score AS s ON s.model OPERATOR(pg_catalog.=) f.model
        WHERE f.class_shares IS NOT NULL
        GROUP BY f.model, f.class_shares
        ORDER BY f.model
    LOOP
        SELECT pg_catalog.array_agg((SELECT pg_catalog.count(*) FROM pg_catalog.unnest(m.classes) AS k(c)
                                     WHERE k.c OPERATOR(pg_catalog.=) c.class)::pg_catalog.float8
                                    OPERATOR(pg_catalog./) m.customers ORDER BY c.class)
          INTO actual
          FROM pg_catalog.unnest(ARRAY['A', 'B', 'C', 'D', 'E']::pg_catalog.text[]) AS c(class);
        check_model_drift.model := m.model;
        check_model_drift.customers := m.customers;
        check_model_drift.psi := crisk.psi(m.class_shares, actual);
        check_model_drift.alert_raised := false;
        IF check_model_drift.psi OPERATOR(pg_catalog.>) threshold
           AND m.customers OPERATOR(pg_catalog.>=) 100 THEN
            INSERT INTO crisk.alert (kind, customer_id, condition_key, severity, message, detail, run_id)
            SELECT 'model_drift', NULL, m.model, k.default_severity,
                   pg_catalog.format('model %s: the %s customers scored under it have moved from its development sample (PSI %s, above %s)',
                                     m.model, m.customers,
                                     pg_catalog.round(check_model_drift.psi::pg_catalog.numeric, 3), threshold),
                   pg_catalog.jsonb_build_object('model', m.model, 'psi', check_model_drift.psi,
                                                 'threshold', threshold, 'customers', m.customers,
                                                 'expected_shares', pg_catalog.to_jsonb(m.class_shares),
                                                 'actual_shares', pg_catalog.to_jsonb(actual)),
                   check_model_drift.run_id
            FROM crisk.alert_kind AS k
            WHERE k.kind OPERATOR(pg_catalog.=) 'model_drift'
            ON CONFLICT (kind, customer_id, condition_key) WHERE acknowledged_at IS NULL DO NOTHING;
            GET DIAGNOSTICS raised = ROW_COUNT;
            check_model_drift.alert_raised := raised OPERATOR(pg_catalog.>) 0;
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION crisk.check_model_drift(pg_catalog.int8) IS
    'For each fitted model scoring at least one customer: the PSI of the spread of its customers over risk classes (crisk.score) against its development sample''s; raises a model_drift alert (one per model while unacknowledged) when the PSI passes crisk.model_drift_psi and the model scores at least 100 customers. Run it after a full rescoring pass (pg_cron); run_id tags the alert.';
REVOKE ALL ON FUNCTION crisk.check_model_drift(pg_catalog.int8) FROM PUBLIC;
