#!/usr/bin/env bash
# Pack test of the npm package @chirpkit/passkeys (bridge/npm): packs it as `npm publish`
# would, checks the tarball's file list, installs the tarball into a temporary TypeScript
# project outside the tree, and compiles the consumers next to this script with
# `tsc --strict --noEmit` (no skipLibCheck: the package's .d.ts are checked too), first
# with the latest TypeScript 5.x, then with the project's TypeScript (package.json):
#
#   consumer.ts  lib ES2020 + DOM, bundler resolution: the API, window.chirp, exhaustive
#                switches over passkeyReason and serverCode with a `never` check
#   nodom.ts     lib ES2020 only (no DOM; the project has no @types), nodenext resolution
#   libdom.ts    TypeScript 7 and later: the JSON types against lib.dom's
#
# Run from anywhere: bash bridge/test/pack/run.sh (npm run test:pack). Needs node, npm and
# the npm registry (typescript@5). Prints one line per TypeScript version, then a summary.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/chirp-passkeys-pack.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
report() { # report <what> <log file>: prints a failure and its log to stderr
	echo "pack: $1: FAILED" >&2
	sed 's/^/    /' "$2" >&2
}

# Pack (npm runs bridge/npm's prepack, which copies bridge/dist in, and postpack).
(cd "$root/bridge/npm" && npm pack --silent --pack-destination "$tmp" >"$tmp/pack.log" 2>&1) || {
	report "npm pack" "$tmp/pack.log"
	echo "pack: 0 passed, 1 failed"
	exit 1
}
tarball="$(ls "$tmp"/chirpkit-passkeys-*.tgz)"

# What a consumer needs, nothing else: no .gz/.br, no Go, no sources, no tests.
tar -tzf "$tarball" | sort >"$tmp/contents"
{
	for f in package/package.json package/README.md package/dist/chirp-passkeys.js package/dist/chirp-passkeys.mjs package/dist/types/index.d.ts package/dist/types/iife.d.ts; do
		grep -qx "$f" "$tmp/contents" || echo "missing: $f"
	done
	grep -vxE 'package/(package\.json|README\.md|dist/chirp-passkeys\.m?js|dist/types/[a-z0-9-]+\.d\.ts)' "$tmp/contents" | sed 's/^/unexpected: /' || true
} >"$tmp/contents.bad"
if [ -s "$tmp/contents.bad" ]; then
	report "tarball contents" "$tmp/contents.bad"
	failed=$((failed + 1))
fi

# The consumer project and its compilations, once per TypeScript version.
project_ts="$(node -p 'require(process.argv[1]).devDependencies.typescript' "$root/package.json")"
for ts in 5 "$project_ts"; do
	proj="$tmp/ts-$ts"
	mkdir -p "$proj"
	cp "$here"/*.ts "$proj/"
	printf '{ "name": "consumer", "private": true, "type": "module" }\n' >"$proj/package.json"
	if ! (cd "$proj" && npm install --no-audit --no-fund --no-package-lock --loglevel=error "$tarball" "typescript@$ts") >"$proj/log" 2>&1; then
		report "typescript@$ts: npm install" "$proj/log"
		failed=$((failed + 1))
		continue
	fi
	version="$(node -p 'require(process.argv[1]).version' "$proj/node_modules/typescript/package.json")"
	ok=()
	bad=0
	compile() { # compile <name> <tsc arguments...>
		local name="$1"
		shift
		if (cd "$proj" && node_modules/.bin/tsc --strict --noEmit --target es2020 "$@") >"$proj/log" 2>&1; then
			ok+=("$name")
		else
			report "typescript $version, $name" "$proj/log"
			bad=1
		fi
	}
	compile "dom" --lib es2020,dom --module esnext --moduleResolution bundler --noUncheckedSideEffectImports consumer.ts
	compile "no dom" --lib es2020 --module nodenext --moduleResolution nodenext nodom.ts
	if [ "${version%%.*}" -ge 7 ]; then
		compile "lib.dom JSON types" --lib es2020,dom --module esnext --moduleResolution bundler libdom.ts
	fi
	if [ "$bad" = 0 ]; then
		passed=$((passed + 1))
		list="$(printf '%s, ' "${ok[@]}")"
		echo "pack: typescript $version: ok (${list%, }), $(basename "$tarball")"
	else
		failed=$((failed + 1))
	fi
done

echo "pack: $passed passed, $failed failed"
[ "$failed" = 0 ]
