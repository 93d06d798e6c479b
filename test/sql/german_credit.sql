-- crisk.logistic_regression, crisk.auc and crisk.ks against R on the German
-- credit data (UCI Statlog, 1 000 applicants, 300 bad; test/data/, where
-- reference.R writes the data and computes the figures pasted below with
-- glm(family = binomial), pROC::auc and ks.test).  Coefficients and
-- standard errors agree to 1e-6, the log-likelihood to 1e-6, AUC and KS to
-- 1e-9.  The copy reads test/data/german_credit.csv relative to the
-- directory pg_regress runs in (the checkout, or scripts/test's copy).

CREATE TABLE german_credit (
    "Duration" double precision,
    "Amount" double precision,
    "InstallmentRatePercentage" double precision,
    "ResidenceDuration" double precision,
    "Age" double precision,
    "NumberExistingCredits" double precision,
    "NumberPeopleMaintenance" double precision,
    "Telephone" double precision,
    "ForeignWorker" double precision,
    "CheckingAccountStatus.lt.0" double precision,
    "CheckingAccountStatus.0.to.200" double precision,
    "CheckingAccountStatus.gt.200" double precision,
    "CheckingAccountStatus.none" double precision,
    "CreditHistory.NoCredit.AllPaid" double precision,
    "CreditHistory.ThisBank.AllPaid" double precision,
    "CreditHistory.PaidDuly" double precision,
    "CreditHistory.Delay" double precision,
    "CreditHistory.Critical" double precision,
    "Purpose.NewCar" double precision,
    "Purpose.UsedCar" double precision,
    "Purpose.Furniture.Equipment" double precision,
    "Purpose.Radio.Television" double precision,
    "Purpose.DomesticAppliance" double precision,
    "Purpose.Repairs" double precision,
    "Purpose.Education" double precision,
    "Purpose.Vacation" double precision,
    "Purpose.Retraining" double precision,
    "Purpose.Business" double precision,
    "Purpose.Other" double precision,
    "SavingsAccountBonds.lt.100" double precision,
    "SavingsAccountBonds.100.to.500" double precision,
    "SavingsAccountBonds.500.to.1000" double precision,
    "SavingsAccountBonds.gt.1000" double precision,
    "SavingsAccountBonds.Unknown" double precision,
    "EmploymentDuration.lt.1" double precision,
    "EmploymentDuration.1.to.4" double precision,
    "EmploymentDuration.4.to.7" double precision,
    "EmploymentDuration.gt.7" double precision,
    "EmploymentDuration.Unemployed" double precision,
    "Personal.Male.Divorced.Seperated" double precision,
    "Personal.Female.NotSingle" double precision,
    "Personal.Male.Single" double precision,
    "Personal.Male.Married.Widowed" double precision,
    "Personal.Female.Single" double precision,
    "OtherDebtorsGuarantors.None" double precision,
    "OtherDebtorsGuarantors.CoApplicant" double precision,
    "OtherDebtorsGuarantors.Guarantor" double precision,
    "Property.RealEstate" double precision,
    "Property.Insurance" double precision,
    "Property.CarOther" double precision,
    "Property.Unknown" double precision,
    "OtherInstallmentPlans.Bank" double precision,
    "OtherInstallmentPlans.Stores" double precision,
    "OtherInstallmentPlans.None" double precision,
    "Housing.Rent" double precision,
    "Housing.Own" double precision,
    "Housing.ForFree" double precision,
    "Job.UnemployedUnskilled" double precision,
    "Job.UnskilledResident" double precision,
    "Job.SkilledEmployee" double precision,
    "Job.Management.SelfEmp.HighlyQualified" double precision,
    "bad" boolean
);
\copy german_credit FROM 'test/data/german_credit.csv' WITH (FORMAT csv, HEADER true)
SELECT count(*) AS applicants, count(*) FILTER (WHERE bad) AS bad FROM german_credit;

-- R: glm(bad ~ Duration + Amount + InstallmentRatePercentage + Age +
--        NumberExistingCredits + Telephone + ForeignWorker +
--        CheckingAccountStatus.lt.0 + CheckingAccountStatus.0.to.200 +
--        CheckingAccountStatus.gt.200 + CreditHistory.Critical +
--        Purpose.NewCar + SavingsAccountBonds.lt.100, family = binomial)
CREATE TABLE r_glm (position int, term text, coefficient float8, std_error float8);
INSERT INTO r_glm VALUES
    (1, '(Intercept)', -5.355749652811443e+00, 7.586081280710469e-01),
    (2, 'Duration', 2.617377584200445e-02, 8.399699663029435e-03),
    (3, 'Amount', 1.017586318753515e-04, 3.821991978617011e-05),
    (4, 'InstallmentRatePercentage', 2.698917636847951e-01, 8.010700088138051e-02),
    (5, 'Age', -1.624453707109967e-02, 7.406307009030669e-03),
    (6, 'NumberExistingCredits', 2.870815197082737e-01, 1.604072362010969e-01),
    (7, 'Telephone', 2.688495022916507e-01, 1.743251191721256e-01),
    (8, 'ForeignWorker', 1.396101608066803e+00, 5.751564243716927e-01),
    (9, 'CheckingAccountStatus.lt.0', 1.789687295538203e+00, 2.147852046478536e-01),
    (10, 'CheckingAccountStatus.0.to.200', 1.396113613751632e+00, 2.131472448634323e-01),
    (11, 'CheckingAccountStatus.gt.200', 8.728240066147471e-01, 3.672158805520743e-01),
    (12, 'CreditHistory.Critical', -9.857592041068212e-01, 2.233753020657232e-01),
    (13, 'Purpose.NewCar', 7.753206882019316e-01, 1.858558764390825e-01),
    (14, 'SavingsAccountBonds.lt.100', 6.390027044273011e-01, 1.749940135361062e-01);

CREATE TABLE crisk_glm AS
SELECT (crisk.logistic_regression(bad, ARRAY["Duration", "Amount", "InstallmentRatePercentage", "Age",
                                        "NumberExistingCredits", "Telephone", "ForeignWorker",
                                        "CheckingAccountStatus.lt.0", "CheckingAccountStatus.0.to.200",
                                        "CheckingAccountStatus.gt.200", "CreditHistory.Critical",
                                        "Purpose.NewCar", "SavingsAccountBonds.lt.100"])).*
FROM german_credit;
SELECT converged, iterations < 15 AS few_iterations,
       cardinality(coefficients) AS coefficients,
       abs(log_likelihood - (-4.895938199563982e+02)) < 1e-6 AS log_likelihood_agrees
FROM crisk_glm;
-- Every coefficient and standard error within 1e-6 of R's, a row per term
-- so that a failure names it; coefficients even agree to 1e-9 relative.
SELECT r.position, r.term,
       abs(c.coefficients[r.position] - r.coefficient) < 1e-6 AS coefficient_agrees,
       abs(c.std_errors[r.position] - r.std_error) < 1e-6 AS std_error_agrees
FROM r_glm AS r, crisk_glm AS c
ORDER BY r.position;
SELECT max(abs(c.coefficients[r.position] - r.coefficient) / abs(r.coefficient)) < 1e-9 AS relative_agreement
FROM r_glm AS r, crisk_glm AS c;

-- AUC and KS of three scores (higher = better credit): minus the fitted
-- log-odds of going bad, minus the duration (many ties), the age.
-- R: pROC::auc(roc(bad, score, levels = c(FALSE, TRUE), direction = ">"))
--    and ks.test(score[bad], score[!bad])$statistic.
CREATE TABLE german_scored AS
SELECT g.bad,
       -(c.coefficients[1] + (SELECT sum(c.coefficients[i + 1] * x[i]) FROM generate_subscripts(x, 1) AS i)) AS model,
       -g."Duration" AS duration, g."Age" AS age
FROM german_credit AS g, crisk_glm AS c,
     LATERAL (SELECT ARRAY["Duration", "Amount", "InstallmentRatePercentage", "Age",
                      "NumberExistingCredits", "Telephone", "ForeignWorker",
                      "CheckingAccountStatus.lt.0", "CheckingAccountStatus.0.to.200",
                      "CheckingAccountStatus.gt.200", "CreditHistory.Critical",
                      "Purpose.NewCar", "SavingsAccountBonds.lt.100"] AS x) AS v;
SELECT abs(crisk.auc(model, bad) - 0.791680952380952) < 1e-9 AS model_auc,
       abs(crisk.ks(model, bad) - 0.438095238095238) < 1e-9 AS model_ks,
       abs(crisk.auc(duration, bad) - 0.628592857142857) < 1e-9 AS duration_auc,
       abs(crisk.ks(duration, bad) - 0.191904761904762) < 1e-9 AS duration_ks,
       abs(crisk.auc(age, bad) - 0.570633333333333) < 1e-9 AS age_auc,
       abs(crisk.ks(age, bad) - 0.131428571428571) < 1e-9 AS age_ks
FROM german_scored;

-- Coding every class of the checking account as a 0/1 column (the four
-- columns add up to 1, like the intercept) is collinear: an error, where
-- R would drop a column and report NA.
SELECT crisk.logistic_regression(bad, ARRAY["Duration", "CheckingAccountStatus.lt.0", "CheckingAccountStatus.0.to.200",
                                             "CheckingAccountStatus.gt.200", "CheckingAccountStatus.none"])
FROM german_credit;
