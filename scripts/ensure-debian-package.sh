#!/usr/bin/env bash
# Installs Debian's package PACKAGE when COMMAND is not on PATH and this machine can (root with
# apt-get); otherwise says loudly what goes without it. Never fails the npm script it runs before.
# Usage: ensure-debian-package.sh COMMAND PACKAGE "what needs it" "what happens without it"
set -u
command_name=$1 package=$2 needed_by=$3 without=$4
command -v "$command_name" >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "$command_name is missing: installing Debian's package $package for $needed_by..."
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null; then
    exit 0
  fi
  echo "Could not install $package." >&2
fi
echo "*** $command_name is not installed: $without (install the $package package). ***" >&2
exit 0
