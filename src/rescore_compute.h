/*-------------------------------------------------------------------------
 *
 * rescore_compute.h
 *	  The scoring step of a rescoring pass: one crisk.rescore_item in, one
 *	  crisk.rescore_result out, through the credit core (credit_core.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_RESCORE_COMPUTE_H
#define CRISK_RESCORE_COMPUTE_H

#include "utils/date.h"

typedef struct ComputeState ComputeState;

extern ComputeState *rescore_compute_begin(Oid item_type, Oid result_type,
										   MemoryContext context);
extern Datum rescore_compute_item(ComputeState *state, Datum item, DateADT as_of);
extern MemoryContext rescore_compute_customer_context(ComputeState *state);

#endif							/* CRISK_RESCORE_COMPUTE_H */
