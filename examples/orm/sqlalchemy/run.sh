#!/usr/bin/env bash
# examples/orm/sqlalchemy/run.sh -- softdelete through SQLAlchemy (Debian's python3-sqlalchemy,
# run by Debian's /usr/bin/python3; examples/orm/python-example.sh does the
# work). Prints one line, "sqlalchemy: N passed, 0 failed"; exits non-zero on the
# first failed check.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/../python-example.sh" "$here" sqlalchemy python3-sqlalchemy example.py
