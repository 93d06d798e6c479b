/*-------------------------------------------------------------------------
 *
 * check_order.h
 *	  The order credit check (crisk.check_order); see check_order.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_CHECK_ORDER_H
#define CRISK_CHECK_ORDER_H

#include "fmgr.h"

extern Datum crisk_check_order(PG_FUNCTION_ARGS);
extern Datum crisk_check_order_reserve(PG_FUNCTION_ARGS);

#endif							/* CRISK_CHECK_ORDER_H */
