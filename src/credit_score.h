/*-------------------------------------------------------------------------
 *
 * credit_score.h
 *	  Credit scores from a scorecard model, their explanation, and risk
 *	  classes.
 *
 * Risk classes are fixed bands of the 0..100 score: A 80-100, B 60-79,
 * C 40-59, D 20-39, E 0-19.  Limit policies have one row per class.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_CREDIT_SCORE_H
#define CRISK_CREDIT_SCORE_H

#define RISK_CLASS_COUNT 5

extern int	risk_class_index(int32 score, const char *argname);
extern const char *risk_class_name(int index);
extern int	risk_class_from_name(const char *name);

#endif							/* CRISK_CREDIT_SCORE_H */
