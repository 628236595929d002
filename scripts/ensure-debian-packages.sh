#!/usr/bin/env bash
# Installs the Debian packages whose command is missing, in one apt-get run, when this machine can
# (root with apt-get); otherwise says loudly what goes without each. Never fails the npm script it
# runs before.
# Usage: ensure-debian-packages.sh "PACKAGE[,OTHER-COMMAND...]: what happens without it" ...
#   A package counts as installed when its own name, or one of the other commands, is on PATH.
set -u
missing=()
without=()
for spec in "$@"; do
  commands=${spec%%:*}
  package=${commands%%,*}
  found=false
  for command_name in ${commands//,/ }; do
    if command -v "$command_name" >/dev/null 2>&1; then found=true; fi
  done
  if [ "$found" = false ]; then
    missing+=("$package")
    without+=("$(echo "${spec#*:}" | sed 's/^ *//')")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "missing: ${missing[*]}; installing Debian's packages..."
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "Could not install ${missing[*]}." >&2
fi
for i in "${!missing[@]}"; do
  echo "*** ${missing[$i]} is not installed: ${without[$i]} (install the ${missing[$i]} package). ***" >&2
done
exit 0
