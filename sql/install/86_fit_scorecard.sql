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
