-- Dunning letter templates: the subject and body of the letter sent at
-- each level of a dunning policy, per language.  crisk.dunning_letters
-- renders them for today's actions (67_dunning_letters.sql), replacing
-- these placeholders:
--   {customer_name}   the account's name (the customer code without one)
--   {customer_id}     the customer code
--   {letter_date}     the date of the letter (the as-of date)
--   {invoice_count}   how many invoices the letter chases
--   {invoice_list}    one line per invoice: number, date, due date, amount,
--                     interest and indemnity due
--   {amount_due}      the invoices' amounts, summed
--   {interest}        late-payment interest due so far, summed
--   {indemnity}       recovery indemnities due (40 EUR per invoice)
--   {total_due}       amount_due + interest + indemnity
--   {interest_rate}   the statutory rate of the current half-year (ECB
--                     rate + 10 points), in percent
-- Amounts and dates are written the language's way (fr: 1 234,56 and
-- 31/05/2024; others: 1,234.56 and 2024-05-31).
--
-- crisk ships French and English templates for the four levels of policy
-- "default", with the legal mentions of L441-10 (penalties at the ECB
-- rate + 10 points, due without reminder) and D441-5 (40 EUR recovery
-- indemnity per invoice).  A policy without its own templates uses those
-- of "default" for the same level and language.  Shipped rows are
-- read-only (they are re-created by CREATE EXTENSION and not dumped):
-- to word letters differently, copy the policy under a new name and add
-- templates for it.  Users' rows are kept by pg_dump.

CREATE TABLE crisk.dunning_template (
    level     pg_catalog.int4 NOT NULL,
    language  pg_catalog.text NOT NULL,
    subject   pg_catalog.text NOT NULL,
    body      pg_catalog.text NOT NULL,
    -- Beyond the specification:
    policy    pg_catalog.text NOT NULL DEFAULT 'default',
    shipped   pg_catalog.bool NOT NULL DEFAULT false,
    CONSTRAINT dunning_template_pkey PRIMARY KEY (policy, level, language),
    CONSTRAINT dunning_template_level_positive CHECK (level > 0),
    CONSTRAINT dunning_template_language_valid CHECK (language ~ '^[a-z]{2}$'),
    CONSTRAINT dunning_template_subject_not_empty CHECK (subject <> ''),
    CONSTRAINT dunning_template_body_not_empty CHECK (body <> '')
);
COMMENT ON TABLE crisk.dunning_template IS
    'Dunning letter templates per dunning policy, level and language, with placeholders ({customer_name}, {invoice_list}, {total_due}, ...: see crisk.dunning_letters) rendered by crisk.dunning_letters. French and English templates of policy "default" are shipped (shipped = true, read-only) with the legal mentions of L441-10 and D441-5; a policy without templates uses those of "default".';
COMMENT ON COLUMN crisk.dunning_template.level IS 'Level of the dunning policy (crisk.dunning_policy.level) the letter is sent at.';
COMMENT ON COLUMN crisk.dunning_template.language IS 'ISO 639-1 language code, matched with crisk.account.language.';
COMMENT ON COLUMN crisk.dunning_template.subject IS 'Subject line, with placeholders.';
COMMENT ON COLUMN crisk.dunning_template.body IS 'Letter text, with placeholders.';
COMMENT ON COLUMN crisk.dunning_template.policy IS 'Dunning policy the template belongs to.';
COMMENT ON COLUMN crisk.dunning_template.shipped IS 'True for the rows crisk ships; those cannot be changed.';

INSERT INTO crisk.dunning_template (policy, level, language, shipped, subject, body) VALUES
('default', 1, 'fr', true,
 'Rappel : facture(s) échue(s) impayée(s)',
 E'{customer_name},\n\nSauf erreur de notre part, les factures suivantes, échues, restent impayées à ce jour ({letter_date}) :\n\n{invoice_list}\n\nMontant échu : {amount_due} €.\n\nIl s''agit peut-être d''un oubli : nous vous remercions de bien vouloir procéder à leur règlement dès réception de ce courrier. Si votre paiement est déjà parti, merci de ne pas tenir compte de ce rappel.\n\nConformément à l''article L441-10 du Code de commerce, tout retard de paiement donne lieu de plein droit, sans qu''un rappel soit nécessaire, à des pénalités de retard au taux de refinancement de la Banque centrale européenne majoré de 10 points ({interest_rate} pour le semestre en cours), ainsi qu''à une indemnité forfaitaire pour frais de recouvrement de 40 € par facture (article D441-5). À ce jour : pénalités {interest} €, indemnités {indemnity} €.\n\nNous restons à votre disposition pour toute question.\n\nLe service recouvrement'),
('default', 1, 'en', true,
 'Reminder: overdue invoice(s)',
 E'{customer_name},\n\nAccording to our records, the following invoices are overdue and remain unpaid as of {letter_date}:\n\n{invoice_list}\n\nAmount overdue: EUR {amount_due}.\n\nThis may be an oversight: please arrange payment on receipt of this letter. If you have already paid, please disregard this reminder.\n\nUnder article L441-10 of the French Commercial Code, late payment bears, by operation of law and without any reminder being needed, late-payment penalties at the European Central Bank''s main refinancing rate plus 10 percentage points ({interest_rate} for the current half-year), and a fixed recovery indemnity of EUR 40 per invoice (article D441-5). To date: penalties EUR {interest}, indemnities EUR {indemnity}.\n\nWe remain at your disposal for any question.\n\nCredit collection department'),
('default', 2, 'fr', true,
 'Second rappel : factures impayées, pénalités de retard',
 E'{customer_name},\n\nMalgré notre précédent rappel, les factures suivantes restent impayées au {letter_date} :\n\n{invoice_list}\n\nEn application de l''article L441-10 du Code de commerce, ces retards font courir de plein droit des pénalités au taux de refinancement de la Banque centrale européenne majoré de 10 points ({interest_rate} pour le semestre en cours), soit {interest} € à ce jour, et l''indemnité forfaitaire pour frais de recouvrement de 40 € par facture prévue à l''article D441-5, soit {indemnity} €.\n\nNous vous demandons de régler sans délai la somme de {total_due} €.\n\nLe service recouvrement'),
('default', 2, 'en', true,
 'Second reminder: unpaid invoices, late-payment penalties',
 E'{customer_name},\n\nDespite our previous reminder, the following invoices remain unpaid as of {letter_date}:\n\n{invoice_list}\n\nUnder article L441-10 of the French Commercial Code, these delays bear, by operation of law, penalties at the European Central Bank''s main refinancing rate plus 10 percentage points ({interest_rate} for the current half-year), EUR {interest} to date, and the fixed recovery indemnity of EUR 40 per invoice of article D441-5, EUR {indemnity}.\n\nPlease pay the sum of EUR {total_due} without delay.\n\nCredit collection department'),
('default', 3, 'fr', true,
 'Mise en demeure de payer',
 E'LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION\n\n{customer_name},\n\nMalgré nos relances, les {invoice_count} facture(s) suivante(s) restent impayées au {letter_date} :\n\n{invoice_list}\n\nPar la présente, nous vous mettons en demeure de nous régler sous huit jours la somme de {total_due} €, comprenant le principal ({amount_due} €), les pénalités de retard dues de plein droit au taux de refinancement de la Banque centrale européenne majoré de 10 points ({interest_rate} pour le semestre en cours ; article L441-10 du Code de commerce), soit {interest} €, et l''indemnité forfaitaire pour frais de recouvrement de 40 € par facture (article D441-5), soit {indemnity} €.\n\nÀ défaut de paiement dans ce délai, nous engagerons sans autre avis une procédure de recouvrement judiciaire, dont les frais seront à votre charge.\n\nLe service recouvrement'),
('default', 3, 'en', true,
 'Formal notice to pay',
 E'REGISTERED LETTER WITH ACKNOWLEDGEMENT OF RECEIPT\n\n{customer_name},\n\nDespite our reminders, the following {invoice_count} invoice(s) remain unpaid as of {letter_date}:\n\n{invoice_list}\n\nWe hereby give you formal notice to pay within eight days the sum of EUR {total_due}: the principal (EUR {amount_due}), the late-payment penalties due by operation of law at the European Central Bank''s main refinancing rate plus 10 percentage points ({interest_rate} for the current half-year; article L441-10 of the French Commercial Code), EUR {interest}, and the fixed recovery indemnity of EUR 40 per invoice (article D441-5), EUR {indemnity}.\n\nFailing payment within that time, we will start legal recovery proceedings without further notice, at your expense.\n\nCredit collection department'),
('default', 4, 'fr', true,
 'Transmission de votre dossier au contentieux',
 E'LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION\n\n{customer_name},\n\nNotre mise en demeure étant restée sans effet, nous transmettons ce jour ({letter_date}) votre dossier à notre service contentieux en vue d''une procédure d''injonction de payer devant le tribunal de commerce, pour les factures suivantes :\n\n{invoice_list}\n\nSomme réclamée : {total_due} €, dont principal {amount_due} €, pénalités de retard {interest} € (taux de refinancement de la Banque centrale européenne majoré de 10 points, {interest_rate} pour le semestre en cours ; article L441-10 du Code de commerce) et indemnités forfaitaires pour frais de recouvrement {indemnity} € (40 € par facture, article D441-5), sans préjudice des frais de procédure.\n\nLe service recouvrement'),
('default', 4, 'en', true,
 'Your file handed over for legal action',
 E'REGISTERED LETTER WITH ACKNOWLEDGEMENT OF RECEIPT\n\n{customer_name},\n\nAs our formal notice has gone unanswered, we are today ({letter_date}) handing your file over to our litigation department for an order for payment (injonction de payer) at the commercial court, for the following invoices:\n\n{invoice_list}\n\nSum claimed: EUR {total_due}, of which principal EUR {amount_due}, late-payment penalties EUR {interest} (European Central Bank main refinancing rate plus 10 percentage points, {interest_rate} for the current half-year; article L441-10 of the French Commercial Code) and fixed recovery indemnities EUR {indemnity} (EUR 40 per invoice, article D441-5), without prejudice to the costs of the proceedings.\n\nCredit collection department');
REVOKE ALL ON crisk.dunning_template FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.dunning_template', 'WHERE NOT shipped');
CREATE TRIGGER dunning_template_shipped
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.dunning_template
    FOR EACH ROW EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Copy the dunning policy under a new name and add templates for it, or add templates in another language.');
CREATE TRIGGER dunning_template_shipped_truncate
    BEFORE TRUNCATE ON crisk.dunning_template
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Delete your own rows with DELETE ... WHERE NOT shipped.');

-- crisk.render_template replaces each {name} of a template by the value
-- of key name in placeholders, in one pass over the template: a value
-- that itself holds {...} (a customer's name, say) is not rendered again.
-- Names the object does not hold are left as they are, so that a
-- misspelt placeholder shows in the letter.
CREATE FUNCTION crisk.render_template(template pg_catalog.text, placeholders pg_catalog.jsonb)
    RETURNS pg_catalog.text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN (SELECT COALESCE(pg_catalog.string_agg(
                       COALESCE(CASE WHEN t.piece[1] OPERATOR(pg_catalog.~) '^[{][a-z_]+[}]$'
                                     THEN placeholders OPERATOR(pg_catalog.->>)
                                          pg_catalog.btrim(t.piece[1], '{}') END,
                                t.piece[1]), '' ORDER BY t.n), '')
            FROM pg_catalog.regexp_matches(template, '[{][a-z_]+[}]|[^{]+|[{]', 'g')
                 WITH ORDINALITY AS t(piece, n));
COMMENT ON FUNCTION crisk.render_template(pg_catalog.text, pg_catalog.jsonb) IS
    'Replaces each {name} in template by the value of key name of placeholders (a JSON object); unknown names are left as they are.';

-- crisk.letter_amount and crisk.letter_date write an amount (two
-- decimals, thousands grouped) and a date the way a letter in that
-- language does: French 1 234,56 and 31/05/2024, others 1,234.56 and
-- 2024-05-31.  Independent of the server's locale.
CREATE FUNCTION crisk.letter_amount(amount pg_catalog.numeric, language pg_catalog.text)
    RETURNS pg_catalog.text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN CASE WHEN language OPERATOR(pg_catalog.=) 'fr'
                THEN pg_catalog.translate(pg_catalog.to_char(amount, 'FM999,999,999,999,990.00'), ',.', ' ,')
                ELSE pg_catalog.to_char(amount, 'FM999,999,999,999,990.00') END;
COMMENT ON FUNCTION crisk.letter_amount(pg_catalog.numeric, pg_catalog.text) IS
    'An amount as a letter in that language writes it: fr 1 234,56, others 1,234.56 (rounded to the cent).';
CREATE FUNCTION crisk.letter_date(day pg_catalog.date, language pg_catalog.text)
    RETURNS pg_catalog.text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN CASE WHEN language OPERATOR(pg_catalog.=) 'fr'
                THEN pg_catalog.to_char(day, 'DD/MM/YYYY')
                ELSE pg_catalog.to_char(day, 'YYYY-MM-DD') END;
COMMENT ON FUNCTION crisk.letter_date(pg_catalog.date, pg_catalog.text) IS
    'A date as a letter in that language writes it: fr 31/05/2024, others 2024-05-31.';
