#!/bin/sh
# `make bench PEERS=1`: install the peer servers (PostGraphile 4; Mercurius on Fastify) under
# var/peers/<name>/ with `npm ci` from the lock files committed beside this script, so their
# versions are pinned. Runs npm only when var/peers/<name> lacks node_modules or holds another
# lock than the committed one; any failure is one line on stderr and exit 1.
cd "$(dirname "$0")/../.." || exit 1
command -v npm >/dev/null 2>&1 ||
    { echo "bench: PEERS=1 needs Node.js 20 or newer and npm on PATH" >&2; exit 1; }
for name in postgraphile mercurius; do
    pinned="bench/peers/$name"
    target="var/peers/$name"
    if [ -d "$target/node_modules" ] && cmp -s "$pinned/package-lock.json" "$target/package-lock.json"; then
        continue
    fi
    echo "bench: installing the $name peer under $target (npm ci)"
    rm -rf "$target" && mkdir -p "$target" &&
        cp "$pinned/package.json" "$pinned/package-lock.json" "$target/" ||
        { echo "bench: cannot write $target" >&2; exit 1; }
    if ! npm ci --prefix "$target" --no-audit --no-fund --loglevel=error >"$target/../$name-npm.log" 2>&1; then
        rm -f "$target/package-lock.json"  # so the next run tries again
        echo "bench: npm could not install the $name peer; see var/peers/$name-npm.log" >&2
        exit 1
    fi
done
