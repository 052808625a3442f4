#!/usr/bin/env bash
# The seed's migration entry point, kept for the team's habits: every verb passes to bin/eryao.
#   dev-migrate.sh migrate | init-data | bootstrap | downgrade REV | current | history | heads
#   dev-migrate.sh revision -m "add user preferences table" | stamp REV | migrate --sql
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bin/eryao" "$@"
