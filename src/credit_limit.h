/*-------------------------------------------------------------------------
 *
 * credit_limit.h
 *	  Limit policies read from crisk.limit_policy and the recalibration of
 *	  a credit limit from a score (crisk.recalibrated_limit).
 *
 * A policy has one row per risk class, A to E: how many months of sales
 * the limit should cover, by how much it may rise at one recalibration,
 * where a new customer starts, and the multiple it is rounded down to.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_CREDIT_LIMIT_H
#define CRISK_CREDIT_LIMIT_H

#include "utils/numeric.h"

#include "credit_score.h"

/* One row of a policy. */
typedef struct LimitPolicyRow
{
	bool		present;
	Numeric		months_of_sales;
	Numeric		max_increase;
	Numeric		initial_limit;
	Numeric		rounding;
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

#endif							/* CRISK_CREDIT_LIMIT_H */
