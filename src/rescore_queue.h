/*-------------------------------------------------------------------------
 *
 * rescore_queue.h
 *	  The rescoring queue's change tracker (rescore_queue.c): what a pass
 *	  asks of it while it writes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_RESCORE_QUEUE_H
#define CRISK_RESCORE_QUEUE_H

extern void rescore_queue_suspend(void);
extern void rescore_queue_resume(void);

#endif							/* CRISK_RESCORE_QUEUE_H */
