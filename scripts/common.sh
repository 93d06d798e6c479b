# scripts/common.sh: shell helpers shared by scripts/test and scripts/demo.
#
# Both scripts must work on a fresh Debian 12 machine with PostgreSQL 15: they
# install what is missing from Debian's packages, build crisk, and install it
# into a private copy of the PostgreSQL installation (as PostgreSQL's own
# "make check" does with tmp_install), so that nothing is written to the
# system's PostgreSQL directories and several runs can proceed side by side.
#
# PostgreSQL refuses to run as root; when these scripts run as root (CI does),
# every server and client program runs as the "postgres" system user.

CRISK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=15
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}

# Debian packages the build and the three test layers need.
CRISK_PACKAGES=(gcc make postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
	postgresql-$PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl
	libipc-run-perl)

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# ensure_packages installs the missing packages (as root) or says which are
# missing (as another user).
ensure_packages() {
	local missing=() p
	for p in "${CRISK_PACKAGES[@]}" "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if is_root; then
		say "installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	else
		die "missing Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]})"
	fi
}

# as_pg runs a command as the user that owns the test servers.
as_pg() {
	if is_root; then
		runuser -u postgres -- env PATH="$PATH" "$@"
	else
		"$@"
	fi
}

# make_scratch creates a private directory (under $TMPDIR, default /tmp) that the server user can write,
# outside the source tree (a CI checkout under /root is not readable by it).
make_scratch() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/crisk-$1.XXXXXX")
	chmod 755 "$dir"
	is_root && chown postgres: "$dir"
	printf '%s\n' "$dir"
}

# build_crisk compiles with the project's warning flags.
build_crisk() {
	make -C "$CRISK_ROOT" -s PG_CONFIG="$PG_CONFIG" >/dev/null
}

# private_install DIR copies the PostgreSQL installation under DIR (same
# absolute paths below it) and installs crisk there with DESTDIR.  PostgreSQL
# finds its share and lib directories relative to its binaries, so servers
# started from DIR's bindir load this build of crisk and no other.  It sets
# PRIVATE_BINDIR and PRIVATE_PGXS.
private_install() {
	local dest=$1 bindir sharedir pkglibdir home
	bindir=$("$PG_CONFIG" --bindir)
	sharedir=$("$PG_CONFIG" --sharedir)
	pkglibdir=$("$PG_CONFIG" --pkglibdir)
	home=$(dirname "$bindir")		# /usr/lib/postgresql/15 on Debian
	mkdir -p "$dest$(dirname "$home")" "$dest$(dirname "$sharedir")"
	cp -a "$home" "$dest$(dirname "$home")/"
	cp -a "$sharedir" "$dest$(dirname "$sharedir")/"
	make -C "$CRISK_ROOT" -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$dest" >/dev/null
	PRIVATE_BINDIR=$dest$bindir
	PRIVATE_PGXS=$dest$pkglibdir/pgxs
	export PATH="$PRIVATE_BINDIR:$PATH"
}

# stop_servers_under DIR stops every server whose data directory lies below
# DIR, so that no test run leaves a server behind, whatever happened.
stop_servers_under() {
	local pidfile pid
	[ -d "$1" ] || return 0
	while IFS= read -r pidfile; do
		pid=$(head -n 1 "$pidfile" 2>/dev/null) || continue
		[ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null || true
	done < <(find "$1" -name postmaster.pid 2>/dev/null)
}

# Programs run as the server's user complain when they cannot enter the
# current directory (CI's checkout under /root); every path here is
# absolute, so work from / then.
if is_root && ! runuser -u postgres -- test -x "$PWD" 2>/dev/null; then
	cd /
fi
