/*-------------------------------------------------------------------------
 *
 * outcome_counts.c
 *	  The state type crisk.outcome_counts, its combine function and the
 *	  transition function crisk.auc and crisk.ks share.
 *
 * Fitting a logistic regression needs the data, not sufficient statistics:
 * the weights of iteratively reweighted least squares change at every
 * iteration.  AUC and KS need the order of the scores.  So the state
 * gathers the rows, compactly: rows with the same values (the same
 * characteristics, or the same score) collapse into one pattern carrying
 * its count of bad rows and of good rows.  A scorecard's characteristics
 * take few distinct values once binned, and scores are integers from 0 to
 * 100, so the state stays small; with continuous values it holds up to one
 * pattern per row, (columns + 2) * 8 bytes each.
 *
 * While an aggregate runs, the state is an expanded object
 * (ExpandedOutcomeCounts) in a memory context of its own under the
 * aggregate context.  A row is looked up in a hash table of the patterns
 * seen so far: a known pattern gets its counts raised, a new one is
 * appended, and the records grow (fourfold, with repalloc) only with the
 * distinct patterns.  The transition and combine functions return the same
 * read-write pointer, which the executor keeps as it is (it copies a
 * by-reference state each time a transition function returns a new
 * pointer: a flat state that grew cost a copy of the whole sample at each
 * doubling, and sorting it to merge repeats cost more).  The state is
 * flattened, as the type's flat form, only when it leaves the aggregate:
 * a parallel worker's partial state, the text output; final functions
 * read the expanded form in place.  The state type stays a real SQL type,
 * with its combine function, for parallel plans and Citus.
 *
 * Patterns are kept in the order they first came.  Final functions read
 * them in an order that depends on their values alone, so that the order
 * of the rows, or how a parallel plan split them, never changes a result:
 * crisk.auc and crisk.ks a copy sorted by value (outcome_counts_compacted,
 * a few hundred scores at most), crisk.logistic_regression the records
 * themselves, put in order of hash then value in place
 * (outcome_counts_canonical_read), since a copy of a large sample costs
 * more than moving its records.
 *
 * The text form, for Citus, writes the compacted patterns:
 *
 *	  columns=2 patterns=2 records=0,1.5:3,7;1,2:0,4
 *
 * each record being its values, then after ':' its bad and good counts.
 * Values are written in the shortest form that reads back exactly.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

#include "agg_state.h"
#include "outcome_counts.h"

PG_FUNCTION_INFO_V1(crisk_outcome_counts_in);
PG_FUNCTION_INFO_V1(crisk_outcome_counts_out);
PG_FUNCTION_INFO_V1(crisk_outcome_counts_combine);
PG_FUNCTION_INFO_V1(crisk_score_outcome_transition);

/* Counts are whole numbers held in doubles: exact up to 2^53. */
#define MAX_EXACT_COUNT 9007199254740992.0

/* A slot of an open state's hash table: a record and its hash, or empty. */
typedef struct OutcomeCountsSlot
{
	uint32		hash;			/* low half of pattern_hash of the record's values */
	int32		index;			/* the record, or -1 */
} OutcomeCountsSlot;

/*
 * pattern_hash is the 64-bit hash of a pattern's values (bit by bit: the
 * callers have turned -0 into 0 and refused NaN).
 */
static inline uint64
pattern_hash(const double *values, int columns)
{
	return hash_bytes_extended((const unsigned char *) values, columns * sizeof(double), 0);
}

/* prefetch_memory asks the CPU to start loading an address's cache line. */
#if defined(__GNUC__) || defined(__clang__)
#define prefetch_memory(address) __builtin_prefetch(address)
#else
#define prefetch_memory(address) ((void) 0)
#endif

/* Rows an open state buffers before entering them (flush_pending). */
#define PENDING_ROWS 32

/*
 * How much a full state grows.  Room not written to costs no memory (the
 * pages are never touched), while each growth copies what is there: four
 * times makes a sample cost a third of its size in copies, not its size.
 */
#define GROWTH_FACTOR 4

/* Patterns a new state has room for. */
#define INITIAL_CAPACITY 16

/* state_size is the size in bytes of a state with room for capacity patterns. */
static Size
state_size(int columns, Size capacity)
{
	return offsetof(OutcomeCounts, records) +
		capacity * (Size) (columns + 2) * sizeof(double);
}

/*
 * outcome_counts_create makes an empty state, in the current memory
 * context, for patterns of `columns` values.
 */
OutcomeCounts *
outcome_counts_create(int columns, int capacity)
{
	OutcomeCounts *state;
	Size		size;

	Assert(columns >= 0 && columns <= OUTCOME_COUNTS_MAX_COLUMNS);
	size = state_size(columns, Max(capacity, 1));
	state = palloc(size);
	SET_VARSIZE(state, size);
	state->columns = columns;
	state->patterns = 0;
	state->compacted = true;
	state->reserved = 0;
	return state;
}

/* compare_patterns orders records by their values, lexicographically. */
static int
compare_patterns(const void *a, const void *b, void *arg)
{
	const double *x = (const double *) a;
	const double *y = (const double *) b;
	int			columns = *(const int *) arg;

	for (int i = 0; i < columns; i++)
	{
		if (x[i] < y[i])
			return -1;
		if (x[i] > y[i])
			return 1;
	}
	return 0;
}

/* compare_pattern_pointers orders pointers to records by the records' values. */
static int
compare_pattern_pointers(const void *a, const void *b, void *arg)
{
	return compare_patterns(*(const double *const *) a, *(const double *const *) b, arg);
}

/*
 * merge_sorted writes the records of state, sorted and with the counts of
 * equal patterns added up, into out (room for state->patterns records)
 * and returns how many it wrote.  It sorts pointers, not the records
 * themselves, which are (columns + 2) * 8 bytes each.
 */
static int32
merge_sorted(const OutcomeCounts *state, double *out)
{
	int			columns = state->columns;
	int			stride = OUTCOME_COUNTS_STRIDE(state);
	const double **order;
	double	   *last = NULL;
	int32		kept = 0;

	if (state->patterns == 0)
		return 0;
	order = palloc(state->patterns * sizeof(double *));
	for (int32 i = 0; i < state->patterns; i++)
		order[i] = OUTCOME_COUNTS_RECORD(state, i);
	qsort_arg(order, state->patterns, sizeof(double *), compare_pattern_pointers, &columns);
	for (int32 i = 0; i < state->patterns; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (last != NULL && compare_patterns(last, order[i], &columns) == 0)
		{
			last[columns] += order[i][columns];
			last[columns + 1] += order[i][columns + 1];
		}
		else
		{
			last = out + (Size) kept * stride;
			memcpy(last, order[i], stride * sizeof(double));
			kept++;
		}
	}
	pfree(order);
	return kept;
}

/*
 * outcome_counts_compact sorts the patterns of a state and merges those
 * with the same values, adding their counts.  It changes the state in
 * place but not what it means.
 */
void
outcome_counts_compact(OutcomeCounts *state)
{
	double	   *merged;

	if (state->compacted)
		return;
	merged = palloc((Size) state->patterns * OUTCOME_COUNTS_STRIDE(state) * sizeof(double) + 1);
	state->patterns = merge_sorted(state, merged);
	memcpy(state->records, merged,
		   (Size) state->patterns * OUTCOME_COUNTS_STRIDE(state) * sizeof(double));
	pfree(merged);
	state->compacted = true;
}

/*
 * outcome_counts_compacted returns the state compacted, for a final
 * function to read: the state itself when it is compacted already, else a
 * compacted copy in the current memory context (the state is not changed).
 */
const OutcomeCounts *
outcome_counts_compacted(const OutcomeCounts *state)
{
	OutcomeCounts *copy;

	if (state->compacted)
		return state;
	copy = outcome_counts_create(state->columns, state->patterns);
	copy->patterns = merge_sorted(state, copy->records);
	copy->compacted = true;
	return copy;
}

/* A record's place in the canonical order: its hash, then its values. */
typedef struct CanonicalKey
{
	uint64		hash;
	const double *record;
} CanonicalKey;

/* compare_canonical orders CanonicalKeys by hash, then by values. */
static inline int
compare_canonical(const CanonicalKey *x, const CanonicalKey *y, int *columns)
{
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return compare_patterns(x->record, y->record, columns);
}

/* sort_canonical(keys, n, &columns): a sort with compare_canonical inlined. */
#define ST_SORT sort_canonical
#define ST_ELEMENT_TYPE CanonicalKey
#define ST_COMPARE(a, b, arg) compare_canonical(a, b, arg)
#define ST_COMPARE_ARG_TYPE int
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* Records ahead that outcome_counts_canonical asks the CPU to load. */
#define PREFETCH_DISTANCE 16

/*
 * outcome_counts_canonical returns a copy of the patterns of a state, in
 * the current memory context, each pattern once (repeats merged) and in an
 * order that depends on the patterns alone, never on the order the rows
 * came in: by the hash of their values, then by their values.  Sorting
 * 16-byte keys of hash and pointer touches each record once, where sorting
 * by value compares records scattered in memory; the copy reads them in
 * the sorted order with the next ones prefetched, and the fit then reads
 * the copy from start to end at each iteration.  Its records are not sorted by
 * value (compacted stays false).
 */
OutcomeCounts *
outcome_counts_canonical(const OutcomeCounts *state)
{
	int			columns = state->columns;
	int			stride = OUTCOME_COUNTS_STRIDE(state);
	CanonicalKey *keys = palloc(Max(state->patterns, 1) * sizeof(CanonicalKey));
	OutcomeCounts *copy = outcome_counts_create(columns, state->patterns);
	double	   *last = NULL;
	int32		kept = 0;

	for (int32 i = 0; i < state->patterns; i++)
	{
		keys[i].record = OUTCOME_COUNTS_RECORD(state, i);
		keys[i].hash = pattern_hash(keys[i].record, columns);
	}
	sort_canonical(keys, state->patterns, &columns);
	for (int32 i = 0; i < state->patterns; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		/* the records are read out of order: load the next ones meanwhile */
		if (i + PREFETCH_DISTANCE < state->patterns)
			prefetch_memory(keys[i + PREFETCH_DISTANCE].record);
		if (last != NULL && compare_patterns(last, keys[i].record, &columns) == 0)
		{
			last[columns] += keys[i].record[columns];
			last[columns + 1] += keys[i].record[columns + 1];
		}
		else
		{
			last = OUTCOME_COUNTS_RECORD(copy, kept);
			memcpy(last, keys[i].record, stride * sizeof(double));
			kept++;
		}
	}
	pfree(keys);
	copy->patterns = kept;
	copy->compacted = false;
	return copy;
}

/*
 * grow multiplies the room of a state by GROWTH_FACTOR with repalloc, in the memory context the
 * state lives in (an expanded object's own context: see
 * outcome_counts_open), and returns it.
 */
static OutcomeCounts *
grow(OutcomeCounts *state)
{
	Size		capacity = (Size) OUTCOME_COUNTS_CAPACITY(state) * GROWTH_FACTOR;
	Size		used = state_size(state->columns, state->patterns);
	Size		size = state_size(state->columns, capacity);
	OutcomeCounts *bigger;

	if (size > MaxAllocSize)
	{
		size = MaxAllocSize;
		if (size <= used)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many distinct rows to gather for one group"),
					 errdetail("The sample has more than %d distinct patterns of %d values.",
							   state->patterns, state->columns),
					 errhint("Bin the characteristics, or fit on a sample of the rows.")));
		size = state_size(state->columns,
						  (size - offsetof(OutcomeCounts, records)) /
						  ((state->columns + 2) * sizeof(double)));
	}
	bigger = repalloc(state, size);
	SET_VARSIZE(bigger, size);
	return bigger;
}

static void flush_pending(ExpandedOutcomeCounts *expanded);

/*
 * expanded_get_flat_size is the get_flat_size method of
 * ExpandedOutcomeCounts: the flat form holds the patterns in use, no spare
 * room (the pending rows entered first).
 */
static Size
expanded_get_flat_size(ExpandedObjectHeader *eohptr)
{
	ExpandedOutcomeCounts *expanded = (ExpandedOutcomeCounts *) eohptr;

	flush_pending(expanded);
	return state_size(expanded->state->columns, expanded->state->patterns);
}

/* expanded_flatten_into writes the flat form (see expanded_get_flat_size). */
static void
expanded_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	const OutcomeCounts *state = ((ExpandedOutcomeCounts *) eohptr)->state;

	Assert(allocated_size == state_size(state->columns, state->patterns));
	memcpy(result, state, allocated_size);
	SET_VARSIZE(result, allocated_size);
}

static const ExpandedObjectMethods expanded_methods = {
	expanded_get_flat_size,
	expanded_flatten_into
};

/*
 * own_expanded returns the ExpandedOutcomeCounts a datum points to when it
 * is a read-write pointer to one, else NULL.
 */
static ExpandedOutcomeCounts *
own_expanded(Datum datum)
{
	ExpandedObjectHeader *eohptr;

	if (!VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(datum)))
		return NULL;
	eohptr = DatumGetEOHP(datum);
	return eohptr->eoh_methods == &expanded_methods ? (ExpandedOutcomeCounts *) eohptr : NULL;
}

/*
 * outcome_counts_open returns state argument argno ready to be updated in
 * place: the argument itself when it is a read-write expanded state (what
 * the previous call returned), else a new expanded state holding a copy of
 * the argument, or empty with `columns` values per pattern when the
 * argument is NULL.  A new one lives in its own memory context, a child of
 * the aggregate context (of the current one outside an aggregate).
 */
ExpandedOutcomeCounts *
outcome_counts_open(FunctionCallInfo fcinfo, int argno, int columns)
{
	ExpandedOutcomeCounts *expanded = NULL;
	const OutcomeCounts *flat = NULL;
	MemoryContext parent;
	MemoryContext context;
	MemoryContext old;

	if (!PG_ARGISNULL(argno))
	{
		expanded = own_expanded(PG_GETARG_DATUM(argno));
		if (expanded != NULL)
			return expanded;
		flat = outcome_counts_read(PG_GETARG_DATUM(argno));
		columns = flat->columns;
	}
	if (!AggCheckCallContext(fcinfo, &parent))
		parent = CurrentMemoryContext;
	context = AllocSetContextCreate(parent, "crisk.outcome_counts", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(context);
	expanded = palloc(sizeof(ExpandedOutcomeCounts));
	EOH_init_header(&expanded->hdr, &expanded_methods, context);
	expanded->state = outcome_counts_create(columns, INITIAL_CAPACITY);
	expanded->pending = palloc(PENDING_ROWS * (columns + 2) * sizeof(double));
	expanded->pending_rows = 0;
	expanded->canonical = false;
	expanded->slots_stale = false;
	expanded->slot_mask = INITIAL_CAPACITY * 2 - 1;
	expanded->slots = palloc((expanded->slot_mask + 1) * sizeof(OutcomeCountsSlot));
	for (uint32 i = 0; i <= expanded->slot_mask; i++)
		expanded->slots[i].index = -1;
	MemoryContextSwitchTo(old);
	if (flat != NULL)
	{
		for (int32 i = 0; i < flat->patterns; i++)
		{
			const double *record = OUTCOME_COUNTS_RECORD(flat, i);

			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			outcome_counts_append(expanded, record, record[columns], record[columns + 1]);
		}
	}
	return expanded;
}

/* same_values tells whether two patterns of `columns` values are equal. */
static inline bool
same_values(const double *a, const double *b, int columns)
{
	for (int i = 0; i < columns; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/*
 * rehash doubles the hash table of an open state and enters its records
 * again.
 */
static void
rehash(ExpandedOutcomeCounts *expanded)
{
	OutcomeCountsSlot *old = expanded->slots;
	uint32		old_count = expanded->slot_mask + 1;
	uint32		slots = old_count * 2;

	if ((Size) slots * sizeof(OutcomeCountsSlot) > MaxAllocSize)
		return;					/* the records reach MaxAllocSize first */
	expanded->slots = MemoryContextAlloc(expanded->hdr.eoh_context,
										 slots * sizeof(OutcomeCountsSlot));
	for (uint32 i = 0; i < slots; i++)
		expanded->slots[i].index = -1;
	expanded->slot_mask = slots - 1;
	for (uint32 i = 0; i < old_count; i++)
	{
		uint32		slot;

		if (old[i].index < 0)
			continue;
		slot = (uint32) old[i].hash & expanded->slot_mask;
		while (expanded->slots[slot].index >= 0)
			slot = (slot + 1) & expanded->slot_mask;
		expanded->slots[slot] = old[i];
	}
	pfree(old);
}

/*
 * rebuild_slots enters the records of an open state in its hash table
 * afresh, after outcome_counts_canonical_read moved them.
 */
static void
rebuild_slots(ExpandedOutcomeCounts *expanded)
{
	const OutcomeCounts *state = expanded->state;

	for (uint32 i = 0; i <= expanded->slot_mask; i++)
		expanded->slots[i].index = -1;
	for (int32 i = 0; i < state->patterns; i++)
	{
		uint32		hash = (uint32) pattern_hash(OUTCOME_COUNTS_RECORD(state, i), state->columns);
		uint32		slot = hash & expanded->slot_mask;

		while (expanded->slots[slot].index >= 0)
			slot = (slot + 1) & expanded->slot_mask;
		expanded->slots[slot].hash = hash;
		expanded->slots[slot].index = i;
	}
	expanded->slots_stale = false;
}

/*
 * enter_pattern adds a pattern with its counts to an open state: to the
 * record of the same values when there is one (values are compared bit by
 * bit: the callers have turned -0 into 0 and refused NaN), else as a new
 * record.  hash is pattern_hash(values).
 */
static void
enter_pattern(ExpandedOutcomeCounts *expanded, const double *values, uint64 hash,
			  double bads, double goods)
{
	OutcomeCounts *state = expanded->state;
	int			columns = state->columns;
	uint32		slot = (uint32) hash & expanded->slot_mask;
	double	   *record;

	for (;;)
	{
		OutcomeCountsSlot *entry = &expanded->slots[slot];

		if (entry->index < 0)
			break;
		if (entry->hash == (uint32) hash)
		{
			record = OUTCOME_COUNTS_RECORD(state, entry->index);
			if (same_values(record, values, columns))
			{
				record[columns] += bads;
				record[columns + 1] += goods;
				return;
			}
		}
		slot = (slot + 1) & expanded->slot_mask;
	}
	if (state->patterns >= OUTCOME_COUNTS_CAPACITY(state))
		expanded->state = state = grow(state);
	record = OUTCOME_COUNTS_RECORD(state, state->patterns);
	memcpy(record, values, columns * sizeof(double));
	record[columns] = bads;
	record[columns + 1] = goods;
	expanded->slots[slot].hash = (uint32) hash;
	expanded->slots[slot].index = state->patterns;
	expanded->canonical = false;
	state->patterns++;
	state->compacted = false;
	if ((uint32) state->patterns > expanded->slot_mask / 2)
		rehash(expanded);
}

/*
 * flush_pending enters the rows waiting in an open state's pending
 * buffer.  Each row's slot, then the record it points to, lies anywhere in
 * the table and the records: entering the rows one by one waits for memory
 * twice a row.  Hashing the whole buffer and prefetching the slots, then
 * the records, first lets those waits overlap.
 */
static void
flush_pending(ExpandedOutcomeCounts *expanded)
{
	int			columns = expanded->state->columns;
	int			stride = columns + 2;
	uint64		hashes[PENDING_ROWS];

	if (expanded->pending_rows == 0)
		return;
	if (expanded->slots_stale)
		rebuild_slots(expanded);
	for (int i = 0; i < expanded->pending_rows; i++)
	{
		hashes[i] = pattern_hash(expanded->pending + i * stride, columns);
		prefetch_memory(&expanded->slots[(uint32) hashes[i] & expanded->slot_mask]);
	}
	for (int i = 0; i < expanded->pending_rows; i++)
	{
		int32		index = expanded->slots[(uint32) hashes[i] & expanded->slot_mask].index;

		if (index >= 0)
			prefetch_memory(OUTCOME_COUNTS_RECORD(expanded->state, index));
	}
	for (int i = 0; i < expanded->pending_rows; i++)
	{
		const double *row = expanded->pending + i * stride;

		enter_pattern(expanded, row, hashes[i], row[columns], row[columns + 1]);
	}
	expanded->pending_rows = 0;
}

/*
 * outcome_counts_append adds a pattern with its counts to an open state.
 * The row waits in the pending buffer until PENDING_ROWS have come or the
 * state is read (flush_pending).
 */
void
outcome_counts_append(ExpandedOutcomeCounts *expanded, const double *values,
					  double bads, double goods)
{
	int			columns = expanded->state->columns;
	double	   *row = expanded->pending + expanded->pending_rows * (columns + 2);

	memcpy(row, values, columns * sizeof(double));
	row[columns] = bads;
	row[columns + 1] = goods;
	if (++expanded->pending_rows == PENDING_ROWS)
		flush_pending(expanded);
}

/*
 * outcome_counts_close returns an open state as a transition or combine
 * function's result: in an aggregate, the read-write pointer itself (the
 * executor keeps it without copying); outside, its flat form, in the
 * current memory context.
 */
Datum
outcome_counts_close(FunctionCallInfo fcinfo, ExpandedOutcomeCounts *expanded)
{
	Size		size;
	void	   *flat;

	if (AggCheckCallContext(fcinfo, NULL))
		return EOHPGetRWDatum(&expanded->hdr);
	size = expanded_get_flat_size(&expanded->hdr);
	flat = palloc(size);
	expanded_flatten_into(&expanded->hdr, flat, size);
	return PointerGetDatum(flat);
}

/*
 * outcome_counts_read returns a state datum for reading: an expanded
 * state's flat form in place (through a read-write or a read-only pointer:
 * final functions get the latter), else the datum detoasted.  The caller
 * must not change it.
 */
const OutcomeCounts *
outcome_counts_read(Datum datum)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(datum)))
	{
		ExpandedObjectHeader *eohptr = DatumGetEOHP(datum);

		if (eohptr->eoh_methods == &expanded_methods)
		{
			ExpandedOutcomeCounts *expanded = (ExpandedOutcomeCounts *) eohptr;

			/* entering the pending rows changes the form, not the meaning */
			flush_pending(expanded);
			return expanded->state;
		}
	}
	return (const OutcomeCounts *) PG_DETOAST_DATUM(datum);
}

/*
 * reorder_canonical puts the records of an open state in the order of
 * outcome_counts_canonical, in place: no copy of the sample, whose fresh
 * pages cost more than moving the records.  Its records are distinct (the
 * hash table merged repeats).  The hash table's indexes are then stale: it
 * is rebuilt if rows come again (a window aggregate).
 */
static void
reorder_canonical(ExpandedOutcomeCounts *expanded)
{
	OutcomeCounts *state = expanded->state;
	int			columns = state->columns;
	int			stride = OUTCOME_COUNTS_STRIDE(state);
	int32		n = state->patterns;
	CanonicalKey *keys = palloc(Max(n, 1) * sizeof(CanonicalKey));
	int32	   *source = palloc(Max(n, 1) * sizeof(int32));
	double	   *held = palloc(stride * sizeof(double));

	for (int32 i = 0; i < n; i++)
	{
		keys[i].record = OUTCOME_COUNTS_RECORD(state, i);
		keys[i].hash = pattern_hash(keys[i].record, columns);
	}
	sort_canonical(keys, n, &columns);
	for (int32 i = 0; i < n; i++)
		source[i] = (int32) ((keys[i].record - state->records) / stride);
	pfree(keys);

	/* Follow each cycle of the permutation: position j takes record source[j]. */
	for (int32 start = 0; start < n; start++)
	{
		int32		j = start;

		if ((start & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (source[start] == start)
			continue;
		memcpy(held, OUTCOME_COUNTS_RECORD(state, start), stride * sizeof(double));
		for (;;)
		{
			int32		from = source[j];

			source[j] = j;
			if (from == start)
			{
				memcpy(OUTCOME_COUNTS_RECORD(state, j), held, stride * sizeof(double));
				break;
			}
			/* the cycle's next records, to come: load them meanwhile */
			prefetch_memory(OUTCOME_COUNTS_RECORD(state, source[source[from]]));
			memcpy(OUTCOME_COUNTS_RECORD(state, j), OUTCOME_COUNTS_RECORD(state, from),
				   stride * sizeof(double));
			j = from;
		}
	}
	pfree(source);
	pfree(held);
	expanded->canonical = true;
	expanded->slots_stale = true;
}

/*
 * outcome_counts_canonical_read returns a state datum's patterns in the
 * order of outcome_counts_canonical, for a final function to read: an
 * expanded state reordered in place (its meaning unchanged), else a copy.
 */
const OutcomeCounts *
outcome_counts_canonical_read(Datum datum)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(datum)))
	{
		ExpandedObjectHeader *eohptr = DatumGetEOHP(datum);

		if (eohptr->eoh_methods == &expanded_methods)
		{
			ExpandedOutcomeCounts *expanded = (ExpandedOutcomeCounts *) eohptr;

			flush_pending(expanded);
			if (!expanded->canonical)
				reorder_canonical(expanded);
			return expanded->state;
		}
	}
	return outcome_counts_canonical(outcome_counts_read(datum));
}

/* outcome_counts_totals adds up the bad and good rows of a state. */
void
outcome_counts_totals(const OutcomeCounts *state, double *bads, double *goods)
{
	*bads = 0;
	*goods = 0;
	for (int i = 0; i < state->patterns; i++)
	{
		const double *record = OUTCOME_COUNTS_RECORD(state, i);

		*bads += record[state->columns];
		*goods += record[state->columns + 1];
	}
}

/* write_double appends a double in the shortest form that reads back exactly. */
static void
write_double(StringInfo buf, double value)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(value, digits);
	appendStringInfoString(buf, digits);
}

/* crisk_outcome_counts_out writes the compacted patterns of a state. */
Datum
crisk_outcome_counts_out(PG_FUNCTION_ARGS)
{
	const OutcomeCounts *state = outcome_counts_compacted(outcome_counts_read(PG_GETARG_DATUM(0)));
	StringInfoData buf;

	initStringInfo(&buf);
	state_write_key(&buf, "columns");
	appendStringInfo(&buf, "%d", state->columns);
	state_write_key(&buf, "patterns");
	appendStringInfo(&buf, "%d", state->patterns);
	state_write_key(&buf, "records");
	for (int i = 0; i < state->patterns; i++)
	{
		const double *record = OUTCOME_COUNTS_RECORD(state, i);

		if (i > 0)
			appendStringInfoChar(&buf, ';');
		for (int j = 0; j < state->columns; j++)
		{
			if (j > 0)
				appendStringInfoChar(&buf, ',');
			write_double(&buf, record[j]);
		}
		appendStringInfoChar(&buf, ':');
		write_double(&buf, record[state->columns]);
		appendStringInfoChar(&buf, ',');
		write_double(&buf, record[state->columns + 1]);
	}
	PG_RETURN_CSTRING(buf.data);
}

/* read_double consumes a finite double written by write_double. */
static double
read_double(StateReader *reader, const char *what)
{
	char	   *end;
	double		value;

	errno = 0;
	value = strtod(reader->pos, &end);
	if (end == reader->pos || errno == ERANGE || !isfinite(value))
		state_reader_error(reader,
						   psprintf("Field \"%s\" must hold finite numbers.", what));
	reader->pos = end;
	return value == 0 ? 0 : value;
}

/* read_count consumes a count of rows: a whole number from 0 to 2^53. */
static double
read_count(StateReader *reader)
{
	double		count = read_double(reader, "records");

	if (count < 0 || count > MAX_EXACT_COUNT || count != floor(count))
		state_reader_error(reader,
						   "Counts of bad and good rows must be whole numbers from 0 to 2^53.");
	return count;
}

/* crisk_outcome_counts_in reads the text form back, checking every field. */
Datum
crisk_outcome_counts_in(PG_FUNCTION_ARGS)
{
	StateReader reader;
	OutcomeCounts *state;
	int			columns;
	int			patterns;

	state_reader_init(&reader, "crisk.outcome_counts", PG_GETARG_CSTRING(0));
	state_read_key(&reader, "columns");
	columns = (int) state_read_int(&reader, "columns", 0, OUTCOME_COUNTS_MAX_COLUMNS);
	state_read_key(&reader, "patterns");
	patterns = (int) state_read_int(&reader, "patterns", 0,
									(MaxAllocSize - offsetof(OutcomeCounts, records)) /
									((columns + 2) * sizeof(double)));
	state_read_key(&reader, "records");
	/* A record takes at least 4 characters (":1,0"): no huge allocation for a short text. */
	if ((Size) patterns > strlen(reader.pos) / 4 + 1)
		state_reader_error(&reader,
						   psprintf("Field \"patterns\" is %d, more records than the text holds.",
									patterns));
	state = outcome_counts_create(columns, patterns);
	for (int i = 0; i < patterns; i++)
	{
		double	   *record = OUTCOME_COUNTS_RECORD(state, i);

		if (i > 0 && !state_read_char(&reader, ';'))
			state_reader_error(&reader,
							   psprintf("Field \"records\" must hold %d records separated by ';'.",
										patterns));
		for (int j = 0; j < columns; j++)
		{
			if (j > 0 && !state_read_char(&reader, ','))
				state_reader_error(&reader,
								   psprintf("Each record must have %d values separated by ','.",
											columns));
			record[j] = read_double(&reader, "records");
		}
		if (!state_read_char(&reader, ':'))
			state_reader_error(&reader,
							   "Each record's values must be followed by ':' and its counts.");
		record[columns] = read_count(&reader);
		if (!state_read_char(&reader, ','))
			state_reader_error(&reader,
							   "Each record's counts must be two numbers separated by ','.");
		record[columns + 1] = read_count(&reader);
		if (record[columns] + record[columns + 1] == 0)
			state_reader_error(&reader, "Each record must count at least one row.");
		state->patterns++;
	}
	state_read_end(&reader);
	state->compacted = false;
	outcome_counts_compact(state);
	PG_RETURN_POINTER(state);
}

/*
 * crisk_outcome_counts_combine is the combine function of the aggregates
 * over crisk.outcome_counts: the patterns of the second state are added to
 * the first.
 */
Datum
crisk_outcome_counts_combine(PG_FUNCTION_ARGS)
{
	ExpandedOutcomeCounts *expanded;
	const OutcomeCounts *other;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	other = outcome_counts_read(PG_GETARG_DATUM(1));
	expanded = outcome_counts_open(fcinfo, 0, other->columns);
	if (other->columns != expanded->state->columns)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("x must have the same number of elements on every row of a group"),
				 errdetail("The partial states to combine have %d and %d values per row.",
						   expanded->state->columns, other->columns)));
	for (int i = 0; i < other->patterns; i++)
	{
		const double *record = OUTCOME_COUNTS_RECORD(other, i);

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		outcome_counts_append(expanded, record, record[other->columns],
							  record[other->columns + 1]);
	}
	PG_RETURN_DATUM(outcome_counts_close(fcinfo, expanded));
}

/*
 * crisk_score_outcome_transition is the transition function of crisk.auc
 * and crisk.ks: a row's score and whether the customer went bad.  Rows
 * with a NULL score or a NULL outcome are skipped.
 */
Datum
crisk_score_outcome_transition(PG_FUNCTION_ARGS)
{
	ExpandedOutcomeCounts *expanded;
	double		score;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		AGG_RETURN_STATE_UNCHANGED();
	score = PG_GETARG_FLOAT8(1);
	if (!isfinite(score))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("score must be a finite number"),
				 errdetail("A row has score %s.", float8out_internal(score)),
				 errhint("Pass NULL for a customer without a score; such rows are skipped.")));
	if (score == 0)
		score = 0;				/* -0 and 0 are one score */
	expanded = outcome_counts_open(fcinfo, 0, 1);
	outcome_counts_append(expanded, &score, PG_GETARG_BOOL(2) ? 1 : 0,
						  PG_GETARG_BOOL(2) ? 0 : 1);
	PG_RETURN_DATUM(outcome_counts_close(fcinfo, expanded));
}
