/*-------------------------------------------------------------------------
 *
 * order_policies.h
 *	  Session caches of crisk.dunning_policy and crisk.event_kind, as
 *	  crisk.check_order reads them; see order_policies.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_ORDER_POLICIES_H
#define CRISK_ORDER_POLICIES_H

/* What a dunning level or an event kind does to orders. */
typedef enum OrderEffect
{
	EFFECT_NONE,
	EFFECT_REVIEW,
	EFFECT_BLOCK
} OrderEffect;

typedef struct DunningLevel
{
	int32		days_past_due;
	int32		level;
	char	   *action;
	OrderEffect effect;
} DunningLevel;

typedef struct DunningPolicy
{
	char	   *name;
	int			nlevels;
	DunningLevel *levels;		/* by ascending days_past_due */
} DunningPolicy;

typedef struct EventKind
{
	char	   *kind;
	char	   *description;
	OrderEffect effect;
	int32		window_days;	/* < 0: for ever */
} EventKind;

extern void order_policies_refresh(void);
extern const DunningPolicy *find_dunning_policy(const char *name);
extern const EventKind *find_event_kind(const char *kind);

#endif							/* CRISK_ORDER_POLICIES_H */
