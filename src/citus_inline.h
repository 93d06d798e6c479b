/*-------------------------------------------------------------------------
 *
 * citus_inline.h
 *	  The planner hook that inlines crisk's SQL functions before Citus's
 *	  planner looks for distributed tables (citus_inline.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_CITUS_INLINE_H
#define CRISK_CITUS_INLINE_H

extern void crisk_install_citus_inline_hook(void);
extern bool crisk_citus_inline_active(void);

#endif							/* CRISK_CITUS_INLINE_H */
