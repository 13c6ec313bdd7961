# What the migrations record about themselves, for demo.py to check.
migration_log = []
