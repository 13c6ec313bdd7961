#!/usr/bin/python3
"""bench/clients/python.py LIB [--quick] [--rounds R]

The read workloads of bench/clients/workloads.json through Python's standard
sqlite3 module: what an application written in Python feels. Three in-memory
databases hold the same rows (base: plain tables queried with "deleted_at IS
NULL"; view: views over the live rows; vtab: softdelete virtual tables); every
round runs each target on the same keys, the first target rotating; the
table gives the median ns/op per target and the ratios. The sqlite3 module
keeps its own statement cache, so statements are prepared once. Exit status
1 if the targets returned different rows.
"""
import json
import os
import sqlite3
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = ("base", "view", "vtab")


def keys(kind, i, users, posts):
    if kind == "id":
        return ((i * 7919) % posts + 1,)
    if kind == "slug":
        return ("post-%d" % ((i * 7919) % posts + 1),)
    if kind == "author":
        return ((i * 31) % users + 1,)
    if kind == "author2":
        a = (i * 31) % (users - 9) + 1
        return (a, a + 9)
    if kind == "offset":
        return ((i * 97) % 5000,)
    return ()


def build(spec, w, lib):
    db = sqlite3.connect(":memory:", isolation_level=None)
    if spec.get("extension"):
        if not hasattr(db, "enable_load_extension"):
            sys.exit("python.py: this Python's sqlite3 module cannot load "
                     "extensions (built without it); use Debian's /usr/bin/python3")
        db.enable_load_extension(True)
        db.load_extension(lib)
        db.enable_load_extension(False)
    subst = {"{S}": spec["suffix"], "{USERS}": str(w["users"]),
             "{POSTS}": str(w["posts"])}
    for sql in w["data"] + spec["layer"] + ["ANALYZE"]:
        for k, v in subst.items():
            sql = sql.replace(k, v)
        db.execute(sql).fetchall()
    return db


def run(db, sql, params):
    """ns per operation, and a checksum of the rows."""
    ex = db.execute
    s = 0
    t0 = time.perf_counter_ns()
    for p in params:
        for row in ex(sql, p):
            for v in row:
                s += v if isinstance(v, int) else len(v)
    return (time.perf_counter_ns() - t0) / len(params), s


def main(argv):
    args = argv[1:]
    quick = "--quick" in args
    rounds = 3 if quick else 7
    if "--rounds" in args:
        rounds = int(args[args.index("--rounds") + 1])
    libs = [a for a in args if not a.startswith("--") and not a.isdigit()]
    if not libs:
        sys.exit(__doc__.strip().splitlines()[0])
    lib = os.path.abspath(libs[0])
    with open(os.path.join(HERE, "workloads.json")) as f:
        w = json.load(f)
    dbs = {t: build(w["targets"][t], w, lib) for t in TARGETS}
    version = dbs["vtab"].execute("SELECT sd_version()").fetchone()[0]
    print("client: Python %s sqlite3 module, SQLite %s, softdelete %s"
          % (sys.version.split()[0], sqlite3.sqlite_version, version))
    print("%d users, %d posts (10%% deleted); median ns/op of %d rounds%s"
          % (w["users"], w["posts"], rounds, "; --quick" if quick else ""))
    print("%-12s %10s %10s %10s %10s %10s"
          % ("workload", "base", "view", "vtab", "vtab/view", "vtab/base"))
    bad = 0
    for wl in w["workloads"]:
        n = wl["ops"] // (5 if quick else 1)
        params = [keys(wl["key"], i, w["users"], w["posts"]) for i in range(n)]
        ns = {t: [] for t in TARGETS}
        for r in range(-1, rounds):
            sums = {}
            for j in range(len(TARGETS)):
                t = TARGETS[(j + max(r, 0)) % len(TARGETS)]
                sql = wl["base"] if t == "base" else wl["sql"]
                per, sums[t] = run(dbs[t], sql, params if r >= 0 else params[:n // 10 + 1])
                if r >= 0:
                    ns[t].append(per)
            if len(set(sums.values())) != 1:
                bad += 1
                print("MISMATCH %s round %d: %s" % (wl["name"], r, sums))
        med = {t: statistics.median(ns[t]) for t in TARGETS}
        print("%-12s %10.0f %10.0f %10.0f %10.2f %10.2f"
              % (wl["name"], med["base"], med["view"], med["vtab"],
                 med["vtab"] / med["view"], med["vtab"] / med["base"]))
        sys.stdout.flush()
    for db in dbs.values():
        db.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
