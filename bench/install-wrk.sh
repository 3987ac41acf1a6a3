#!/bin/sh
# Make sure wrk (Debian's package) is there for `make bench`; without it the bench falls back
# to its Python load generator and says so. Installs only as root, only with apt-get.
command -v wrk >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing wrk (apt-get install -y wrk)"
    apt-get install -y -q wrk >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q wrk >/dev/null 2>&1; }
fi
command -v wrk >/dev/null 2>&1 || echo "bench: wrk is not installed; the Python load generator will be used"
exit 0
