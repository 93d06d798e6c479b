# Reference figures for crisk's model tests (test/sql/german_credit.sql).
#
# Data: the German credit data set (UCI Machine Learning Repository,
# "Statlog (German Credit Data)", Hans Hofmann, 1994; 1 000 applicants, 300
# of them bad), as R's caret package ships it (data set GermanCredit, with
# its categorical attributes coded as one 0/1 column per class).  This
# script writes it to test/data/german_credit.csv, which the tests load,
# and prints the figures the tests compare crisk against:
#   - glm(family = binomial) coefficients, standard errors and
#     log-likelihood of one model, to 1e-6;
#   - pROC::auc of three scores (higher = better credit), to 1e-9;
#   - the Kolmogorov-Smirnov statistic of the same scores (ks.test).
#
# Run from the repository root (Debian: r-base-core r-cran-caret r-cran-proc):
#   Rscript test/data/reference.R
#
# glm's default convergence test (relative change of deviance below 1e-8)
# leaves coefficients about 1e-8 from the maximum; the reference uses
# epsilon = 1e-14 so that its figures are the maximum-likelihood estimates
# themselves, which crisk converges to.

Sys.setenv(TZ = "UTC")
suppressPackageStartupMessages({
    library(caret)
    library(pROC)
})

data(GermanCredit, package = "caret")
d <- GermanCredit
d$bad <- d$Class == "Bad"
out <- d[, setdiff(names(d), "Class")]
out$bad <- ifelse(out$bad, "true", "false")
write.csv(out, "test/data/german_credit.csv", row.names = FALSE, quote = FALSE)

predictors <- c("Duration", "Amount", "InstallmentRatePercentage", "Age",
                "NumberExistingCredits", "Telephone", "ForeignWorker",
                "CheckingAccountStatus.lt.0", "CheckingAccountStatus.0.to.200",
                "CheckingAccountStatus.gt.200", "CreditHistory.Critical",
                "Purpose.NewCar", "SavingsAccountBonds.lt.100")
f <- as.formula(paste("bad ~", paste(predictors, collapse = " + ")))
fit <- glm(f, family = binomial, data = d,
           control = glm.control(epsilon = 1e-14, maxit = 100))
s <- summary(fit)$coefficients

cat(sprintf("rows %d, bad %d\n", nrow(d), sum(d$bad)))
cat("coefficients (intercept first), standard errors:\n")
for (i in seq_len(nrow(s)))
    cat(sprintf("%-32s % .15e % .15e\n", rownames(s)[i], s[i, 1], s[i, 2]))
cat(sprintf("log-likelihood % .15e\n", as.numeric(logLik(fit))))

# Scores where higher means better credit: minus the fitted log-odds of
# going bad, and two raw characteristics with many ties.
scores <- list(model = -predict(fit, type = "link"),
               duration = -d$Duration,
               age = d$Age)
for (name in names(scores)) {
    score <- scores[[name]]
    roc_curve <- roc(d$bad, score, levels = c(FALSE, TRUE), direction = ">", quiet = TRUE)
    ks <- suppressWarnings(ks.test(score[d$bad], score[!d$bad])$statistic)
    cat(sprintf("%-8s auc %.15f ks %.15f\n", name, as.numeric(auc(roc_curve)), as.numeric(ks)))
}
