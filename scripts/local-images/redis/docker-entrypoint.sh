#!/bin/sh
# The official redis image's entrypoint, in short: options alone run redis-server; without a
# configuration file it listens with protected mode off; as root it steps down to redis.
set -eu

case ${1:-} in -* | *.conf) set -- redis-server "$@" ;; esac

if [ "${1:-}" = redis-server ]; then
  case ${2:-} in
    *.conf) ;;
    *)
      shift
      set -- redis-server --protected-mode no "$@"
      ;;
  esac
  if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis /data 2>/dev/null || true
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi

exec "$@"
