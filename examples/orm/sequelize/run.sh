#!/usr/bin/env bash
# Runs the Sequelize example (main.js): installs what is missing, builds the
# extension if needed (examples/orm/node-example.sh). Prints one summary line
# ("sequelize: N passed, N failed"); exits non-zero on any failed check.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/../node-example.sh" "$here"
