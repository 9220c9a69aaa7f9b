#!/usr/bin/env bash
# hugo-compare.sh: regcat's render speed beside Hugo's on the same pages.
#
# Usage: scripts/hugo-compare.sh [REPOS [TAGS]]   (default 1000 19)
#
# From the root of the module: builds regcat and two helper commands,
# writes the snapshot of internal/regtest's Large fixture (REPOS × TAGS,
# crawled from an in-process registry, no network; internal/cmd/benchsnap),
# writes a Hugo site with one page per repository and per image of that
# snapshot (internal/cmd/hugotree), then times, one after the other,
# `regcat render` and `hugo --minify` into fresh directories and prints
# the HTML pages of each, pages per second and their ratio. Needs `hugo`
# on PATH (Debian: apt-get install hugo). KEEP=1 keeps the work directory;
# REGCAT_FLAGS adds flags to regcat render (for example --tag-badges none).
# On ext4, time it well after (up to 6 minutes) deleting large trees on the
# same file system, a previous work directory included: for that long ext4
# searches the recently deleted inodes each time it creates a file, which
# slows both sides, unevenly (regcat's render took 2-4 times as long).
set -euo pipefail

repos=${1:-1000}
tags=${2:-19}
read -ra regcat_flags <<<"${REGCAT_FLAGS:-}"
command -v hugo >/dev/null || { echo "hugo-compare: hugo is not on PATH (apt-get install hugo)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/hugo-compare.XXXXXX")
if [[ ${KEEP:-} == 1 ]]; then
	echo "work directory: $work"
else
	trap 'rm -rf "$work"' EXIT
fi

go build -o "$work/bin/regcat" ./cmd/regcat
go build -o "$work/bin/benchsnap" ./internal/cmd/benchsnap
go build -o "$work/bin/hugotree" ./internal/cmd/hugotree

"$work/bin/benchsnap" --repos "$repos" --tags "$tags" --snapshot "$work/snapshot"
"$work/bin/hugotree" --snapshot "$work/snapshot" --out "$work/hugo"
hugo version
echo "cpus: $(nproc), load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)"

# measure NAME CMD... runs CMD with its output in $work/NAME.log and
# writes its wall, user and system seconds to $work/NAME.time.
measure() {
	local name=$1 TIMEFORMAT='%R %U %S'
	shift
	{ time "$@" >"$work/$name.log" 2>&1; } 2>"$work/$name.time" || {
		cat "$work/$name.log" >&2
		return 1
	}
}

# pages prints how many HTML files are under $1; files, how many files.
pages() { find "$1" -type f -name '*.html' | wc -l; }
files() { find "$1" -type f | wc -l; }

measure regcat "$work/bin/regcat" render --quiet "${regcat_flags[@]}" --snapshot "$work/snapshot" --out "$work/site"
measure hugo hugo --minify --quiet -s "$work/hugo" -d "$work/public" --cacheDir "$work/hugo-cache"

regcat_pages=$(pages "$work/site")
hugo_pages=$(pages "$work/public")
read -r regcat_wall regcat_user regcat_sys <"$work/regcat.time"
read -r hugo_wall hugo_user hugo_sys <"$work/hugo.time"
awk -v n="$repos x $tags" -v flags="${REGCAT_FLAGS:-(default flags)}" \
	-v rp="$regcat_pages" -v rf="$(files "$work/site")" -v rw="$regcat_wall" -v ru="$regcat_user" -v rs="$regcat_sys" \
	-v hp="$hugo_pages" -v hf="$(files "$work/public")" -v hw="$hugo_wall" -v hu="$hugo_user" -v hs="$hugo_sys" 'BEGIN {
	rc = ru + rs; hc = hu + hs
	printf "corpus: regtest.Large, %s tags; regcat render %s\n", n, flags
	printf "%-14s %6d pages (%6d files) in %6.2f s wall, %6.2f cpu-s = %6.0f pages/s, %6.0f pages/cpu-s\n", "regcat render", rp, rf, rw, rc, rp / rw, rp / rc
	printf "%-14s %6d pages (%6d files) in %6.2f s wall, %6.2f cpu-s = %6.0f pages/s, %6.0f pages/cpu-s\n", "hugo --minify", hp, hf, hw, hc, hp / hw, hp / hc
	printf "ratio regcat/hugo: %.2f in pages/s, %.2f in pages/cpu-s\n", (rp / rw) / (hp / hw), (rp / rc) / (hp / hc)
}'
