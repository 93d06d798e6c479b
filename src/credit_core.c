/*-------------------------------------------------------------------------
 *
 * credit_core.c
 *	  The credit core: Altman Z-scores, the characteristics a scorecard
 *	  weighs, scoring with explanations, limit recalibration, and
 *	  score_customer(), with no SQL (see credit_core.h).
 *
 * Limit recalibration follows these steps for the score's class (all in
 * numeric; amounts are rounded to the cent before step 4), when there are
 * sales to size a target from:
 *	 1. target = daily sales x (terms + tolerance_days) x class_factor, where
 *		daily sales = monthly_sales x 12 / 365 and terms is the
 *		payment_terms_days argument, or else the policy's default_terms_days;
 *	 2. with insured_cover given, target = least(target, insured_cover);
 *	 3. a new customer (NULL current_limit) starts at least(target,
 *		initial_limit); a decrease (target below current_limit) applies at
 *		once; otherwise the limit rises towards the target, at most to
 *		review_base_limit x (1 + max_increase) (review_base_limit: the lowest
 *		limit in force during the review window, current_limit by default;
 *		from a base of 0, at most to initial_limit), and never falls;
 *	 4. the result is rounded down to a multiple of rounding; when that
 *		would turn a positive amount into 0, to the largest power of ten
 *		below rounding that keeps it positive (a cent at least).
 * The limit is then the largest of those computed with the rows of the
 * class and of every worse class, so that a better class never gets less
 * than a worse one would from the same inputs (the rows' roundings and
 * factors need not be ordered).  A class cap (legal events: receivership
 * caps it at E) has already worsened the class the caller passes.
 *
 * Without sales (monthly_sales NULL, or 0 for a new customer) a new
 * customer gets the initial limit of its class (within the cover), a class
 * with a class_factor of 0 gets 0, and otherwise there is no result: the
 * limit in force stays as it is.
 *
 * The characteristics score_customer derives:
 *	 altman_z			  Z' (private firms, book equity) of the latest statements
 *	 utilization		  open receivables / the limit in force before the
 *						  pass (a date's pass run again measures against the
 *						  same limit); unknown without a limit; with a zero
 *						  limit, 0 when nothing is open and 1 000 000 (beyond
 *						  every bin) when something is
 *	 relationship_months  whole months from account.customer_since, or else
 *						  the first invoice, to as_of
 *	 monthly_sales		  average daily credit sales x 365 / 12, where daily
 *						  sales = invoices issued in the sales window / the
 *						  days of the window the relationship covers (from
 *						  the first invoice); unknown (limit left as it is)
 *						  when nothing was issued; a negative figure (credit
 *						  notes) counts as 0 for the limit.  This is the one
 *						  definition of the daily sales the limit target
 *						  rests on.
 *	 risk class			  the score's class, worsened to the class cap
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"

#include "argcheck.h"
#include "credit_core.h"

const char *const altman_item_names[ALTMAN_NITEMS] = {
	"working_capital", "retained_earnings", "ebit", "equity",
	"total_liabilities", "total_assets", "sales"
};

/* numeric helpers */

/*
 * num_zero returns a numeric 0 that lives as long as the session.
 */
static Numeric
num_zero(void)
{
	static Numeric zero = NULL;

	if (zero == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

		zero = int64_to_numeric(0);
		MemoryContextSwitchTo(oldcxt);
	}
	return zero;
}

/* num_cmp compares two numerics: -1, 0 or 1. */
static inline int
num_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a),
											 NumericGetDatum(b)));
}

/* num_sign returns -1, 0 or 1 as a number is below, equal to or above 0. */
static inline int
num_sign(Numeric num)
{
	return num_cmp(num, num_zero());
}

/* num_least returns the smaller of two numerics. */
static inline Numeric
num_least(Numeric a, Numeric b)
{
	return num_cmp(a, b) <= 0 ? a : b;
}

/* num_greatest returns the larger of two numerics. */
static inline Numeric
num_greatest(Numeric a, Numeric b)
{
	return num_cmp(a, b) >= 0 ? a : b;
}

/* num_mul multiplies two numerics exactly. */
static inline Numeric
num_mul(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

/* num_div divides two numerics at numeric's usual precision. */
static inline Numeric
num_div(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_div, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

/* num_cents rounds an amount to the cent, half away from zero. */
static inline Numeric
num_cents(Numeric a)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_round, NumericGetDatum(a),
											   Int32GetDatum(2)));
}

/* num_floor_to rounds a non-negative amount down to a multiple of step. */
static Numeric
num_floor_to(Numeric amount, Numeric step)
{
	return num_mul(DatumGetNumeric(DirectFunctionCall2(numeric_div_trunc,
													   NumericGetDatum(amount),
													   NumericGetDatum(step))),
				   step);
}

/* num_text formats a numeric for a message. */
static char *
num_text(Numeric num)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
}

/*
 * sales_window_start returns the day before the sales window, as_of - 1
 * year (28 February for 29 February): the window is (start, as_of].
 */
DateADT
sales_window_start(DateADT as_of)
{
	int			year,
				month,
				day;

	j2date(as_of + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	year--;
	if (month == 2 && day == 29 && !isleap(year))
		day = 28;
	return date2j(year, month, day) - POSTGRES_EPOCH_JDATE;
}

/* Altman */

/* A published model: its weights for X1..X5 and its zone thresholds. */
typedef struct AltmanModel
{
	const char *name;			/* as given in the variant argument */
	double		weight[5];
	double		safe_above;		/* z > this: safe */
	double		distress_below; /* z < this: distress; in between: grey */
} AltmanModel;

static const AltmanModel altman_models[] = {
	[ALTMAN_Z] = {"z", {1.2, 1.4, 3.3, 0.6, 1.0}, 2.99, 1.81},
	[ALTMAN_Z_PRIME] = {"z_prime", {0.717, 0.847, 3.107, 0.420, 0.998}, 2.9, 1.23},
	[ALTMAN_Z_DOUBLE_PRIME] = {"z_double_prime", {6.56, 3.26, 6.72, 1.05, 0.0}, 2.6, 1.1},
};

#define ALTMAN_VARIANTS lengthof(altman_models)

/*
 * altman_variant_parse maps a variant name to its model, raising 22023
 * with the list of valid names for anything else.
 */
AltmanVariant
altman_variant_parse(const char *name, const char *argname)
{
	int			i;

	for (i = 0; i < (int) ALTMAN_VARIANTS; i++)
	{
		if (strcmp(name, altman_models[i].name) == 0)
			return (AltmanVariant) i;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be one of 'z', 'z_prime', 'z_double_prime'",
					argname),
			 errdetail("%s is '%s'.", argname, name),
			 errhint("Use 'z' for public manufacturers, 'z_prime' for private firms and 'z_double_prime' for non-manufacturers.")));
	pg_unreachable();
}

/*
 * altman_score weighs the ratios with the variant's coefficients.
 */
double
altman_score(AltmanVariant variant, const AltmanRatios *x)
{
	const double *w = altman_models[variant].weight;

	return w[0] * x->working_capital + w[1] * x->retained_earnings +
		w[2] * x->ebit + w[3] * x->equity + w[4] * x->sales;
}

/*
 * altman_zone_of classifies a score: strictly above the safe threshold is
 * "safe", strictly below the distress threshold is "distress", and a score
 * equal to either threshold is "grey", as the model's published zones say.
 */
const char *
altman_zone_of(AltmanVariant variant, double z)
{
	const AltmanModel *model = &altman_models[variant];

	if (z > model->safe_above)
		return "safe";
	if (z < model->distress_below)
		return "distress";
	return "grey";
}


/*
 * ratio_over divides a balance-sheet item by a positive total in numeric
 * and returns the ratio as a double; a ratio beyond double precision's
 * range (absurd figures such as 10^400 over 10^-400) is an error naming
 * both items.  One too small to represent is 0, harmlessly.
 */
static double
ratio_over(Numeric item, const char *item_name,
		   Numeric total, const char *total_name)
{
	Numeric		ratio = numeric_div_opt_error(item, total, NULL);
	double		value;

	value = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
											   NumericGetDatum(ratio)));
	if (isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s / %s is out of range for an Altman Z-score",
						item_name, total_name),
				 errdetail("The ratio exceeds the range of double precision.")));
	return value;
}

/*
 * altman_z_of computes the variant's Z-score of a balance sheet, or
 * returns false when an item it needs is unknown (NULL) or total
 * liabilities are 0 (equity / liabilities is then undefined).  Items must
 * be finite, total_assets positive and total_liabilities not negative
 * (22023).
 */
bool
altman_z_of(const Numeric items[ALTMAN_NITEMS], AltmanVariant variant, double *z)
{
	bool		uses_sales = (variant != ALTMAN_Z_DOUBLE_PRIME);
	Numeric		assets = items[ALTMAN_TOTAL_ASSETS];
	Numeric		liabilities = items[ALTMAN_TOTAL_LIABILITIES];
	AltmanRatios x;
	int			i;

	for (i = 0; i < ALTMAN_NITEMS; i++)
	{
		if (items[i] == NULL)
		{
			if (i == ALTMAN_SALES && !uses_sales)
				continue;
			return false;
		}
		crisk_require_finite_numeric(items[i], altman_item_names[i]);
	}

	if (num_sign(assets) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("total_assets must be positive"),
				 errdetail("total_assets is %s.", num_text(assets))));
	if (num_sign(liabilities) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("total_liabilities must not be negative"),
				 errdetail("total_liabilities is %s.", num_text(liabilities))));
	/* A company without liabilities has no equity-to-liabilities ratio. */
	if (num_sign(liabilities) == 0)
		return false;

	x.working_capital = ratio_over(items[ALTMAN_WORKING_CAPITAL], "working_capital",
								   assets, "total_assets");
	x.retained_earnings = ratio_over(items[ALTMAN_RETAINED_EARNINGS], "retained_earnings",
									 assets, "total_assets");
	x.ebit = ratio_over(items[ALTMAN_EBIT], "ebit", assets, "total_assets");
	x.equity = ratio_over(items[ALTMAN_EQUITY], "equity", liabilities, "total_liabilities");
	x.sales = uses_sales ?
		ratio_over(items[ALTMAN_SALES], "sales", assets, "total_assets") : 0.0;

	*z = altman_score(variant, &x);
	if (isinf(*z))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the Altman Z-score is out of range"),
				 errdetail("The balance-sheet items are too large relative to total_assets or total_liabilities.")));
	return true;
}

/* Scoring */

/* require_finite rejects NaN and infinities in a characteristic's value. */
static inline double
require_finite(double value, const char *argname)
{
	if (unlikely(!isfinite(value)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", argname),
				 errhint("Pass NULL when the value is unknown.")));
	return value;
}

/* require_not_negative rejects a negative count and returns it as a double. */
static inline double
require_not_negative(int32 value, const char *argname)
{
	if (unlikely(value < 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", argname),
				 errdetail("The value is %d.", value)));
	return (double) value;
}

/* score_inputs_init marks every characteristic known, at 0. */
void
score_inputs_init(ScoreInputs *in)
{
	memset(in, 0, sizeof(ScoreInputs));
}

/*
 * score_inputs_profile fills in the three characteristics the payment
 * profile carries.  An unknown profile or field is a missing value.
 * max_days_late is the maximum over invoices paid late or open past due:
 * when the profile says nothing fell due late (late_share = 0), a NULL
 * there means "never late", 0 days, rather than "unknown".
 */
void
score_inputs_profile(ScoreInputs *in, const ProfileFigures *profile)
{
	double		late_share = 0;

	if (!profile->known)
	{
		in->missing[SCORE_AVG_DAYS_BEYOND_TERMS] = true;
		in->missing[SCORE_LATE_SHARE] = true;
		in->missing[SCORE_MAX_DAYS_LATE] = true;
		return;
	}

	if (profile->avg_days_beyond_terms_null)
		in->missing[SCORE_AVG_DAYS_BEYOND_TERMS] = true;
	else
		in->value[SCORE_AVG_DAYS_BEYOND_TERMS] =
			require_finite(profile->avg_days_beyond_terms, "profile.avg_days_beyond_terms");

	if (profile->late_share_null)
		in->missing[SCORE_LATE_SHARE] = true;
	else
	{
		late_share = profile->late_share;
		/* Written so that NaN fails too. */
		if (unlikely(!(late_share >= 0.0 && late_share <= 1.0)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("profile.late_share must be between 0 and 1"),
					 errdetail("The value is %s.", float8out_internal(late_share))));
		in->value[SCORE_LATE_SHARE] = late_share;
	}

	if (!profile->max_days_late_null)
		in->value[SCORE_MAX_DAYS_LATE] =
			require_not_negative(profile->max_days_late, "profile.max_days_late");
	else if (!in->missing[SCORE_LATE_SHARE] && late_share == 0.0)
		in->value[SCORE_MAX_DAYS_LATE] = 0;
	else
		in->missing[SCORE_MAX_DAYS_LATE] = true;
}

/*
 * score_inputs_float sets a characteristic measured as a real number
 * (altman_z, utilization): missing when NULL, else finite (22023).
 */
void
score_inputs_float(ScoreInputs *in, ScoreCharacteristic c, bool isnull,
				   double value, const char *argname)
{
	if (isnull)
		in->missing[c] = true;
	else
		in->value[c] = require_finite(value, argname);
}

/*
 * score_inputs_count sets a characteristic counted in whole units
 * (adverse_events, relationship_months): missing when NULL, else not
 * negative (22023).
 */
void
score_inputs_count(ScoreInputs *in, ScoreCharacteristic c, bool isnull,
				   int32 value, const char *argname)
{
	if (isnull)
		in->missing[c] = true;
	else
		in->value[c] = require_not_negative(value, argname);
}

/*
 * score_inputs_event_severity sets the severity of the worst legal event
 * in force: missing when NULL, else 0 to 3 (22023).
 */
void
score_inputs_event_severity(ScoreInputs *in, bool isnull, int32 severity)
{
	if (isnull)
	{
		in->missing[SCORE_EVENT_SEVERITY] = true;
		return;
	}
	if (severity < 0 || severity > 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event_severity must be between 0 and 3"),
				 errdetail("event_severity is %d.", severity)));
	in->value[SCORE_EVENT_SEVERITY] = severity;
}

/*
 * score_explained returns the score of the inputs under a loaded model:
 * the sum of the points the model's characteristics earn.  With reasons
 * given (room for SCORE_NUM_CHARACTERISTICS), it lists each used
 * characteristic's share, in a fixed order, and sets *nreasons.
 */
int32
score_explained(const ScoreModel *model, const ScoreInputs *in,
				ScoreReason *reasons, int *nreasons)
{
	int32		score = 0;
	int			n = 0;
	int			c;

	for (c = 0; c < SCORE_NUM_CHARACTERISTICS; c++)
	{
		const ScoreBins *bins = &model->chars[c];
		int32		points;

		if (!bins->used)
			continue;
		points = scorecard_points(bins, in->missing[c], in->value[c]);
		score += points;
		if (reasons != NULL)
		{
			reasons[n].characteristic = (ScoreCharacteristic) c;
			reasons[n].missing = in->missing[c];
			reasons[n].value = in->missing[c] ? 0.0 : in->value[c];
			reasons[n].points = points;
			reasons[n].max_points = bins->max_points;
			n++;
		}
	}
	if (nreasons != NULL)
		*nreasons = n;
	return score;
}

/* Limits */

/*
 * limit_amount_checked returns an amount of the recalibration, refusing
 * NaN, infinities and negative amounts (22023); NULL passes.
 */
Numeric
limit_amount_checked(Numeric num, const char *argname)
{
	if (num == NULL)
		return NULL;
	if (numeric_is_nan(num) || numeric_is_inf(num))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite amount", argname)));
	if (num_sign(num) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", argname),
				 errdetail("The %s is %s.", argname, num_text(num))));
	return num;
}

/* limit_terms_checked refuses negative payment terms (22023). */
int32
limit_terms_checked(int32 days)
{
	if (days < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("payment_terms_days must not be negative"),
				 errdetail("payment_terms_days is %d.", days)));
	return days;
}

/*
 * risk_class_cap_checked reads a class cap: NULL gives -1 (no cap), a
 * class A to E its index, anything else 22023.
 */
int
risk_class_cap_checked(const char *name)
{
	int			class;

	if (name == NULL)
		return -1;
	class = risk_class_from_name(name);
	if (class < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("class_cap must be a risk class A, B, C, D or E"),
				 errdetail("class_cap is \"%s\".", name)));
	return class;
}

/*
 * round_limit is step 4: amount rounded down to a multiple of rounding;
 * when that gives 0 for a positive amount, rounded down to rounding / 10,
 * / 100, ... (a cent at least), the first that keeps it above 0.
 */
static Numeric
round_limit(Numeric amount, Numeric rounding)
{
	Numeric		cent = int64_div_fast_to_numeric(1, 2);
	Numeric		ten = int64_to_numeric(10);
	Numeric		step = rounding;
	Numeric		result;

	if (num_sign(amount) <= 0)
		return int64_to_numeric(0);
	for (;;)
	{
		result = num_floor_to(amount, step);
		if (num_sign(result) > 0 || num_cmp(step, cent) <= 0)
			return result;
		step = DatumGetNumeric(DirectFunctionCall1(numeric_trim_scale,
												   NumericGetDatum(num_div(step, ten))));
		if (num_cmp(step, cent) < 0)
			step = cent;
	}
}

/*
 * class_target is steps 1 and 2 for one row of the policy: the target, to
 * the cent.
 */
static Numeric
class_target(const LimitPolicyRow *row, const LimitInputs *in)
{
	int64		days = (int64) (in->has_terms ? in->terms_days : row->default_terms_days) +
		row->tolerance_days;
	Numeric		target;

	/* monthly_sales x 12 / 365 x days x class_factor, divided last */
	target = num_mul(num_mul(in->monthly_sales, int64_to_numeric(12 * days)),
					 row->class_factor);
	target = num_cents(num_div(target, int64_to_numeric(365)));
	if (in->insured_cover != NULL)
		target = num_least(target, in->insured_cover);
	return target;
}

/*
 * class_limit is steps 1 to 4 with one row of the policy.
 */
static Numeric
class_limit(const LimitPolicyRow *row, const LimitInputs *in)
{
	Numeric		target = class_target(row, in);
	Numeric		ceiling;

	if (in->current_limit == NULL)
		return round_limit(num_least(target, row->initial_limit), row->rounding);
	if (num_cmp(target, in->current_limit) < 0)
		return round_limit(target, row->rounding);

	/* A rise: towards the target, within the review window's cap. */
	if (num_sign(in->review_base) > 0)
		ceiling = num_mul(in->review_base,
						  DatumGetNumeric(DirectFunctionCall2(numeric_add,
															  NumericGetDatum(int64_to_numeric(1)),
															  NumericGetDatum(row->max_increase))));
	else
		ceiling = row->initial_limit;
	return num_greatest(in->current_limit,
						round_limit(num_least(target, ceiling), row->rounding));
}

/*
 * recalibrate_limit computes the limit a loaded policy gives a customer of
 * risk_class (0 .. 4, the class cap applied) from checked inputs (see the
 * file header).  Returns false when there is nothing to recalibrate from:
 * the limit in force stays.  in->review_base is set to the base used.
 */
bool
recalibrate_limit(const LimitPolicy *policy, int risk_class, LimitInputs *in,
				  Numeric *limit)
{
	Numeric		result = NULL;
	int			c;

	Assert(risk_class >= 0 && risk_class < RISK_CLASS_COUNT);

	/*
	 * No sales to size a target from (NULL, or 0 for a new customer): a new
	 * customer starts at the initial limit, within the cover; a class whose
	 * factor is 0 grants nothing whatever the sales; otherwise there is
	 * nothing to recalibrate from.
	 */
	if (in->monthly_sales == NULL ||
		(in->current_limit == NULL && num_sign(in->monthly_sales) == 0))
	{
		if (in->current_limit == NULL)
		{
			for (c = risk_class; c < RISK_CLASS_COUNT; c++)
			{
				const LimitPolicyRow *row = &policy->rows[c];
				Numeric		start = row->initial_limit;
				Numeric		candidate;

				if (num_sign(row->class_factor) == 0)
					start = int64_to_numeric(0);
				if (in->insured_cover != NULL)
					start = num_least(start, in->insured_cover);
				candidate = round_limit(start, row->rounding);
				result = result == NULL ? candidate : num_greatest(result, candidate);
			}
			*limit = result;
			return true;
		}
		if (num_sign(policy->rows[risk_class].class_factor) == 0)
		{
			*limit = int64_to_numeric(0);
			return true;
		}
		return false;
	}

	/* The window's base: never above the limit in force. */
	if (in->current_limit != NULL)
		in->review_base = in->review_base == NULL ? in->current_limit :
			num_least(in->review_base, in->current_limit);

	/* This class and every worse one: a better class never gets less. */
	for (c = risk_class; c < RISK_CLASS_COUNT; c++)
	{
		Numeric		candidate = class_limit(&policy->rows[c], in);

		result = result == NULL ? candidate : num_greatest(result, candidate);
	}
	*limit = result;
	return true;
}

/* Derived characteristics */

/*
 * utilization_of: open receivables (NULL: nothing open) / the limit; false
 * without a limit (see the file header for a zero limit).
 */
bool
utilization_of(Numeric open_amount, Numeric limit, double *utilization)
{
	int			limit_sign;

	if (limit == NULL)
		return false;
	if (open_amount == NULL)
		open_amount = num_zero();
	limit_sign = num_sign(limit);
	if (limit_sign > 0)
		*utilization = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
														  NumericGetDatum(num_div(open_amount, limit))));
	else if (num_sign(open_amount) > 0)
		*utilization = 1000000.0;
	else
		*utilization = 0.0;
	return true;
}

/*
 * relationship_months_of: whole months from start to as_of, 0 if start
 * lies after as_of; false when the start is unknown.
 */
bool
relationship_months_of(bool known, DateADT start, DateADT as_of, int32 *months)
{
	int			y1,
				m1,
				d1,
				y2,
				m2,
				d2;

	if (!known)
		return false;
	if (DATE_NOT_FINITE(start) || start >= as_of)
	{
		*months = 0;
		return true;
	}
	j2date(start + POSTGRES_EPOCH_JDATE, &y1, &m1, &d1);
	j2date(as_of + POSTGRES_EPOCH_JDATE, &y2, &m2, &d2);
	*months = (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0);
	return true;
}

/*
 * monthly_sales_of: the sales of the sales window over the days of it the
 * relationship covers, x 365 / 12 (see the file header); false when
 * nothing was issued.
 */
bool
monthly_sales_of(Numeric sales_12_months, bool first_known, DateADT first_issue_date,
				 DateADT as_of, Numeric *sales)
{
	DateADT		window_start;
	int64		days;

	if (sales_12_months == NULL || !first_known)
		return false;
	window_start = sales_window_start(as_of);
	days = first_issue_date > window_start ?
		(int64) as_of - first_issue_date + 1 : (int64) as_of - window_start;
	days = Max(1, days);
	/* sales / days x 365 / 12, divided last */
	*sales = num_div(num_mul(sales_12_months, int64_to_numeric(365)),
					 int64_to_numeric(12 * days));
	return true;
}

/* The customer */

/*
 * score_customer scores one customer with a loaded model and recalibrates
 * its limit with a loaded policy: the score and its reasons, the class
 * (worsened to the class cap of its legal events), the characteristics
 * derived from its figures, and the recommended limit.  Bad values raise
 * 22023, as the SQL functions do.
 */
void
score_customer(const CreditCustomer *customer, const ScoreModel *model,
			   const LimitPolicy *policy, DateADT as_of, CreditResult *result)
{
	ScoreInputs in;
	LimitInputs limit;
	int			cap;

	memset(result, 0, sizeof(CreditResult));
	result->altman_known = altman_z_of(customer->statements, ALTMAN_Z_PRIME,
									   &result->altman_z);
	result->utilization_known = utilization_of(customer->open_amount,
											   customer->utilization_limit,
											   &result->utilization);
	if (!customer->customer_since_null)
		result->months_known = relationship_months_of(true, customer->customer_since, as_of,
													  &result->relationship_months);
	else
		result->months_known = relationship_months_of(!customer->first_issue_null,
													  customer->first_issue_date, as_of,
													  &result->relationship_months);
	result->monthly_sales_known = monthly_sales_of(customer->sales_12_months,
												   !customer->first_issue_null,
												   customer->first_issue_date, as_of,
												   &result->monthly_sales);

	/* the score, in the order the SQL functions check their arguments */
	score_inputs_init(&in);
	score_inputs_profile(&in, &customer->profile);
	score_inputs_float(&in, SCORE_ALTMAN_Z, !result->altman_known, result->altman_z,
					   "altman_z");
	score_inputs_count(&in, SCORE_ADVERSE_EVENTS, customer->adverse_events_null,
					   customer->adverse_events, "adverse_events");
	score_inputs_event_severity(&in, customer->event_severity_null,
								customer->event_severity);
	score_inputs_count(&in, SCORE_BROKEN_PROMISES_12M, customer->broken_promises_12m_null,
					   customer->broken_promises_12m, "broken_promises_12m");
	score_inputs_float(&in, SCORE_UTILIZATION, !result->utilization_known,
					   result->utilization, "utilization");
	score_inputs_count(&in, SCORE_RELATIONSHIP_MONTHS, !result->months_known,
					   result->relationship_months, "relationship_months");
	result->score = score_explained(model, &in, result->reasons, &result->nreasons);

	/* the limit: a negative figure of sales (credit notes) counts as 0 */
	memset(&limit, 0, sizeof(limit));
	limit.current_limit = limit_amount_checked(customer->credit_limit, "current_limit");
	if (result->monthly_sales_known)
		limit.monthly_sales = num_sign(result->monthly_sales) < 0 ? num_zero() :
			result->monthly_sales;
	limit.monthly_sales = limit_amount_checked(limit.monthly_sales, "monthly_sales");
	limit.insured_cover = limit_amount_checked(customer->insured_cover, "insured_cover");
	limit.review_base = limit_amount_checked(customer->review_base_limit, "review_base_limit");
	if (!customer->payment_terms_null)
	{
		limit.has_terms = true;
		limit.terms_days = limit_terms_checked(customer->payment_terms_days);
	}
	cap = risk_class_cap_checked(customer->class_cap);
	result->risk_class = Max(risk_class_index(result->score, "score"), cap);
	result->limit_known = recalibrate_limit(policy, result->risk_class, &limit,
											&result->recommended_limit);
}
