# Makefile for crisk, built with PGXS.
#
#   make                 build crisk.so and the install script
#   make install         install into the PostgreSQL that pg_config names
#   scripts/test         run every test layer (see README)

EXTENSION = crisk
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" crisk.control)

MODULE_big = crisk
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is assembled from one file per concept, in name order,
# so that each concept's SQL sits next to nothing else.
INSTALL_PARTS = $(sort $(wildcard sql/install/*.sql))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*--*.sql))

# pg_regress runs every sql/*.sql that is not an install or upgrade script.
REGRESS = $(sort $(basename $(notdir $(filter-out sql/$(EXTENSION)--%,$(wildcard sql/*.sql)))))
# pg_regress forces PGDATESTYLE=Postgres,MDY and PGTZ=PST8PDT on its psql
# sessions; crisk's expected files are written in ISO dates and UTC.
REGRESS_OPTS = --load-extension=$(EXTENSION) --launcher="env PGDATESTYLE=ISO,YMD PGTZ=UTC"

PG_CFLAGS = -Wall -Wextra -Werror
# Server headers are included as system headers: they are not warning-clean
# under -Wextra, and crisk's own code must be.
PG_CPPFLAGS = -I$(srcdir)/src -isystem $(shell $(PG_CONFIG) --includedir-server)

EXTRA_CLEAN = $(DATA_built)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(DATA_built): $(INSTALL_PARTS) crisk.control
	@{ printf '%s\n' "-- crisk $(EXTVERSION) install script, assembled from sql/install/ by the Makefile." \
	     "-- complain if script is sourced in psql, rather than via CREATE EXTENSION" \
	     '\echo Use "CREATE EXTENSION crisk" to load this file. \quit'; \
	   for f in $(INSTALL_PARTS); do printf '\n-- from %s\n' "$$f"; cat "$$f"; done; } > $@

all: $(DATA_built)

# PGXS does not track header dependencies; headers are few, so every object
# (and its JIT bitcode) is rebuilt when any of them changes.
$(OBJS) $(OBJS:.o=.bc): $(wildcard src/*.h)

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
