/*-------------------------------------------------------------------------
 *
 * scorecard.h
 *	  Scorecard models read from crisk.scorecard: the characteristics a
 *	  model can use, its bins, their validation, and the per-session cache.
 *
 * A model gives each characteristic it uses a set of bins [lower, upper),
 * each worth points, plus one "missing value" bin (both bounds NULL) for an
 * unknown value.  A usable model covers every value of each characteristic
 * exactly once: the lowest bin is unbounded below, the highest unbounded
 * above, and each bin starts where the previous one ends.  Its maximum
 * points add up to at most 100 and no bin is worth less than 0, so a score
 * always lies between 0 and 100.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_SCORECARD_H
#define CRISK_SCORECARD_H

#include "fmgr.h"

/* The characteristics a model may use, in the order explanations list them. */
typedef enum ScoreCharacteristic
{
	SCORE_AVG_DAYS_BEYOND_TERMS,
	SCORE_LATE_SHARE,
	SCORE_MAX_DAYS_LATE,
	SCORE_UTILIZATION,
	SCORE_ALTMAN_Z,
	SCORE_ADVERSE_EVENTS,
	SCORE_EVENT_SEVERITY,
	SCORE_RELATIONSHIP_MONTHS,
	SCORE_BROKEN_PROMISES_12M,	/* added in 0.2.0: promises to pay broken */
	SCORE_NUM_CHARACTERISTICS
} ScoreCharacteristic;

extern const char *const score_characteristic_names[SCORE_NUM_CHARACTERISTICS];

/* One bin of known values; an unbounded side is -/+ infinity. */
typedef struct ScoreBin
{
	double		lower;
	double		upper;
	int32		points;
} ScoreBin;

/*
 * The bins of one characteristic in one model.  For scoring, a valid
 * model's bins are also kept as two flat arrays: the nbins - 1 inner bounds
 * (each bin's upper bound but the last) and the points of each bin.
 */
typedef struct ScoreBins
{
	bool		used;			/* the model has rows for it */
	int			nbins;			/* bins of known values, ascending */
	ScoreBin   *bins;
	double	   *bounds;			/* nbins - 1 inner bounds, ascending */
	int32	   *points;			/* nbins points, in bin order */
	int32		missing_points; /* the missing-value bin */
	int32		max_points;		/* best bin, the missing-value bin included */
} ScoreBins;

/* A problem found in a model's rows. */
typedef struct ScoreProblem
{
	const char *characteristic; /* NULL for the model as a whole */
	bool		is_error;		/* false: a warning, the model stays usable */
	const char *text;
} ScoreProblem;

typedef struct ScoreModel
{
	const char *name;
	int			namelen;
	ScoreBins	chars[SCORE_NUM_CHARACTERISTICS];
	int			nproblems;
	int			nerrors;
	ScoreProblem *problems;
	struct ScoreModel *next;
} ScoreModel;

/*
 * What a calling function keeps in fn_extra to find its model again without
 * a lookup: valid while the cache generation is unchanged.
 */
typedef struct ScoreModelRef
{
	uint64		generation;
	const ScoreModel *model;
	bool		arg_stable;		/* the model argument is a constant */
} ScoreModelRef;

extern const ScoreModel *scorecard_lookup(const char *name, int len,
										  bool require_valid);
extern const ScoreModel *scorecard_model_arg(FunctionCallInfo fcinfo, int argno,
											 ScoreModelRef *ref,
											 bool require_valid);

/*
 * scorecard_points returns the points a value earns.  The model has been
 * validated, so the bins are contiguous: a value lies in the bin whose
 * number is the count of inner bounds at or below it.  Counting rather
 * than searching keeps the loop free of branches that depend on the value,
 * which matters when scoring millions of customers whose values vary.
 */
static inline int32
scorecard_points(const ScoreBins *bins, bool missing, double value)
{
	int			bin = 0;
	int			i;

	if (missing)
		return bins->missing_points;
	for (i = 0; i < bins->nbins - 1; i++)
		bin += (value >= bins->bounds[i]);
	return bins->points[bin];
}

#endif							/* CRISK_SCORECARD_H */
