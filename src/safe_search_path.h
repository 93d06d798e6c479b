/*-------------------------------------------------------------------------
 *
 * safe_search_path.h
 *	  The search_path under which crisk runs SQL: pg_catalog, then pg_temp.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_SAFE_SEARCH_PATH_H
#define CRISK_SAFE_SEARCH_PATH_H

/* pg_temp last: its functions and operators are never looked up */
#define CRISK_SAFE_SEARCH_PATH "pg_catalog, pg_temp"

extern int	crisk_pin_search_path(void);
extern int	crisk_pin_search_path_in_function(void);
extern void crisk_unpin_search_path(int nestlevel);
extern void crisk_pin_session_search_path(void);

#endif							/* CRISK_SAFE_SEARCH_PATH_H */
