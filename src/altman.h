/*-------------------------------------------------------------------------
 *
 * altman.h
 *	  Altman Z-scores of a company's balance sheet and their zones.
 *
 * Three published variants: Z for public manufacturers, Z' (z_prime) for
 * private firms, the default, and Z'' (z_double_prime) for
 * non-manufacturers, which leaves out sales.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_ALTMAN_H
#define CRISK_ALTMAN_H

typedef enum AltmanVariant
{
	ALTMAN_Z,
	ALTMAN_Z_PRIME,
	ALTMAN_Z_DOUBLE_PRIME
} AltmanVariant;

/* The five ratios, each over total assets except X4 (over liabilities). */
typedef struct AltmanRatios
{
	double		working_capital;	/* X1 */
	double		retained_earnings;	/* X2 */
	double		ebit;			/* X3 */
	double		equity;			/* X4 */
	double		sales;			/* X5, unused by z_double_prime */
} AltmanRatios;

extern AltmanVariant altman_variant_parse(const char *name,
										  const char *argname);
extern double altman_score(AltmanVariant variant, const AltmanRatios *x);
extern const char *altman_zone_of(AltmanVariant variant, double z);

#endif							/* CRISK_ALTMAN_H */
