#!/usr/bin/env bash
# memory_limit.sh MIB CMD...: runs CMD with its address space limited to MIB
# MiB (ulimit -v), so that any attempt to allocate what a forged header
# claims fails instead of succeeding slowly.
set -eu
ulimit -v $(($1 * 1024))
shift
exec "$@"
