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
