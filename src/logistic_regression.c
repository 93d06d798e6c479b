/*-------------------------------------------------------------------------
 *
 * logistic_regression.c
 *	  The aggregate crisk.logistic_regression(y boolean, x double precision[])
 *	  → crisk.logit_fit: the maximum-likelihood fit of
 *
 *		  P(y = true | x) = 1 / (1 + exp(-(b0 + b1 x1 + ... + bk xk)))
 *
 *	  by Newton-Raphson, which for the logistic model is iteratively
 *	  reweighted least squares (IRLS), the method of R's glm(family = binomial).
 *
 * The state (crisk.outcome_counts, see outcome_counts.c) gathers the rows,
 * not sufficient statistics: IRLS reweighs every row at every iteration.
 * Rows with the same x collapse into one pattern with its counts of true
 * and false y, which gives the same likelihood, so the same fit.
 *
 * The final function starts from the intercept-only fit (b0 = log of the
 * odds of y in the sample, the other coefficients 0) and takes Newton
 * steps, halving a step that would lower the likelihood, until the Newton
 * decrement g' H^-1 g (twice the gain the next step promises) falls below
 * 1e-14: the step then taken leaves an error far below the 1e-6 to which
 * coefficients must agree with R.  Each step is one pass over the patterns,
 * which gives the likelihood, gradient and information matrix together;
 * linear systems are solved by Cholesky factorisation of the information
 * matrix scaled to a unit diagonal.
 *
 * What has no finite or unique fit is an error, never a fit:
 *	- y true on every row or on none;
 *	- an element of x constant, or a linear combination of the intercept
 *	  and the other elements (collinearity), judged at the first iteration;
 *	- separation: some rows predicted with certainty (a probability within
 *	  about 1e-11 of 0 or 1), which is where the likelihood pushes
 *	  coefficients that have no finite maximum (perfect or quasi-complete
 *	  separation of y by x).
 * A fit that has not converged after 100 iterations without separation is
 * returned with converged = false and a warning.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "miscadmin.h"
#include "utils/float.h"
#include "utils/lsyscache.h"

#include "agg_state.h"
#include "outcome_counts.h"

PG_FUNCTION_INFO_V1(crisk_logistic_regression_transition);
PG_FUNCTION_INFO_V1(crisk_logistic_regression_final);

#define MAX_ITERATIONS 100
#define MAX_HALVINGS 30
/* Newton decrement below which the fit has converged. */
#define CONVERGENCE_DECREMENT 1e-14
/* A pivot of the unit-diagonal information matrix below this: collinear. */
#define COLLINEARITY_PIVOT 1e-10
/* |linear predictor| beyond this: a row predicted with certainty. */
#define CERTAINTY_LOGIT 25.0

/*
 * crisk_logistic_regression_transition gathers a row.  Rows with a NULL y,
 * a NULL x or a NULL element of x are skipped (as R's na.omit does).
 */
Datum
crisk_logistic_regression_transition(PG_FUNCTION_ARGS)
{
	ExpandedOutcomeCounts *expanded;
	ArrayType  *x;
	int			columns;
	const double *elements;
	double		values[OUTCOME_COUNTS_MAX_COLUMNS];

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		AGG_RETURN_STATE_UNCHANGED();
	x = PG_GETARG_ARRAYTYPE_P(2);
	if (ARR_NDIM(x) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("x must be a one-dimensional array"),
				 errdetail("A row has an array of %d dimensions.", ARR_NDIM(x)),
				 errhint("Pass one element per characteristic, e.g. ARRAY[utilization, late_share].")));
	columns = ArrayGetNItems(ARR_NDIM(x), ARR_DIMS(x));
	if (columns > OUTCOME_COUNTS_MAX_COLUMNS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("x must have at most %d elements", OUTCOME_COUNTS_MAX_COLUMNS),
				 errdetail("A row has %d elements.", columns)));
	if (ARR_ELEMTYPE(x) != FLOAT8OID)
		elog(ERROR, "crisk.logistic_regression: x must be double precision[]");
	if (array_contains_nulls(x))
		AGG_RETURN_STATE_UNCHANGED();
	/* Without NULLs, float8 elements lie one after the other, aligned. */
	elements = (const double *) ARR_DATA_PTR(x);
	for (int i = 0; i < columns; i++)
	{
		values[i] = elements[i];
		if (!isfinite(values[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("x must hold finite numbers"),
					 errdetail("Element %d of x is %s on a row.", i + 1,
							   float8out_internal(values[i])),
					 errhint("Pass NULL for an unknown value; such rows are skipped.")));
		if (values[i] == 0)
			values[i] = 0;		/* -0 and 0 are one value */
	}

	expanded = outcome_counts_open(fcinfo, 0, columns);
	{
		const OutcomeCounts *state = expanded->state;

		if (state->columns != columns)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("x must have the same number of elements on every row of a group"),
					 errdetail("The group has rows with %d and with %d elements.",
							   state->columns, columns),
					 errhint("Pass one element per characteristic, in the same order, on every row.")));
	}
	outcome_counts_append(expanded, values, PG_GETARG_BOOL(1) ? 1 : 0,
						  PG_GETARG_BOOL(1) ? 0 : 1);
	PG_RETURN_DATUM(outcome_counts_close(fcinfo, expanded));
}

/* What the fit works on: the patterns, with the intercept's column of ones. */
typedef struct Problem
{
	int			rows;			/* patterns */
	int			params;			/* coefficients: 1 + elements of x */
	const OutcomeCounts *data;	/* the patterns, in canonical order */
	double		bads;			/* rows with y true */
	double		goods;			/* rows with y false */
} Problem;

/* problem_x returns the value of coefficient j's column on pattern i. */
static inline double
problem_x(const Problem *problem, int i, int j)
{
	return j == 0 ? 1.0 : OUTCOME_COUNTS_RECORD(problem->data, i)[j - 1];
}

/*
 * evaluate returns the log-likelihood of beta over the rows,
 *	  sum of bads * log(p) + goods * log(1 - p),  p the fitted probability,
 * and computes at beta the gradient g = X'(bads - n p) and the information
 * matrix H = X' diag(n p (1 - p)) X (lower triangle and diagonal, params x
 * params, row-major), in one pass over the patterns with one exp and one
 * log1p each.  *certain tells whether a pattern is predicted with
 * certainty (|b'x| beyond CERTAINTY_LOGIT).
 */
static double
evaluate(const Problem *problem, const double *beta, double *gradient,
		 double *information, bool *certain)
{
	int			params = problem->params;
	int			columns = params - 1;
	double		loglik = 0;
	double	   *x = palloc(params * sizeof(double));

	*certain = false;
	memset(gradient, 0, params * sizeof(double));
	memset(information, 0, (Size) params * params * sizeof(double));
	for (int i = 0; i < problem->rows; i++)
	{
		const double *record = OUTCOME_COUNTS_RECORD(problem->data, i);
		double		bads = record[columns];
		double		goods = record[columns + 1];
		double		eta = beta[0];
		double		e;
		double		log1p_e;
		double		p;
		double		residual;
		double		weight;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int j = 1; j < params; j++)
			eta += beta[j] * record[j - 1];
		if (fabs(eta) > CERTAINTY_LOGIT)
			*certain = true;

		/*
		 * With e = exp(-|eta|): log p = -(max(-eta, 0) + log1p(e)),
		 * log(1 - p) = -(max(eta, 0) + log1p(e)), without overflow.
		 */
		e = exp(-fabs(eta));
		log1p_e = log1p(e);
		p = eta >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
		loglik -= bads * (Max(-eta, 0) + log1p_e) + goods * (Max(eta, 0) + log1p_e);

		residual = bads - (bads + goods) * p;
		weight = (bads + goods) * p * (1.0 - p);
		x[0] = 1.0;
		memcpy(x + 1, record, columns * sizeof(double));
		for (int j = 0; j < params; j++)
		{
			double		wx = weight * x[j];
			double	   *row = information + (Size) j * params;

			gradient[j] += residual * x[j];
			for (int k = 0; k <= j; k++)
				row[k] += wx * x[k];
		}
	}
	pfree(x);
	return loglik;
}

/*
 * cholesky scales the information matrix to a unit diagonal (scale[j] =
 * 1 / sqrt(H_jj)) and factors it in place, lower triangle, as L L'.  It
 * returns the index of the first coefficient whose pivot falls below
 * COLLINEARITY_PIVOT (its column is nearly a combination of the ones
 * before it), or -1 when the matrix is positive definite.
 */
static int
cholesky(double *matrix, double *scale, int params)
{
	for (int j = 0; j < params; j++)
	{
		double		diagonal = matrix[(Size) j * params + j];

		if (!(diagonal > 0) || !isfinite(diagonal))
			return j;
		scale[j] = 1.0 / sqrt(diagonal);
	}
	for (int j = 0; j < params; j++)
		for (int k = 0; k <= j; k++)
			matrix[(Size) j * params + k] *= scale[j] * scale[k];

	for (int j = 0; j < params; j++)
	{
		double	   *row_j = matrix + (Size) j * params;
		double		pivot = row_j[j];

		for (int k = 0; k < j; k++)
			pivot -= row_j[k] * row_j[k];
		if (!(pivot > COLLINEARITY_PIVOT))
			return j;
		row_j[j] = sqrt(pivot);
		for (int i = j + 1; i < params; i++)
		{
			double	   *row_i = matrix + (Size) i * params;
			double		sum = row_i[j];

			for (int k = 0; k < j; k++)
				sum -= row_i[k] * row_j[k];
			row_i[j] = sum / row_j[j];
		}
	}
	return -1;
}

/*
 * cholesky_solve solves (D A D) z = rhs, with A = L L' from cholesky and
 * D = diag(1 / scale), into z (rhs may be z).
 */
static void
cholesky_solve(const double *factor, const double *scale, int params,
			   const double *rhs, double *z)
{
	for (int i = 0; i < params; i++)
	{
		double		sum = rhs[i] * scale[i];

		for (int k = 0; k < i; k++)
			sum -= factor[(Size) i * params + k] * z[k];
		z[i] = sum / factor[(Size) i * params + i];
	}
	for (int i = params - 1; i >= 0; i--)
	{
		double		sum = z[i];

		for (int k = i + 1; k < params; k++)
			sum -= factor[(Size) k * params + i] * z[k];
		z[i] = sum / factor[(Size) i * params + i];
	}
	for (int i = 0; i < params; i++)
		z[i] *= scale[i];
}

/* report_separation raises the error for a fit with no finite maximum. */
static pg_attribute_noreturn() void
report_separation(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("x separates y: the logistic regression has no finite fit"),
			 errdetail("Some rows are predicted with certainty (a probability within 1e-11 of 0 or 1): "
					   "a combination of the elements of x tells, on its own, whether y is true "
					   "for those rows (perfect or quasi-complete separation), or x has extreme values."),
			 errhint("Merge or drop the characteristic classes that hold only bad or only good "
					 "customers, or cap extreme values.")));
}

/* report_collinear raises the error for element `element` (1-based) of x. */
static pg_attribute_noreturn() void
report_collinear(const Problem *problem, int element)
{
	double		first = problem_x(problem, 0, element);
	bool		constant = true;

	for (int i = 1; i < problem->rows && constant; i++)
		constant = problem_x(problem, i, element) == first;
	if (constant)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("element %d of x is constant", element),
				 errdetail("It is %s on every row, so its coefficient cannot be told apart from the intercept.",
						   float8out_internal(first)),
				 errhint("Leave the element out of x.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("element %d of x is collinear with the elements before it", element),
			 errdetail("Its values are, to within 1e-10 of its variance, a constant plus %s: "
					   "the coefficients cannot be told apart.",
					   element == 2 ? "a multiple of element 1" :
					   psprintf("a combination of elements 1 to %d", element - 1)),
			 errhint("Leave the element out of x, or one of the elements it depends on "
					 "(for a characteristic coded as one indicator per class, leave out one class).")));
}

/* LogitFit is what the final function returns. */
typedef struct LogitFit
{
	double	   *beta;
	double	   *std_errors;
	double		log_likelihood;
	int			iterations;
	bool		converged;
} LogitFit;

/* fit_logit fits the model to the patterns. */
static void
fit_logit(const Problem *problem, LogitFit *fit)
{
	int			params = problem->params;
	double	   *beta = palloc0(params * sizeof(double));
	double	   *trial = palloc(params * sizeof(double));
	double	   *step = palloc(params * sizeof(double));
	double	   *gradient = palloc(params * sizeof(double));
	double	   *information = palloc((Size) params * params * sizeof(double));
	double	   *trial_gradient = palloc(params * sizeof(double));
	double	   *trial_information = palloc((Size) params * params * sizeof(double));
	double	   *scale = palloc(params * sizeof(double));
	double		bads = problem->bads;
	double		goods = problem->goods;
	double		loglik;
	bool		certain;
	bool		fresh = true;	/* information is at beta, not yet factored */
	int			failed;

	if (bads == 0 || goods == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("y is %s on every row", bads == 0 ? "false" : "true"),
				 errdetail("A logistic regression needs rows with y true and rows with y false; "
						   "the fitted probability would be exactly %d.", bads == 0 ? 0 : 1)));

	beta[0] = log(bads / goods);
	loglik = evaluate(problem, beta, gradient, information, &certain);
	fit->converged = false;
	for (fit->iterations = 1; fit->iterations <= MAX_ITERATIONS; fit->iterations++)
	{
		double		decrement = 0;
		double		trial_loglik = loglik;
		bool		trial_certain = certain;
		int			halvings;
		double	   *swap;

		CHECK_FOR_INTERRUPTS();
		failed = cholesky(information, scale, params);
		fresh = false;
		if (failed >= 0)
		{
			if (fit->iterations == 1 && failed > 0)
				report_collinear(problem, failed);
			report_separation();
		}
		cholesky_solve(information, scale, params, gradient, step);
		for (int j = 0; j < params; j++)
			decrement += step[j] * gradient[j];

		for (halvings = 0; halvings <= MAX_HALVINGS; halvings++)
		{
			for (int j = 0; j < params; j++)
				trial[j] = beta[j] + step[j];
			trial_loglik = evaluate(problem, trial, trial_gradient, trial_information,
									&trial_certain);
			if (trial_loglik >= loglik - 1e-12 * (fabs(loglik) + 1))
				break;
			for (int j = 0; j < params; j++)
				step[j] /= 2;
		}
		if (halvings > MAX_HALVINGS)
			break;				/* no step improves the fit: stop where it is */
		memcpy(beta, trial, params * sizeof(double));
		loglik = trial_loglik;
		certain = trial_certain;
		swap = gradient;
		gradient = trial_gradient;
		trial_gradient = swap;
		swap = information;
		information = trial_information;
		trial_information = swap;
		fresh = true;
		if (decrement < CONVERGENCE_DECREMENT)
		{
			fit->converged = true;
			break;
		}
	}
	fit->iterations = Min(fit->iterations, MAX_ITERATIONS);

	if (!fresh)
		loglik = evaluate(problem, beta, gradient, information, &certain);
	if (certain)
		report_separation();
	if (!fit->converged)
		ereport(WARNING,
				(errmsg("logistic regression did not converge in %d iterations",
						fit->iterations),
				 errdetail("The coefficients returned are the last iteration's, with converged = false.")));

	/* Standard errors: square roots of the diagonal of H^-1 at the fit. */
	if (cholesky(information, scale, params) >= 0)
		report_separation();
	fit->std_errors = palloc(params * sizeof(double));
	for (int j = 0; j < params; j++)
	{
		memset(step, 0, params * sizeof(double));
		step[j] = 1.0;
		cholesky_solve(information, scale, params, step, step);
		fit->std_errors[j] = sqrt(step[j]);
	}
	fit->beta = beta;
	fit->log_likelihood = loglik;
}

/* float8_array builds a double precision[] of n values. */
static Datum
float8_array(const double *values, int n)
{
	Datum	   *elements = palloc(Max(n, 1) * sizeof(Datum));

	for (int i = 0; i < n; i++)
		elements[i] = Float8GetDatum(values[i]);
	return PointerGetDatum(construct_array(elements, n, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * crisk_logistic_regression_final fits the model to the gathered rows and
 * returns a crisk.logit_fit.  It only reads the state.
 */
Datum
crisk_logistic_regression_final(PG_FUNCTION_ARGS)
{
	const OutcomeCounts *state;
	Problem		problem;
	LogitFit	fit;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "crisk.logistic_regression_final must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);

	state = outcome_counts_canonical_read(PG_GETARG_DATUM(0));
	if (state->patterns == 0)
		PG_RETURN_NULL();
	problem.data = state;
	problem.rows = problem.data->patterns;
	problem.params = state->columns + 1;
	outcome_counts_totals(problem.data, &problem.bads, &problem.goods);
	fit_logit(&problem, &fit);

	values[0] = float8_array(fit.beta, problem.params);
	values[1] = float8_array(fit.std_errors, problem.params);
	values[2] = Float8GetDatum(fit.log_likelihood);
	values[3] = Int32GetDatum(fit.iterations);
	values[4] = BoolGetDatum(fit.converged);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
