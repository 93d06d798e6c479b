/*-------------------------------------------------------------------------
 *
 * recalibrated_limit.h
 *	  Limit policies read from crisk.limit_policy and the recalibration of
 *	  a credit limit from a score (crisk.recalibrated_limit).
 *
 * A policy has one row per risk class, A to E: the class factor and the
 * days of sales the target covers (payment terms, by default
 * default_terms_days, plus tolerance_days), by how much a limit may rise
 * within review_days, where a new customer starts, the multiple it is
 * rounded down to, and how far exposure may exceed it before an alert.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_RECALIBRATED_LIMIT_H
#define CRISK_RECALIBRATED_LIMIT_H

#include "utils/numeric.h"

#include "credit_score.h"

/* One row of a policy. */
typedef struct LimitPolicyRow
{
	bool		present;
	Numeric		class_factor;
	Numeric		max_increase;
	Numeric		initial_limit;
	Numeric		rounding;
	int32		tolerance_days;
	int32		default_terms_days;
} LimitPolicyRow;

typedef struct LimitPolicy
{
	const char *name;
	int			namelen;
	LimitPolicyRow rows[RISK_CLASS_COUNT];	/* A .. E */
	int			nproblems;
	const char *first_problem;	/* NULL when the policy is usable */
	struct LimitPolicy *next;
} LimitPolicy;

extern const LimitPolicy *limit_policy_lookup(const char *name, int len);

#endif							/* CRISK_RECALIBRATED_LIMIT_H */
