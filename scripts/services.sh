#!/usr/bin/env bash
# Start the services the tests need when they are not running (PostgreSQL on 127.0.0.1:5432).
set -u
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start \
      >/dev/null 2>&1 || echo "services: could not start PostgreSQL; its tests will be skipped"
  fi
fi
exit 0
