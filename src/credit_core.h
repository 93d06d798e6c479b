/*-------------------------------------------------------------------------
 *
 * credit_core.h
 *	  The credit core: the arithmetic of credit risk, apart from any SQL.
 *
 * What a credit manager's figures are made of, computed from values the
 * caller has already read: Altman Z-scores, the characteristics a
 * scorecard weighs (utilization, relationship months, monthly sales),
 * scoring with explanations from a loaded model, limit recalibration from
 * a loaded policy, and score_customer(), which does all of it for one
 * customer and fills a CreditResult.  The core reads no table and calls
 * no SQL function: it runs no SPI, looks nothing up in the catalog and
 * calls nothing through the function manager by name.  Amounts stay in
 * PostgreSQL's numeric (exact), whose routines it calls directly.  Bad
 * values raise 22023 naming the value, as the SQL functions document.
 *
 * The other pieces of the core live with the state they work on: exact
 * sums in exact_sum.h, the payment-profile state math in payment_profile.h
 * (profile_add).  The SQL wrappers (altman.c, credit_score.c,
 * recalibrated_limit.c, rescore_compute.c) only turn arguments into these
 * structures and results back into SQL values; models and policies are
 * loaded by scorecard.c and recalibrated_limit.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_CREDIT_CORE_H
#define CRISK_CREDIT_CORE_H

#include "utils/date.h"
#include "utils/numeric.h"

#include "altman.h"
#include "credit_score.h"
#include "recalibrated_limit.h"
#include "scorecard.h"

/*
 * The sales window: the last 12 months, (as_of - 1 year, as_of].  This is
 * its one definition; crisk._rescore_ledger sums the same window, and SQL
 * reads it as crisk._twelve_months_start(as_of) (time_windows.c), for the
 * legal events and broken promises of the same months too.
 */
extern DateADT sales_window_start(DateADT as_of);

/*
 * An invoice open more than this many days past due raises an overdue_90
 * alert (crisk._rescore_record, which reads it as
 * crisk._overdue_alert_days(), time_windows.c); crisk._rescore_ledger finds
 * the latest such due date.
 */
#define OVERDUE_ALERT_DAYS 90

/* Altman: the items of a balance sheet, NULL when unknown. */
enum
{
	ALTMAN_WORKING_CAPITAL,
	ALTMAN_RETAINED_EARNINGS,
	ALTMAN_EBIT,
	ALTMAN_EQUITY,
	ALTMAN_TOTAL_LIABILITIES,
	ALTMAN_TOTAL_ASSETS,
	ALTMAN_SALES,
	ALTMAN_NITEMS
};

extern const char *const altman_item_names[ALTMAN_NITEMS];
extern bool altman_z_of(const Numeric items[ALTMAN_NITEMS], AltmanVariant variant,
						double *z);

/* Scoring: each characteristic's value, or missing. */
typedef struct ScoreInputs
{
	bool		missing[SCORE_NUM_CHARACTERISTICS];
	double		value[SCORE_NUM_CHARACTERISTICS];
} ScoreInputs;

/* The payment-profile fields a scorecard uses. */
typedef struct ProfileFigures
{
	bool		known;			/* false: no payment history */
	bool		avg_days_beyond_terms_null;
	double		avg_days_beyond_terms;
	bool		late_share_null;
	double		late_share;
	bool		max_days_late_null;
	int32		max_days_late;
} ProfileFigures;

extern void score_inputs_init(ScoreInputs *in);
extern void score_inputs_profile(ScoreInputs *in, const ProfileFigures *profile);
extern void score_inputs_float(ScoreInputs *in, ScoreCharacteristic c,
							   bool isnull, double value, const char *argname);
extern void score_inputs_count(ScoreInputs *in, ScoreCharacteristic c,
							   bool isnull, int32 value, const char *argname);
extern void score_inputs_event_severity(ScoreInputs *in, bool isnull, int32 severity);

/* One characteristic's share of a score. */
typedef struct ScoreReason
{
	ScoreCharacteristic characteristic;
	bool		missing;
	double		value;
	int32		points;
	int32		max_points;
} ScoreReason;

extern int32 score_explained(const ScoreModel *model, const ScoreInputs *in,
							 ScoreReason *reasons, int *nreasons);

/* Limits: the inputs of one recalibration, as checked. */
typedef struct LimitInputs
{
	Numeric		current_limit;	/* NULL: new customer */
	Numeric		monthly_sales;	/* NULL: no sales to size a target from */
	Numeric		insured_cover;	/* NULL: none */
	Numeric		review_base;	/* lowest limit of the review window, or NULL */
	bool		has_terms;
	int32		terms_days;
} LimitInputs;

extern Numeric limit_amount_checked(Numeric amount, const char *argname);
extern int32 limit_terms_checked(int32 days);
extern int	risk_class_cap_checked(const char *name);
extern bool recalibrate_limit(const LimitPolicy *policy, int risk_class,
							  LimitInputs *in, Numeric *limit);

/* The characteristics derived from a customer's figures. */
extern bool utilization_of(Numeric open_amount, Numeric limit, double *utilization);
extern bool relationship_months_of(bool known, DateADT start, DateADT as_of,
								   int32 *months);
extern bool monthly_sales_of(Numeric sales_12_months, bool first_known,
							 DateADT first_issue_date, DateADT as_of, Numeric *sales);

/* What score_customer needs of one customer; NULL pointers are unknowns. */
typedef struct CreditCustomer
{
	ProfileFigures profile;
	Numeric		open_amount;	/* open receivables (profile), NULL = 0 */
	Numeric		statements[ALTMAN_NITEMS];	/* latest balance sheet */
	bool		adverse_events_null;
	int32		adverse_events;
	bool		event_severity_null;
	int32		event_severity;
	bool		broken_promises_12m_null;
	int32		broken_promises_12m;	/* promises to pay broken in 12 months */
	const char *class_cap;		/* worst class the events in force allow */
	Numeric		credit_limit;	/* the limit in force */
	Numeric		utilization_limit;	/* the limit utilization is measured on */
	Numeric		insured_cover;
	Numeric		review_base_limit;
	bool		payment_terms_null;
	int32		payment_terms_days;
	bool		customer_since_null;
	DateADT		customer_since;
	bool		first_issue_null;
	DateADT		first_issue_date;
	Numeric		sales_12_months;
} CreditCustomer;

/* What score_customer finds. */
typedef struct CreditResult
{
	int32		score;
	int			risk_class;		/* 0 (A) .. 4 (E), after the class cap */
	int			nreasons;
	ScoreReason reasons[SCORE_NUM_CHARACTERISTICS];
	bool		altman_known;
	double		altman_z;
	bool		utilization_known;
	double		utilization;
	bool		months_known;
	int32		relationship_months;
	bool		monthly_sales_known;
	Numeric		monthly_sales;
	bool		limit_known;	/* false: the limit in force stays */
	Numeric		recommended_limit;
} CreditResult;

extern void score_customer(const CreditCustomer *customer, const ScoreModel *model,
						   const LimitPolicy *policy, DateADT as_of,
						   CreditResult *result);

#endif							/* CRISK_CREDIT_CORE_H */
