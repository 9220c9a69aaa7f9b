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
# on PATH (Debian: apt-get install hugo). KEEP=1 keeps the work directory.
set -euo pipefail

repos=${1:-1000}
tags=${2:-19}
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

# now prints the time in seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# pages prints how many HTML files are under $1; files, how many files.
pages() { find "$1" -type f -name '*.html' | wc -l; }
files() { find "$1" -type f | wc -l; }

start=$(now)
"$work/bin/regcat" render --quiet --snapshot "$work/snapshot" --out "$work/site" >/dev/null
regcat_s=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')

start=$(now)
hugo --minify --quiet -s "$work/hugo" -d "$work/public" --cacheDir "$work/hugo-cache"
hugo_s=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')

regcat_pages=$(pages "$work/site")
hugo_pages=$(pages "$work/public")
awk -v rp="$regcat_pages" -v rf="$(files "$work/site")" -v rs="$regcat_s" \
	-v hp="$hugo_pages" -v hf="$(files "$work/public")" -v hs="$hugo_s" -v n="$repos x $tags" 'BEGIN {
	rr = rp / rs; hr = hp / hs
	printf "corpus: regtest.Large, %s tags\n", n
	printf "%-14s %7d pages (%6d files) in %6.2f s = %7.0f pages/s\n", "regcat render", rp, rf, rs, rr
	printf "%-14s %7d pages (%6d files) in %6.2f s = %7.0f pages/s\n", "hugo --minify", hp, hf, hs, hr
	printf "ratio (regcat/hugo pages/s): %.2f\n", rr / hr
}'
