#!/bin/sh
# The official redis image's convention: arguments that start with '-' (or a *.conf file) are
# options of redis-server; anything else is a command to run.
set -e
case "${1:-}" in
  -* | *.conf) set -- redis-server "$@" ;;
esac
exec "$@"
