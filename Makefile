# Makefile for crisk, built with PGXS.
#
#   make                 build crisk.so and the install script
#   make install         install into the PostgreSQL that pg_config names
#   make installcheck    regression, isolation and TAP tests against the
#                        installed crisk and a running server (see README)
#   make dist            dist/crisk-VERSION.zip, the archive PGXN takes
#   scripts/test         run every test layer (see README)

EXTENSION = crisk
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" crisk.control)

MODULE_big = crisk
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script of the current version is assembled from one file per
# concept, in name order, so that each concept's SQL sits next to nothing else.
# Released install scripts (sql/crisk--0.1.0.sql) are frozen as shipped.
# Each upgrade script is assembled the same way from sql/upgrade/FROM--TO/.
INSTALL_PARTS = $(sort $(wildcard sql/install/*.sql))
UPGRADE_DIRS = $(sort $(wildcard sql/upgrade/*--*))
UPGRADE_SCRIPTS = $(patsubst sql/upgrade/%,sql/$(EXTENSION)--%.sql,$(UPGRADE_DIRS))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql $(UPGRADE_SCRIPTS)
DATA = sql/$(EXTENSION)--0.1.0.sql

# Regression tests live in test/sql and test/expected, as in pgvector;
# isolation specs in test/isolation, Perl TAP tests in test/t.
REGRESS = $(sort $(basename $(notdir $(wildcard test/sql/*.sql))))
# pg_regress forces PGDATESTYLE=Postgres,MDY and PGTZ=PST8PDT on its psql
# sessions; crisk's expected files are written in ISO dates and UTC.
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION) --launcher="env PGDATESTYLE=ISO,YMD PGTZ=UTC"
ISOLATION = $(sort $(basename $(notdir $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=$(EXTENSION)
TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl
PROVE_FLAGS = -I ./test/perl

PG_CFLAGS = -Wall -Wextra -Werror
# Server headers are included as system headers: they are not warning-clean
# under -Wextra, and crisk's own code must be.
PG_CPPFLAGS = -I$(srcdir)/src -isystem $(shell $(PG_CONFIG) --includedir-server)

EXTRA_CLEAN = $(DATA_built)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

UPGRADE_PARTS = $(wildcard sql/upgrade/*/*.sql)

# The parts' directory too: a removed part changes it, and no part's date.
sql/$(EXTENSION)--$(EXTVERSION).sql: $(INSTALL_PARTS) sql/install crisk.control
	@{ printf '%s\n' "-- crisk $(EXTVERSION) install script, assembled from sql/install/ by the Makefile." \
	     "-- complain if script is sourced in psql, rather than via CREATE EXTENSION" \
	     '\echo Use "CREATE EXTENSION crisk" to load this file. \quit'; \
	   for f in $(INSTALL_PARTS); do printf '\n-- from %s\n' "$$f"; cat "$$f"; done; } > $@

# A static pattern rule: each upgrade script from its own directory's parts
# (the install script's rule above must not build them).
$(UPGRADE_SCRIPTS): sql/$(EXTENSION)--%.sql: $(UPGRADE_PARTS) sql/upgrade/% crisk.control
	@{ printf '%s\n' "-- crisk $* upgrade script, assembled from sql/upgrade/$*/ by the Makefile." \
	     "-- complain if script is sourced in psql, rather than via ALTER EXTENSION" \
	     '\echo Use "ALTER EXTENSION crisk UPDATE" to load this file. \quit'; \
	   for f in $(sort $(wildcard sql/upgrade/$*/*.sql)); do printf '\n-- from %s\n' "$$f"; cat "$$f"; done; } > $@

all: $(DATA_built)

# PGXS does not track header dependencies; headers are few, so every object
# (and its JIT bitcode) is rebuilt when any of them changes.
$(OBJS) $(OBJS:.o=.bc): $(wildcard src/*.h)

# The archive PGXN takes: the committed tree (HEAD) under crisk-VERSION/.
# META.json's version must be the control file's.
.PHONY: dist
dist:
	@grep -q '"version": "$(EXTVERSION)"' META.json || \
	  { echo "META.json does not give version $(EXTVERSION)" >&2; exit 1; }
	mkdir -p dist
	git archive --format zip --prefix=$(EXTENSION)-$(EXTVERSION)/ \
	  --output dist/$(EXTENSION)-$(EXTVERSION).zip HEAD

.PHONY: test demo
test:
	scripts/test

demo:
	scripts/demo

# For scripts/test: the pg_regress test names, in order, and their options.
.PHONY: regress-list regress-opts
regress-list:
	@echo $(REGRESS)
regress-opts:
	@printf '%s\n' '$(REGRESS_OPTS)'
