#!/usr/bin/env bash
# examples/orm/django/run.sh -- softdelete through Django (Debian's python3-django,
# run by Debian's /usr/bin/python3; examples/orm/python-example.sh does the
# work). Prints one line, "django: N passed, 0 failed"; exits non-zero on the
# first failed check.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/../python-example.sh" "$here" django python3-django demo.py
