#!/usr/bin/env bash
# Runs before `npm test`: the RedisStore tests need a real redis-server (Debian's package).
# Installs it when missing and this machine can (root with apt-get); otherwise says loudly that
# the Redis tests will be skipped (under CI they fail instead: see test/helpers/redis-server.ts).
set -u
command -v redis-server >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "redis-server is missing: installing Debian's package for the RedisStore tests..."
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; then
    exit 0
  fi
  echo "Could not install redis-server." >&2
fi
echo "*** redis-server is not installed: the RedisStore tests will be SKIPPED (install the redis-server package). ***" >&2
exit 0
