# difftest.tcl -- differential tester for the softdelete virtual table.
#
# SPEC 4 says a query through the virtual table gives exactly what a plain
# table holding only the live rows would give; a trash table (show=deleted)
# and a show=all table must likewise read exactly like a plain table holding
# the rows they show, with the columns they show. This file checks that on
# random schemas, data and queries. Each seed runs in one mode (-mode, or
# by default the seed modulo 3: 0 live, 1 deleted, 2 all), with one live
# value (-live, or by default the seed's choice, see "The live value"
# below), in one in-memory database:
#
#   base  a rowid table with 3-6 random columns: every affinity (INTEGER,
#         INT, TEXT, VARCHAR(10), REAL, NUMERIC, BLOB, none), NOCASE / RTRIM /
#         BINARY collations, sometimes a rowid alias or another primary key,
#         and hostile names (quotes, spaces, keywords, unicode);
#   vtab  CREATE VIRTUAL TABLE vtab USING softdelete(base, ...), the live
#         table, which every write that soft-deletes goes through; in the
#         deleted and all modes sometimes with actor=COL;
#   mode  (deleted and all modes) CREATE VIRTUAL TABLE trash USING
#         softdelete(base, show=deleted) or ... show=all, options of the live
#         table sometimes repeated; its columns are the base's, then the
#         marker, the operation column <marker>_op and the actor, all
#         visible (checked with pragma_table_xinfo);
#   p     the twin of the table under test (%V%: vtab in live mode, else
#         mode): the base's CREATE TABLE text plus the marker, operation
#         (and actor) columns, holding exactly the rows %V% shows: the live
#         rows, the deleted rows with their marker, operation and actor, or
#         every row;
#   l     (deleted and all modes) the live table's twin, no indexes;
#   o     another plain table, for joins and subqueries;
#
# with the same random indexes on base and p (single and multi-column,
# collated, DESC, expression, partial on a column or on the marker, in the
# deleted and all modes on the operation and actor too, the extension's own
# index on the operation, sd_index and sd_unique). Rows mixing integers,
# reals, texts, blobs and NULLs are written through the base or the vtab,
# ~20% (deleted mode 40%, all mode 30%) are deleted through the vtab, then
# random DELETE / UPDATE / INSERT ... SELECT / INSERT OR REPLACE /
# sd_restore / sd_hard_delete statements run on the vtab and are mirrored on
# its twin (p, or l) by rowid; the live rows must then equal it. Sometimes
# ANALYZE.
#
# In the deleted and all modes the marker and operation values are the
# extension's own, so p cannot mirror them: after every write the tester
# checks the base instead (after_write) -- deleted rows unchanged, newly
# deleted rows exactly those the write took out of l, with their values,
# one operation id and one marker per statement (the marker the pinned
# clock, sd_clock, gives in the table's format), a fresh operation id, the
# actor sd_actor() set; restored rows as they were deleted, with no
# operation or actor left; purged and hard-deleted rows gone -- and then
# copies the rows the table under test shows from the base into p. The
# operation id is then replaced in the base by one drawn from the seed, so
# that a seed replays exactly. In deleted mode random restores
# (UPDATE trash SET marker = NULL WHERE ...) and purges (DELETE FROM trash
# WHERE ...) run too, some choosing rows by reading the live table in the
# same statement: changes() must be the number of rows the WHERE matches in
# the twin, and the restored rows go back to l (with a live value not NULL
# the restore is SET marker = <live>, sometimes as a bound parameter or
# 0.0 for 0). In both modes some writes
# through the live table choose their rows by reading the table under test,
# and sd_restore / sd_hard_delete get its name as often as the live
# table's. Writes the table under test must refuse (INSERT; on a trash any
# other UPDATE; on a show=all table any UPDATE or DELETE) must fail with a
# "softdelete: " error when their WHERE matches rows, and change nothing.
#
# The live value (SPEC 11). Most seeds (60%) keep the default, NULL; the
# others adopt a table whose live rows hold a value: gorm (live=0 with
# format=unixepoch or unixepoch_ms; now and then live=0.0, julianday), flag
# (format=boolean, live=0: an is_deleted column, sometimes declared
# BOOLEAN), active (format=active: live 1, a deletion writes 0) or text
# (live='no', 'live', '' or 'it''s', with a time format). The choice is
# drawn from a second generator seeded alike (srnd), so that a seed that
# keeps NULL replays exactly as before live= existed (what a seed chooses
# may change the format, the marker's name and type). The marker is added
# by CREATE VIRTUAL TABLE (with DEFAULT <live>), or is already in the base,
# declared NOT NULL DEFAULT <live>, DEFAULT <live>, nullable, or NOT NULL
# without a DEFAULT; sometimes retain='100 days'. With a live value not
# NULL, everything above uses it: p, q and l declare the marker DEFAULT
# <live>, so their live rows hold what the live table's hidden marker reads
# (check_contents compares it too); the base's live rows must hold it,
# deleted rows are those whose marker IS NOT <live> (after_write; a
# deletion writes 1 for boolean, 0 for active); restored rows come back
# with the live value and no operation or actor; partial indexes are on
# "marker IS <live>" (the form sd_index and sd_unique create; sometimes IS
# NULL all the same) and "marker IS NOT <live>"; rows written through the
# base name the marker with the live value (always when it has no DEFAULT)
# and ~8% of them are rows deleted by hand (a time of 2023 or 2024-04-30 in
# the format, 1, 0, or another text; no operation id), which the trash
# shows and sd_restore restores; the live table also takes INSERT and
# UPDATE naming the marker with the live value; on a trash SET marker =
# NULL and any other value must be refused, on a show=all table SET marker
# = <live> too. Writes also call sd_purge(tbl), sd_purge(tbl, before) (a
# time far in the past or future, or a deleted row's marker) and
# sd_purge_expired(): exactly the deleted rows whose marker compares before
# the time go, never a live row (0 and '' sort before every time), and the
# count returned must be theirs. Queries compare the marker with the live
# value: in the trash and show=all tables (IS / IS NOT <live>), and, on the
# live table and %L%, the hidden marker against the live value, its other
# spellings ('0', 0 + 0.0, upper('no'), COLLATE NOCASE, a bound parameter)
# and other values.
#
# Then random queries run twice, with %V% replaced by the table under test
# and by p (and %L%, a join of a trash or show=all table with the live
# table, by vtab and by l). In the deleted and all modes they name the
# marker, the operation and the actor like any column, also in t1.*, and
# compare them with values that rows hold (IS <live>, = an operation id,
# ranges of markers); in live mode the marker reads the live value (NULL
# by default). Queries use:
# WHERE terms with every operator (= == < <= > >= != <> IS, IS NOT, IS NULL,
# NOTNULL, IN lists and subqueries, LIKE [ESCAPE], GLOB, BETWEEN, EXISTS,
# row values, COLLATE, CAST, AND/OR/NOT) against literals, bound parameters
# ($pN as integer, real or text; @bN as blob), columns of other tables and
# correlated subqueries; joins with the vtab on either side (inner, LEFT,
# CROSS, USING, self-joins), aggregates, GROUP BY/HAVING, DISTINCT, window
# functions, compound SELECTs, ORDER BY (COLLATE, DESC, NULLS FIRST/LAST)
# with LIMIT/OFFSET (offsets past the end, negative, as text, real or a
# parameter); writes (and in deleted mode restores and purges) through a
# subselect that takes a page of the vtab (the trash). The two results must
# be equal: the same rows with the same values and types (read from the Tcl
# objects the sqlite3 binding returns), or the same error.
#
# What is compared, so that only real differences are reported:
# - With an ORDER BY, the rowid of every table in FROM is appended, which
#   makes the order total; results are compared in order. LIMIT and OFFSET
#   come with such an ORDER BY, or on queries that select constants only
#   (then only the number of rows matters). Without ORDER BY, results are
#   compared as sorted lists.
# - Which of several equal values SQLite keeps for a DISTINCT or GROUP BY
#   key, or returns from min()/max(), depends on the scan order ('a' or 'A'
#   under NOCASE, 2 or 2.0), so those columns are compared normalised
#   (numbers as numbers, text lower-cased and right-trimmed). Their ORDER BY
#   is made of the key expressions themselves, which orders groups totally.
# - Scalar subqueries that return a row are ordered by rowid; aggregates are
#   count, sum, total, avg, min, max (no group_concat, whose order varies).
#
# SQLite itself is sometimes wrong on the plain tables. When the two differ,
# the query is also run on q (p's rows, no indexes), on q through a subquery
# that cannot be flattened, on p sorted by +(term) (which cannot be skipped),
# without automatic indexes, and, for a LIMIT, p's own full result is
# sliced; if one of these agrees with the vtab, the host is at fault and the
# case is counted, not reported. Seen: 3.40 builds automatic indexes with the
# wrong collation; 3.40 and 3.52 answer NOT IN wrongly through a DESC index
# on a column with NULLs, and skip sorting (or DISTINCT) on a column equated
# with a fixed value under affinity ('5' = 5.0 and '05' = 5.0); 3.40 loses
# rows of some LEFT JOINs; 3.52.0 drops an OFFSET. Queries of the shapes
# SQLite gets wrong whatever the plan ("c IS CAST(5 AS REAL)" with ORDER BY,
# DISTINCT, GROUP BY, PARTITION BY) are not generated; writes through the
# vtab are mirrored on p and q (or l) by rowid, after finding the rows in q
# (or l).
#
# Usage:
#   tclsh test/difftest.tcl ?-lib FILE? ?-seed N? ?-seeds N? ?-seconds S?
#                           ?-queries Q? ?-verbose 1? ?-skip LIST? ?-mode M?
#                           ?-live K? ?-help?
#     -lib FILE   the extension (default: $SOFTDELETE_LIB, else the build in
#                 the repository root, softdelete.so/.dylib/.dll); a path
#                 that exists is made absolute, so that load_extension does
#                 not search the library path for it
#     -mode M     live, deleted or all: every seed in that mode; mix (the
#                 default, or $SD_DIFF_MODE): the seed modulo 3 chooses
#     -live K     null, gorm, flag, active or text: every seed with that
#                 kind of live value (see above); mix (the default, or
#                 $SD_DIFF_LIVE): the seed chooses
#     -seed N     the first seed (default 1); seeds N, N+1, ... follow
#     -seeds N    how many seeds (default: as many as -seconds allows)
#     -seconds S  stop starting new seeds after S seconds (default 60)
#     -queries Q  queries per seed (default 50)
#     -verbose 1  print every statement and query
#     -skip LIST  leave out query shapes with a known difference, so that a
#                 long run can look for new ones; also read from
#                 $SD_DIFF_SKIP when that is not empty; "none" for none.
#                 Default: the differences the README documents ("Choices
#                 and limits"): defaults vecin.
#       defaults       DEFAULT clauses (explicit NULL inserted as the default)
#       emptyblob      x'' values           cast      CAST(literal AS ...)
#       inblob         blobs in IN lists    necoll    !=, <>, IS NOT
#       rowid0         rowid 0              vecin     (a, b) IN (SELECT ...)
#       rowvalrange    (a, b) < (x, y)      likeblob  LIKE/GLOB with a prefix
#       limitself      LIMIT on one vtab whose WHERE compares its own columns
#       leftaux        LEFT JOIN ON terms other than the join equality
#       compoundoffset OFFSET on a compound SELECT
#       existsoffset   LIMIT on one vtab with EXISTS in its WHERE (3.52.0)
#   At the first difference it prints the seed, the query and a script that
#   replays it in the sqlite3 shell, and exits 1. Otherwise it prints
#   seeds/queries run (per mode and live value too) and the throughput, and
#   exits 0. The same seed in the same mode with the same -live always
#   gives the same schema, data and queries (own PRNG, not Tcl's rand();
#   the deletion clock pinned and the operation ids replaced, see above;
#   in live mode sd_purge compares only times far from now). A seed run in
#   live mode whose live value stays NULL gives what it gave before the
#   other modes existed, plus the operation index on p.
#
# From a test file: set dt::lib, then [dt::run_seed SEED NQUERY ?MODE?
# ?LIVE?] returns "" or the report of the first difference (MODE: live,
# deleted, all; by default as -mode mix would choose; LIVE: null, gorm,
# flag, active, text, mix; by default as -live says).

# SD_TCL_SQLITE: a Tcl binding built against another SQLite (scripts/compat.sh
# builds one per version it tests), loaded instead of the system's.
if {[info exists env(SD_TCL_SQLITE)] && $env(SD_TCL_SQLITE) ne ""} {
  load $env(SD_TCL_SQLITE) Sqlite3
} else {
  package require sqlite3
}

namespace eval dt {
  variable lib ""           ;# the extension to load
  variable verbose 0
  variable state 1          ;# PRNG state
  variable NULLV "\u0000NULL"
  variable nQueryRun 0      ;# queries compared so far (both sides)
  variable nStmtRun 0       ;# setup/write statements run so far
  variable skip {defaults vecin} ;# shapes left out (-skip): known differences
  variable nHostBug 0       ;# differences blamed on the host (see compare)
  variable nBothErr 0       ;# queries failing the same way on both sides
  variable errSample {}     ;# some of them: {message sql ...}
  variable mode mix         ;# -mode: live, deleted, all, or mix (by seed)
  variable modes {live deleted all}
  variable nByMode          ;# queries compared per mode
  array set nByMode {live 0 deleted 0 all 0}
  variable nTrashWrite 0    ;# restores and purges through the trash checked
  variable nRefused 0       ;# refused writes checked (trash, show=all)
  variable live mix         ;# -live: null, gorm, flag, active, text, or mix
  variable lives {null gorm flag active text}
  variable nByLive          ;# queries compared per live value kind
  array set nByLive {null 0 gorm 0 flag 0 active 0 text 0}
  variable nPurge 0         ;# sd_purge / sd_purge_expired calls checked
  variable sstate 1         ;# the side PRNG's state (see srnd)
  # What columns a vtab alias (kind v) offers while generating: "live" (the
  # live table: the marker is hidden and reads NULL, no operation column)
  # or "mode" (a show=deleted|all table: marker, operation and actor are
  # ordinary columns). Writes through the live table generate as "live".
  variable ctx live

  # Value pools. Texts are raw (unquoted); blobs are hex.
  variable ints  {-3 -2 -1 0 1 2 3 4 5 6 7 8 9 10}
  variable reals {1.5 2.0 -0.0 1e300 0.5 -1.5 5.0}
  variable texts {5 05 { 5} {} a A {a } b% _ B ab 5.0 -3 1e3 é É {5 } a_b Z}
  variable blobs {35 {} 61 0102 41}
  variable types {INTEGER INT TEXT VARCHAR(10) REAL NUMERIC BLOB {}}
  variable colls {NOCASE RTRIM BINARY}
  variable likes {a% A% % _ 5 %5 5% {} b% _% %a_ é% 0% { %} a ab A_}
  variable globs {a* A* * ? {[a-b]*} 5* *5 {} {[5]} ?* a {[^a]*}}
  variable colnames {a b c d e f g h}
  variable hostile {{c d} {e"f} select order tâble {Group} {x y"z}}
}

# ---- PRNG (Park-Miller, multiplier 48271): replays exactly ---------------

proc dt::seed {n} {
  variable state; variable sstate
  set state [expr {((wide($n) % 2147483646 + 2147483646) % 2147483646) + 1}]
  for {set i 0} {$i < 4} {incr i} { rnd 2 }
  # The side stream (srnd): a second generator from the same seed, for the
  # live-value choices, so that the main stream of a seed whose live value
  # stays NULL is exactly what it was before live= existed.
  set sstate [expr {((wide($n) * 7919 + 104729) % 2147483646 + 2147483646) % 2147483646 + 1}]
  for {set i 0} {$i < 4} {incr i} { srnd 2 }
}
proc dt::rnd {n} {
  variable state
  set state [expr {($state * 48271) % 2147483647}]
  return [expr {($state >> 4) % $n}]
}
# The side stream: the same generator on its own state.
proc dt::srnd {n} {
  variable state; variable sstate
  set keep $state
  set state $sstate
  set r [rnd $n]
  set sstate $state
  set state $keep
  return $r
}
proc dt::spick {list} { lindex $list [srnd [llength $list]] }
proc dt::pick {list} { lindex $list [rnd [llength $list]] }
proc dt::chance {pct} { expr {[rnd 100] < $pct} }
proc dt::qi {name} { return "\"[string map {\" \"\"} $name]\"" }
proc dt::qs {s} { return "'[string map {' ''} $s]'" }

# ---- Values ---------------------------------------------------------------

# A random value: {kind sql raw}; kind is i r t b n.
proc dt::val {} {
  variable ints; variable reals; variable texts; variable blobs
  set r [rnd 100]
  if {$r < 33} { set v [pick $ints]; return [list i $v $v] }
  if {$r < 45} { set v [pick $reals]; return [list r $v $v] }
  if {$r < 80} { set v [pick $texts]; return [list t [qs $v] $v] }
  if {$r < 88} {
    set v [pick $blobs]
    if {$v eq "" && "emptyblob" in $::dt::skip} { set v 35 }
    return [list b "x'$v'" $v]
  }
  return [list n NULL {}]
}
proc dt::lit {} { lindex [val] 1 }

# A bound parameter of random type; returns its SQL name ($pN or @bN).
proc dt::param {{kind ""}} {
  variable params
  set v [val]
  if {$kind ne ""} {
    while {[lindex $v 0] ne $kind} { set v [val] }
  }
  lassign $v k sql raw
  if {$k eq "n"} { return NULL }
  set n [expr {[llength $params] / 3 + 1}]
  if {$k eq "b"} { set name "b$n"; set ref "@b$n" } else { set name "p$n"; set ref "\$p$n" }
  lappend params $name $k $raw
  return $ref
}

# A fresh Tcl object with the internal representation the binding maps to
# the wanted SQLite type.
proc dt::mkval {k raw} {
  switch -- $k {
    i { return [expr {wide($raw)}] }
    r { return [expr {double($raw)}] }
    t { return [string range "x$raw" 1 end] }
    b { return [binary format H* $raw] }
  }
}

# A result value as a tagged string: i:5 r:2.0 t:abc b:3500 n
proc dt::tag {v} {
  variable NULLV
  # "value is a int with ...": scan is twice as fast as a regexp here.
  scan [tcl::unsupported::representation $v] {value is %*s %s} type
  switch -- $type {
    int - wideInt - bignum { return "i:$v" }
    double { return "r:$v" }
    bytearray { return "b:[binary encode hex $v]" }
  }
  if {$v eq $NULLV} { return n }
  return "t:$v"
}

# Normalise a tagged value whose representation depends on the scan order.
proc dt::norm {t} {
  switch -- [string index $t 0] {
    i - r {
      set x [format %.17g [string range $t 2 end]]
      if {$x eq "-0"} { set x 0 }
      return "num:$x"
    }
    t { return "t:[string tolower [string trimright [string range $t 2 end] { }]]" }
  }
  return $t
}

# ---- Running SQL ----------------------------------------------------------

# Run sql with the parameters bound; returns {rc result}.
proc dt::run {sql plist} {
  foreach {__n __k __raw} $plist { set $__n [mkval $__k $__raw] }
  set __rc [catch {::dtdb eval $sql} __res]
  return [list $__rc $__res]
}

# Text for the sqlite3 shell: .param lines for the parameters.
proc dt::shell_params {plist} {
  set out ""
  foreach {n k raw} $plist {
    set sigil [expr {$k eq "b" ? "@" : "\$"}]
    switch -- $k {
      i - r { set v $raw }
      t { set v "\"[string map {\" \\\"} [qs $raw]]\"" }
      b { set v "x'$raw'" }
    }
    append out ".param set $sigil$n $v\n"
  }
  return $out
}

# Run a setup statement (fatal on error) and log it for the replay script.
proc dt::exec {sql {plist {}}} {
  variable log; variable verbose; variable nStmtRun
  incr nStmtRun
  if {[llength $plist]} { append log [shell_params $plist] }
  append log "$sql;\n"
  if {$verbose} { puts "  $sql" }
  lassign [run $sql $plist] rc res
  if {$rc} { error "setup statement failed: $res\n  $sql" }
  return $res
}

# Run a statement on q (not logged: the replay script has no q).
proc dt::qexec {sql} {
  lassign [run $sql {}] rc res
  if {$rc} { error "statement on q failed: $res\n  $sql" }
}

# Run a statement on the vtab and on p. Returns "" or a difference.
proc dt::both {tmpl plist} {
  variable log; variable verbose; variable T; variable nStmtRun
  incr nStmtRun 2
  set sv [string map [list %V% $T(qw)] $tmpl]
  set sp [string map [list %V% $T(wp)] $tmpl]
  if {[llength $plist]} { append log [shell_params $plist] }
  if {$verbose} { puts "  $sv" }
  lassign [run $sv $plist] rcv resv
  lassign [run $sp $plist] rcp resp
  if {$T(wq) ne ""} { run [string map [list %V% $T(wq)] $tmpl] $plist }
  if {$rcv} { append log "-- (fails: $resv)\n" }
  append log "$sv;\n$sp;\n"
  if {$rcv != $rcp || ($rcv && $resv ne $resp)} {
    return "statement: $sv\n  vtab: [list $rcv $resv]\n  twin: [list $rcp $resp]"
  }
  return ""
}

# "HEAD WHERE pred" on the vtab; on p and q, the rows pred selects in q
# before the statement are found first and written by rowid. (SQLite 3.40
# lets "DELETE FROM p WHERE x NOT IN (SELECT rowid FROM p)" see its own
# deletes; 3.40 and 3.52 answer NOT IN wrongly through a DESC index.) In
# the deleted and all modes the live table's twin is l (no indexes), which
# plays both parts.
proc dt::both_where {head pred plist} {
  variable log; variable verbose; variable T; variable nStmtRun
  incr nStmtRun 2
  set sv [string map [list %V% $T(qw) %M% $T(qv)] "$head WHERE $pred"]
  set f [expr {$T(wq) ne "" ? $T(wq) : $T(wp)}]
  set sel [string map [list %V% $f %M% p] "SELECT $f.rowid FROM $f WHERE $pred"]
  if {[llength $plist]} { append log [shell_params $plist] }
  if {$verbose} { puts "  $sv" }
  lassign [run $sv $plist] rcv resv
  lassign [run $sel $plist] rcp resp
  set sp $sel
  if {!$rcp} {
    set ids [join $resp {, }]
    set sp "[string map [list %V% $T(wp)] $head] WHERE rowid IN ($ids)"
    lassign [run $sp $plist] rcp resp
    if {$T(wq) ne ""} {
      run "[string map [list %V% $T(wq)] $head] WHERE rowid IN ($ids)" $plist
    }
  }
  if {$rcv} { append log "-- (fails: $resv)\n" }
  append log "$sv;\n$sp;\n"
  if {$rcv != $rcp || ($rcv && $resv ne $resp)} {
    return "statement: $sv\n  vtab: [list $rcv $resv]\n  twin: [list $rcp $resp]"
  }
  return ""
}

# ---- Schema ---------------------------------------------------------------

proc dt::affinity {type} {
  set t [string toupper $type]
  if {[string match *INT* $t]} { return INTEGER }
  if {[string match *CHAR* $t] || [string match *CLOB* $t] || [string match *TEXT* $t]} {
    return TEXT
  }
  if {$t eq "" || [string match *BLOB* $t]} { return BLOB }
  if {[string match *REAL* $t] || [string match *FLOA* $t] || [string match *DOUB* $t]} {
    return REAL
  }
  return NUMERIC
}

# Column definitions for a table of n columns; fills arr(ncol), arr(c,I,*).
proc dt::gen_cols {arrName n names {pkok 1}} {
  upvar $arrName A
  variable types; variable colls; variable hostile
  set A(ncol) $n
  set A(pk) -1
  set A(pkkind) none
  set pool $names
  set defs {}
  if {$pkok} {
    set r [rnd 100]
    if {$r < 22} { set A(pkkind) ipk } elseif {$r < 27} { set A(pkkind) ipkt } \
    elseif {$r < 31} { set A(pkkind) ipkdesc } elseif {$r < 35} { set A(pkkind) intpk } \
    elseif {$r < 38} { set A(pkkind) textpk }
  }
  set used {}
  for {set i 0} {$i < $n} {incr i} {
    if {[chance 20]} { set name [pick $hostile] } else { set name [pick $pool] }
    while {[string tolower $name] in $used} { set name "[pick $pool]$i" }
    lappend used [string tolower $name]
    set A(c,$i,name) $name
    set A(c,$i,q) [qi $name]
    set type [pick $types]
    set coll ""
    if {[chance 35]} { set coll [pick $colls] }
    set extra ""
    if {$i == 0 && $A(pkkind) ne "none"} {
      set A(pk) 0
      set coll ""
      switch -- $A(pkkind) {
        ipk     { set type INTEGER; set extra " PRIMARY KEY" }
        ipkt    { set type INTEGER }
        ipkdesc { set type INTEGER; set extra " PRIMARY KEY DESC" }
        intpk   { set type INT; set extra " PRIMARY KEY" }
        textpk  { set type TEXT; set extra " PRIMARY KEY"; if {[chance 50]} { set coll NOCASE } }
      }
    } elseif {[chance 8] && "defaults" ni $::dt::skip} {
      append extra " DEFAULT [lit]"
    }
    set A(c,$i,type) $type
    set A(c,$i,aff) [affinity $type]
    set A(c,$i,coll) $coll
    set d $A(c,$i,q)
    if {$type ne ""} { append d " $type" }
    append d $extra
    if {$coll ne ""} { append d " COLLATE $coll" }
    lappend defs $d
  }
  if {$A(pkkind) eq "ipkt"} { lappend defs "PRIMARY KEY($A(c,0,q))" }
  return [join $defs ", "]
}

# A random index (on the base or p) as "CREATE ... ON %T%(...) ..." text.
proc dt::gen_index {{allowUnique 0}} {
  variable T; variable colls
  set n [expr {1 + [rnd 3]}]
  set terms {}
  for {set k 0} {$k < $n} {incr k} {
    set r [rnd 100]
    if {$r < 8} {
      set e $T(qm)
      # With a trash or show=all table: the operation and actor columns too.
      if {$T(mode) ne "live"} {
        set cands [list $T(qm) $T(qop)]
        if {$T(qactor) ne ""} { lappend cands $T(qactor) }
        set e [pick $cands]
      }
    } elseif {$r < 14} {
      set e [pick [list "lower([T_col])" "[T_col]+0" "length([T_col])"]]
    } else {
      set e [T_col]
    }
    if {[chance 25]} { append e " COLLATE [pick $colls]" }
    if {[chance 20]} { append e " DESC" }
    lappend terms $e
  }
  set where ""
  set r [rnd 100]
  if {$r < 15} {
    # On the live rows: "marker IS <live>", the form sd_index makes; with
    # a live value not NULL, now and then IS NULL (no row) all the same.
    set where " WHERE $T(qm) IS $T(live)"
    if {$T(mode) ne "live" && [chance 50]} {
      set where " WHERE [pick [list "$T(qm) IS NOT $T(live)" "$T(qop) IS NOT NULL" "$T(qop) > 0"]]"
    } elseif {$T(live) ne "NULL" && [chance 15]} {
      set where " WHERE $T(qm) IS NULL"
    }
  } elseif {$r < 25} {
    set where " WHERE [T_col] IS NOT NULL"
  } elseif {$r < 30} {
    set where " WHERE [T_col] > [pick {0 2 'a'}]"
  }
  set u ""
  if {$allowUnique && [chance 30]} { set u "UNIQUE " }
  return "CREATE ${u}INDEX %N% ON %T%([join $terms {, }])$where"
}
proc dt::T_col {} { variable T; return $T(c,[rnd $T(ncol)],q) }

# Create one index on the base and on p (logged); unique ones only when the
# base accepts them. Returns "" or a difference.
proc dt::make_index {tmpl} {
  variable T; variable nIdx
  incr nIdx
  set sb [string map [list %N% [qi "bi$nIdx"] %T% $T(qb)] $tmpl]
  set sp [string map [list %N% [qi "pi$nIdx"] %T% p] $tmpl]
  if {[string match "CREATE UNIQUE*" $tmpl]} {
    lassign [run $sb {}] rc res
    if {$rc} return
    variable log
    append log "$sb;\n"
    return [both_plain $sp]
  }
  exec $sb
  exec $sp
  return ""
}
proc dt::both_plain {sql} {
  lassign [run $sql {}] rc res
  variable log
  append log "$sql;\n"
  if {$rc} { return "statement: $sql\n  failed on the twin only: $res" }
  return ""
}

# ---- Expressions ----------------------------------------------------------

# A column of a table of kind v (the table under test, %V%), lv (the live
# table, %L%, joined to a trash or show=all table) or o: {sql aff coll}.
proc dt::colof {kind alias} {
  variable T; variable O; variable ctx
  if {$kind eq "v" && $ctx eq "mode"} {
    # Trash and show=all tables: marker, operation and actor are visible.
    set r [rnd 100]
    if {$r < 6} { return [list $alias.[pick {rowid oid _rowid_}] INTEGER ""] }
    if {$r < 14} { return [list $alias.$T(qm) $T(maff) ""] }
    if {$r < 22} { return [list $alias.$T(qop) INTEGER ""] }
    if {$r < 26 && $T(qactor) ne ""} { return [list $alias.$T(qactor) BLOB ""] }
    set i [rnd $T(ncol)]
    return [list $alias.$T(c,$i,q) $T(c,$i,aff) $T(c,$i,coll)]
  }
  if {$kind in {v lv}} {
    set r [rnd 100]
    if {$r < 7} { return [list $alias.[pick {rowid rowid oid _rowid_}] INTEGER ""] }
    if {$r < 10} { return [list $alias.$T(qm) $T(maff) ""] }
    set i [rnd $T(ncol)]
    return [list $alias.$T(c,$i,q) $T(c,$i,aff) $T(c,$i,coll)]
  }
  if {[chance 6]} { return [list $alias.rowid INTEGER ""] }
  set i [rnd $O(ncol)]
  return [list $alias.$O(c,$i,q) $O(c,$i,aff) $O(c,$i,coll)]
}

# A column reference from scope ({alias kind} pairs), preferring kinds.
proc dt::cref {scope {kinds {v o lv}}} {
  set cands {}
  foreach {a k} $scope { if {$k in $kinds} { lappend cands $a $k } }
  if {![llength $cands]} { set cands $scope }
  set i [rnd [expr {[llength $cands] / 2}]]
  lindex [colof [lindex $cands [expr {2*$i+1}]] [lindex $cands [expr {2*$i}]]] 0
}

# Wrap x in a random scalar function or operator.
proc dt::wrap {x} {
  variable colls
  # Placeholders that no template word contains (COLLATE holds C and L).
  set f [pick {
    {+@X} {@X + 0} {@X || ''} {lower(@X)} {upper(@X)} {abs(@X)} {length(@X)}
    {typeof(@X)} {@X COLLATE @C} {CAST(@X AS TEXT)} {CAST(@X AS INTEGER)}
    {CAST(@X AS REAL)} {CAST(@X AS NUMERIC)} {CAST(@X AS BLOB)} {coalesce(@X, @L)}
    {- @X} {@X * 2} {substr(@X, 1, 1)} {trim(@X)} {hex(@X)} {@X - 1} {(@X)}
    {nullif(@X, @L)} {ifnull(@X, @L)} {@X COLLATE @C}
  }]
  string map [list @X $x @L [lit] @C [pick $colls]] $f
}

# A fresh alias for a subquery.
proc dt::alias {} { variable nAlias; return "s[incr nAlias]" }

# A right-hand operand.
proc dt::operand {scope depth} {
  variable colls; variable T; variable ctx
  # On a trash or show=all table, sometimes a marker, operation or actor
  # value that some row holds, so that = and ranges on them select rows.
  if {$ctx eq "mode" && [chance 12]} { return [rowval] }
  set r [rnd 100]
  if {$r < 28} { return [lit] }
  if {$r < 44} { return [param] }
  if {$r < 62} { return [cref $scope] }
  if {$r < 69} {
    if {"cast" in $::dt::skip} { return [lit] }
    return "CAST([lit] AS [pick {TEXT INTEGER REAL NUMERIC BLOB}])"
  }
  if {$r < 74} { return "[lit] COLLATE [pick $colls]" }
  if {$r < 78} { return "+[cref $scope]" }
  if {$r < 82} { return "[cref $scope] COLLATE [pick $colls]" }
  if {$r < 88 && $depth > 0} {
    set s [alias]
    if {[chance 50]} {
      return "(SELECT count(*) FROM %V% AS $s WHERE [pred [concat $scope [list $s v]] [expr {$depth-1}]])"
    }
    set c [lindex [colof o $s] 0]
    return "(SELECT $c FROM o AS $s WHERE [pred [concat $scope [list $s o]] [expr {$depth-1}]] ORDER BY $s.rowid LIMIT 1)"
  }
  if {$r < 95} { return [wrap [cref $scope]] }
  return [wrap [lit]]
}

# A left-hand side: usually a column of a vtab alias (a constraint).
proc dt::lhs {scope} {
  set r [rnd 100]
  if {$r < 72} { return [cref $scope v] }
  if {$r < 84} { return [wrap [cref $scope v]] }
  if {$r < 92} { return [cref $scope] }
  return [operand $scope 0]
}

proc dt::cmpop {} {
  if {"necoll" in $::dt::skip} { return [pick {= == < <= > >= = < > IS}] }
  pick {= == < <= > >= != <> IS {IS NOT} = < > IS}
}

# A term on the marker or the operation of a trash or show=all alias in
# scope, against values that rows hold; "" if scope has no such alias.
proc dt::markterm {scope} {
  variable T
  set cands {}
  foreach {a k} $scope { if {$k eq "v"} { lappend cands $a } }
  if {![llength $cands]} { return "" }
  set a [pick $cands]
  set m "$a.$T(qm)"; set op "$a.$T(qop)"
  switch -- [rnd 10] {
    0 {
      if {$T(live) ne "NULL" && [chance 25]} { return "$m IS NULL" }
      return "$m IS $T(live)"
    }
    1 {
      if {$T(live) ne "NULL" && [chance 25]} { return "$m IS NOT NULL" }
      return "$m IS NOT $T(live)"
    }
    2 { return "$op = [rowval op]" }
    3 { return "$op IN ([rowval op], [rowval op])" }
    4 { return "$m [pick {< <= > >= =}] [rowval m]" }
    5 { return "$m BETWEEN [rowval m] AND [rowval m]" }
    6 { return "$op [pick {IS {IS NOT} != < >}] [rowval op]" }
    7 { return "$op IS NULL" }
    8 {
      set ops [expr {"rowvalrange" in $::dt::skip ? {= IS} : {= < >=}}]
      return "($m, $op) [pick $ops] ([rowval m], [rowval op])"
    }
    9 {
      if {$T(qactor) ne ""} { return "$a.$T(qactor) [pick {= IS != {IS NOT}}] [rowval actor]" }
      return "$op IS NOT NULL"
    }
  }
}

# With a live value not NULL: a term on the hidden marker of a live table
# alias in scope (kind v when the live table is under test, lv), which reads
# the live value in every row: against the live value, other spellings of
# it, and other values. "" if scope has no such alias.
proc dt::liveterm {scope} {
  variable T; variable ctx; variable params
  set cands {}
  foreach {a k} $scope {
    if {$k eq "lv" || ($k eq "v" && $ctx eq "live")} { lappend cands $a }
  }
  if {![llength $cands]} { return "" }
  set m "[pick $cands].$T(qm)"
  set vals [list $T(live) $T(live) [lit] NULL]
  if {$T(livek) eq "t"} {
    lappend vals "upper($T(live))" "$T(live) COLLATE NOCASE" "$T(live) || ''" "$T(live) COLLATE RTRIM"
  } else {
    lappend vals [qs $T(liveraw)] "$T(live) + 0.0" "$T(live) + 1" "-$T(live)"
  }
  set n [expr {[llength $params] / 3 + 1}]
  lappend params "p$n" $T(livek) $T(liveraw)
  lappend vals "\$p$n"
  set r [rnd 100]
  if {$r < 15} { return "$m [pick {IN {NOT IN}}] ([pick $vals], [pick $vals])" }
  if {$r < 25} { return "$m BETWEEN [pick $vals] AND [pick $vals]" }
  set ops {= = == IS IS {IS NOT} != < <= > >=}
  if {"necoll" in $::dt::skip} { set ops {= = == IS IS < <= > >=} }
  set t "$m [pick $ops] [pick $vals]"
  if {[chance 20]} { set t "NOT ($t)" }
  return $t
}

# A WHERE predicate over scope; depth bounds nesting and subqueries.
proc dt::pred {scope depth} {
  variable likes; variable globs; variable ctx; variable T
  if {$T(live) ne "NULL" && [chance 6]} {
    set t [liveterm $scope]
    if {$t ne ""} { return $t }
  }
  if {$ctx eq "mode" && [chance 10]} {
    set t [markterm $scope]
    if {$t ne ""} { return $t }
  }
  set r [rnd 100]
  if {$depth > 0 && $r < 22} {
    set d [expr {$depth - 1}]
    set r2 [rnd 100]
    if {$r2 < 45} { return "[pred $scope $d] AND [pred $scope $d]" }
    if {$r2 < 85} { return "([pred $scope $d] OR [pred $scope $d])" }
    return "NOT ([pred $scope $d])"
  }
  set r [rnd 100]
  if {$r < 38} {
    set l [lhs $scope]; set o [cmpop]; set rr [operand $scope $depth]
    if {[chance 20]} { return "$rr $o $l" }
    return "$l $o $rr"
  }
  if {$r < 46} {
    return "[lhs $scope] [pick {{IS NULL} {IS NOT NULL} ISNULL NOTNULL {NOT NULL}}]"
  }
  if {$r < 57} {
    set items {}
    set n [rnd 6]
    for {set i 0} {$i < $n} {incr i} {
      set it [expr {[chance 75] ? [lit] : [operand $scope 0]}]
      if {"inblob" in $::dt::skip && ![regexp {^(-?[0-9.e]+|'[^']*'|NULL|\$p[0-9]+)$} $it]} { set it 5 }
      lappend items $it
    }
    set not [expr {[chance 20] ? "NOT " : ""}]
    return "[lhs $scope] ${not}IN ([join $items {, }])"
  }
  if {$r < 63 && $depth > 0} {
    set s [alias]
    set d [expr {$depth - 1}]
    set not [expr {[chance 20] ? "NOT " : ""}]
    if {[chance 50]} {
      set k o; set src o
    } else {
      set k v; set src %V%
    }
    set c [lindex [colof $k $s] 0]
    if {"inblob" in $::dt::skip} { set c "CASE WHEN typeof($c) = 'blob' THEN NULL ELSE $c END" }
    set w ""
    if {[chance 60]} { set w " WHERE [pred [concat $scope [list $s $k]] $d]" }
    set lim ""
    if {[chance 15] && !($k eq "v" && "limitself" in $::dt::skip)} {
      set lim " ORDER BY $s.rowid LIMIT [rnd 4]"
    }
    return "[lhs $scope] ${not}IN (SELECT $c FROM $src AS $s$w$lim)"
  }
  if {$r < 70} {
    set not [expr {[chance 15] ? "NOT " : ""}]
    set r2 [rnd 100]
    if {$r2 < 70} { set pat [qs [pick $likes]] } elseif {$r2 < 90} { set pat [param t] } else { set pat [cref $scope] }
    if {"likeblob" in $::dt::skip} { set pat "'%' || $pat" }
    if {[chance 12]} {
      return "[lhs $scope] ${not}LIKE [qs [pick {{b\%} {a\_b} {\_} {%\%}}]] ESCAPE '\\'"
    }
    return "[lhs $scope] ${not}LIKE $pat"
  }
  if {$r < 75} {
    set not [expr {[chance 15] ? "NOT " : ""}]
    set pat [expr {[chance 80] ? [qs [pick $globs]] : [param t]}]
    if {"likeblob" in $::dt::skip} { set pat "'*' || $pat" }
    return "[lhs $scope] ${not}GLOB $pat"
  }
  if {$r < 81} {
    set not [expr {[chance 15] ? "NOT " : ""}]
    return "[lhs $scope] ${not}BETWEEN [operand $scope 0] AND [operand $scope 0]"
  }
  if {$r < 86 && $depth > 0} {
    set s [alias]
    set d [expr {$depth - 1}]
    set not [expr {[chance 25] ? "NOT " : ""}]
    if {[chance 50]} { set k o; set src o } else { set k v; set src %V% }
    set sc [concat $scope [list $s $k]]
    set c [lindex [colof $k $s] 0]
    return "${not}EXISTS (SELECT 1 FROM $src AS $s WHERE $c [cmpop] [cref $scope] AND [pred $sc $d])"
  }
  if {$r < 90} {
    set l1 [cref $scope v]; set l2 [cref $scope]
    if {[chance 30] && $depth > 0 && "vecin" ni $::dt::skip} {
      set s [alias]
      return "($l1, $l2) IN (SELECT [lindex [colof o $s] 0], [lindex [colof o $s] 0] FROM o AS $s)"
    }
    set ops {= < <= > >= != IS {IS NOT}}
    if {"rowvalrange" in $::dt::skip} { set ops {= != IS {IS NOT}} }
    return "($l1, $l2) [pick $ops] ([operand $scope 0], [operand $scope 0])"
  }
  if {$r < 93} {
    return "[pick {{} {NOT } likely unlikely}]([cref $scope])"
  }
  if {$r < 96} {
    # Two columns of the same vtab alias, or a vtab column against an
    # expression of another table (usable only as a join constraint).
    return "[cref $scope v] [cmpop] [cref $scope v]"
  }
  return "[lhs $scope] [cmpop] [wrap [cref $scope]]"
}

# ---- Queries --------------------------------------------------------------

# A FROM clause: returns {sql scope aliases}.
proc dt::gen_from {} {
  variable ctx
  if {$ctx eq "mode" && [chance 8]} {
    # The trash or show=all table joined to the live table of the same base
    # (%L%: the live vtab, and l on the twin's side).
    set j [pick {JOIN {LEFT JOIN}}]
    set left [expr {$j ne "JOIN"}]
    if {[chance 50]} {
      set sc {t1 v t2 lv}
      return [list "%V% AS t1 $j %L% AS t2 ON [join_cond $sc $left]" $sc {t1 t2}]
    }
    set sc {t2 lv t1 v}
    return [list "%L% AS t2 $j %V% AS t1 ON [join_cond $sc $left]" $sc {t2 t1}]
  }
  set r [rnd 100]
  set v "%V% AS t1"
  if {$r < 42} { return [list $v {t1 v} {t1}] }
  set on ""
  if {$r < 55} {
    set sc {t1 v o o}
    return [list "$v [pick {JOIN {INNER JOIN} ,}] o[join_on $sc]" $sc {t1 o}]
  }
  if {$r < 65} {
    set sc {o o t1 v}
    return [list "o [pick {JOIN {INNER JOIN} ,}] $v[join_on $sc]" $sc {o t1}]
  }
  if {$r < 72} {
    set sc {t1 v o o}
    return [list "$v LEFT JOIN o ON [join_cond $sc 1]" $sc {t1 o}]
  }
  if {$r < 80} {
    set sc {o o t1 v}
    return [list "o LEFT JOIN $v ON [join_cond $sc 1]" $sc {o t1}]
  }
  if {$r < 90} {
    set sc {t1 v t2 v}
    if {[chance 25]} {
      variable T
      return [list "$v JOIN %V% AS t2 USING ($T(c,[rnd $T(ncol)],q))" $sc {t1 t2}]
    }
    set j [pick {JOIN {LEFT JOIN}}]
    return [list "$v $j %V% AS t2 ON [join_cond $sc [expr {$j ne "JOIN"}]]" $sc {t1 t2}]
  }
  if {$r < 95} {
    set sc {t1 v o o}
    if {[chance 50]} { return [list "$v CROSS JOIN o" $sc {t1 o}] }
    return [list "o CROSS JOIN $v" $sc {o t1}]
  }
  set sc {t1 v o o t2 v}
  return [list "o JOIN $v ON [join_cond {t1 v o o}] JOIN %V% AS t2 ON [join_cond $sc]" $sc {o t1 t2}]
}
# " ON cond" or, for a comma join, "" (the WHERE gets the condition).
proc dt::join_on {sc} {
  if {[chance 70]} { return " ON [join_cond $sc]" }
  return ""
}
proc dt::join_cond {sc {left 0}} {
  set a [lindex $sc 0]; set b [lindex $sc 2]
  set x [cref [list $a [lindex $sc 1]]]
  set y [cref [lrange $sc 2 3]]
  if {[llength $sc] > 4} { set y [cref [lrange $sc 4 5]] }
  set ops {= = = == IS < >= !=}
  if {"necoll" in $::dt::skip} { set ops {= = = == IS < >=} }
  set c "$x [pick $ops] $y"
  if {[chance 25] && !($left && "leftaux" in $::dt::skip)} {
    append c " [pick {AND OR}] [pred $sc 0]"
  }
  return $c
}

# A query record: dict with sql ncol ordered unstable.
proc dt::gen_query {} {
  variable params; variable nAlias; variable lastLimit
  set params {}
  set nAlias 0
  set lastLimit {}
  set r [rnd 100]
  if {$r < 58} {
    set q [gen_plain]
  } elseif {$r < 80} {
    set q [gen_agg]
  } elseif {$r < 91} {
    set q [gen_distinct]
  } elseif {$r < 96} {
    set q [gen_compound]
  } else {
    set q [gen_const]
  }
  dict set q limit $lastLimit
  return $q
}

# The value of a LIMIT/OFFSET operand (a number or a parameter).
proc dt::limit_value {x} {
  variable params
  if {[string match {$p*} $x]} {
    foreach {n k raw} $params { if {"\$$n" eq $x} { return $raw } }
  }
  # '2' and 2.0 are the integer 2 to SQLite's LIMIT and OFFSET.
  set x [string trim $x ']
  if {[string is double -strict $x]} { set x [expr {entier($x)}] }
  return $x
}

# p's result for q computed without its LIMIT, then sliced in Tcl.
proc dt::sliced_twin {q {offset {}}} {
  variable params
  lassign [dict get $q limit] clause l m
  set sql [dict get $q sql]
  set sql [string range $sql 0 end-[string length $clause]]
  lassign [run [string map {%V% p %L% l} $sql] $params] rc res
  if {$rc} { return [list 1 $res] }
  set ap [expr {[dict exists $q approx] ? [dict get $q approx] : {}}]
  set rows [rows $res [dict get $q ncol] [dict get $q unstable] $ap]
  set l [limit_value $l]; set m [limit_value $m]
  if {$offset ne ""} { set m $offset }
  if {$m < 0} { set m 0 }
  set rows [lrange $rows $m end]
  if {$l >= 0} { set rows [lrange $rows 0 [expr {$l - 1}]] }
  return [list 0 $rows]
}

# Is the vtab's result the twin's ordered result cut at another OFFSET,
# with no scan of the vtab taking LIMIT/OFFSET over (idxNum bit 1)? Then
# SQLite skipped its own OFFSET: 3.51.1 and 3.52.0 do on plain tables too,
# when an index gives the ORDER BY and the WHERE has an EXISTS.
proc dt::host_offset {q sv a} {
  variable params
  if {![dict get $q ordered] || [llength [dict get $q limit]] == 0} { return 0 }
  set plan [join [::dtdb eval "EXPLAIN QUERY PLAN $sv"] " "]
  foreach {- n} [regexp -all -inline {VIRTUAL TABLE INDEX (\d+):} $plan] {
    if {$n & 2} { return 0 }
  }
  lassign [dict get $q limit] clause l m
  set m [limit_value $m]
  if {$m < 0} { set m 0 }
  for {set k 0} {$k < $m} {incr k} {
    lassign [sliced_twin $q $k] rc c
    if {!$rc && $c eq $a} { return 1 }
  }
  return 0
}

proc dt::where_clause {scope {pct 80}} {
  if {[chance $pct]} { return " WHERE [pred $scope 2]" }
  return ""
}

# A LIMIT clause; remembered in lastLimit {clause limit offset} so that a
# difference can be checked against p's own unlimited result (see compare).
proc dt::limit_clause {} {
  variable lastLimit
  set l [pick {0 1 2 3 5 10 -1 1 2}]
  if {[chance 15]} { set l [param i] }
  set r [rnd 100]
  if {$r < 45} {
    set c " LIMIT $l"; set m 0
  } elseif {$r < 85} {
    # Past the end, negative, as text or a real, as a parameter: SQLite
    # skips the rows itself, taking the value only as a hint before 3.51.1.
    set m [pick {0 1 2 5 -1 7 20 1000 '2' 3.0}]
    if {[chance 15]} { set m [param i] }
    set c " LIMIT $l OFFSET $m"
  } else {
    set m [pick {0 1 3}]
    set c " LIMIT $m, $l"
  }
  set lastLimit [list $c $l $m]
  return $c
}

proc dt::dir {} {
  set d [pick {{} {} { ASC} { DESC}}]
  if {[chance 15]} { append d [pick {{ NULLS FIRST} { NULLS LAST}}] }
  return $d
}

proc dt::gen_plain {} {
  variable colls; variable ctx; variable T
  lassign [gen_from] from scope aliases
  set items {}
  set n [expr {1 + [rnd 4]}]
  for {set i 0} {$i < $n} {incr i} {
    set r [rnd 100]
    if {$r < 60} {
      lappend items [cref $scope]
    } elseif {$r < 75} {
      lappend items [wrap [cref $scope]]
    } elseif {$r < 80} {
      lappend items "CASE WHEN [pred $scope 0] THEN 'y' ELSE 'n' END"
    } elseif {$r < 86} {
      set s [alias]
      lappend items "(SELECT count(*) FROM %V% AS $s WHERE [pred [concat $scope [list $s v]] 0])"
    } elseif {$r < 91} {
      lappend items "count(*) OVER (PARTITION BY [cref $scope])"
    } elseif {$r < 94} {
      set ord {}
      foreach a $aliases { lappend ord "$a.rowid" }
      lappend items "row_number() OVER (ORDER BY [join $ord {, }])"
    } else {
      lappend items "[lhs $scope] [cmpop] [operand $scope 0]"
    }
  }
  # A trash or show=all table shows the same columns as p (base columns,
  # marker, operation, actor): "t1.*" must expand alike.
  set ncol $n
  if {$ctx eq "mode" && [chance 12]} {
    lappend items "t1.*"
    incr ncol [expr {$T(ncol) + 2 + ($T(qactor) ne "")}]
  }
  set sql "SELECT [join $items {, }] FROM $from"
  if {[string match "*, o" $from] || [string match "o , *" $from]} {
    set jc [join_cond $scope]
    if {[chance 70]} { set wc " WHERE $jc AND ([pred $scope 2])" } else { set wc " WHERE $jc" }
  } else {
    set wc [where_clause $scope]
    # PARTITION BY suffers like DISTINCT (see order_ok).
    while {[string match *PARTITION* $sql] && ![order_ok $wc]} {
      set wc [where_clause $scope]
    }
  }
  append sql $wc
  set ordered 0
  set alt ""
  if {[chance 55] && [order_ok $sql]} {
    set terms {}; set alts {}
    set k [rnd 4]
    for {set i 0} {$i < $k} {incr i} {
      set r [rnd 100]
      if {$r < 55} {
        set t [cref $scope]
      } elseif {$r < 70} {
        set t "[cref $scope] COLLATE [pick $colls]"
      } elseif {$r < 80} {
        set t [expr {1 + [rnd $n]}]
      } else {
        set t [wrap [cref $scope]]
      }
      set d [dir]
      lappend terms "$t$d"
      if {[string is integer $t]} { set t [lindex $items [expr {$t - 1}]] }
      lappend alts "+($t)$d"
    }
    foreach a $aliases { set d [dir]; lappend terms "$a.rowid$d"; lappend alts "+$a.rowid$d" }
    set alt "$sql ORDER BY [join $alts {, }]"
    append sql " ORDER BY [join $terms {, }]"
    set ordered 1
    if {[chance 55] && ![limit_hazard $from $wc]} {
      set lc [limit_clause]
      append sql $lc; append alt $lc
    }
  }
  return [dict create sql $sql ncol $ncol ordered $ordered unstable {} alt $alt]
}

proc dt::agg_expr {scope} {
  set x [cref $scope]
  if {[chance 20]} { set x [wrap $x] }
  set r [rnd 100]
  if {$r < 20} { return [list "count(*)" 0] }
  if {$r < 32} { return [list "count($x)" 0] }
  if {$r < 42} { return [list "count(DISTINCT $x)" 0] }
  if {$r < 54} { return [list "sum($x)" 0 1] }
  if {$r < 62} { return [list "total($x)" 0 1] }
  if {$r < 70} { return [list "avg($x)" 0 1] }
  if {$r < 85} { return [list "min($x)" 1] }
  return [list "max($x)" 1]
}

proc dt::gen_agg {} {
  variable colls
  lassign [gen_from] from scope aliases
  set keys {}
  set nk [rnd 3]
  for {set i 0} {$i < $nk} {incr i} {
    set k [cref $scope]
    set r [rnd 100]
    if {$r < 20} { set k "$k COLLATE [pick $colls]" } elseif {$r < 30} { set k [wrap $k] }
    lappend keys $k
  }
  set items {}; set unstable {}
  set i 0
  foreach k $keys { lappend items $k; lappend unstable $i; incr i }
  set na [expr {1 + [rnd 3]}]
  set stableAggs {}
  set approx {}
  for {set j 0} {$j < $na} {incr j} {
    lassign [agg_expr $scope] e u a
    lappend items $e
    if {$u} { lappend unstable $i } else { lappend stableAggs $e }
    if {$a ne ""} { lappend approx $i }
    incr i
  }
  set sql "SELECT [join $items {, }] FROM $from"
  if {[string match "*, o" $from] || [string match "o , *" $from]} {
    append sql " WHERE [join_cond $scope]"
  } else {
    set w [where_clause $scope 70]
    while {![order_ok $w]} { set w [where_clause $scope 70] }
    append sql $w
  }
  # alt: the same query grouped and sorted by +(key), see compare.
  set alt $sql
  if {[llength $keys]} {
    append sql " GROUP BY [join $keys {, }]"
    set gk {}
    foreach k $keys { lappend gk "+($k)" }
    append alt " GROUP BY [join $gk {, }]"
  }
  if {[chance 30]} {
    set h [pick [list "count(*)" "sum([cref $scope])" "count(DISTINCT [cref $scope])" "total([cref $scope])"]]
    set h " HAVING $h [pick {> >= < = !=}] [pick {0 1 2 3 5}]"
    append sql $h; append alt $h
  }
  set ordered 0
  if {![llength $keys]} { set alt "" }
  if {[llength $keys] && [chance 50] && [order_ok $sql]} {
    set terms {}; set alts {}
    if {[llength $stableAggs] && [chance 30]} {
      set t [pick $stableAggs]; set d [dir]
      lappend terms "$t$d"; lappend alts "+($t)$d"
    }
    foreach k [shuffle $keys] { set d [dir]; lappend terms "$k$d"; lappend alts "+($k)$d" }
    append alt " ORDER BY [join $alts {, }]"
    append sql " ORDER BY [join $terms {, }]"
    set ordered 1
    if {[chance 50]} { set lc [limit_clause]; append sql $lc; append alt $lc }
  } elseif {![llength $keys]} {
    set ordered 1
    if {[chance 10]} { append sql [limit_clause] }
  }
  return [dict create sql $sql ncol [llength $items] ordered $ordered \
      unstable $unstable approx $approx alt $alt]
}

proc dt::shuffle {list} {
  set out {}
  while {[llength $list]} {
    set i [rnd [llength $list]]
    lappend out [lindex $list $i]
    set list [lreplace $list $i $i]
  }
  return $out
}

proc dt::gen_distinct {} {
  lassign [gen_from] from scope aliases
  set items {}
  set n [expr {1 + [rnd 3]}]
  set unstable {}
  for {set i 0} {$i < $n} {incr i} {
    set x [cref $scope]
    if {[chance 20]} { set x [wrap $x] }
    lappend items $x
    lappend unstable $i
  }
  set sql "SELECT DISTINCT [join $items {, }] FROM $from"
  if {[string match "*, o" $from] || [string match "o , *" $from]} {
    append sql " WHERE [join_cond $scope]"
  } else {
    # No "c IS CAST(5 AS REAL)": see order_ok (DISTINCT is dropped too).
    set w [where_clause $scope]
    while {![order_ok $w]} { set w [where_clause $scope] }
    append sql $w
  }
  set ordered 0
  set alt ""
  if {[chance 50] && [order_ok $sql]} {
    set terms {}; set alts {}
    foreach x [shuffle $items] { set d [dir]; lappend terms "$x$d"; lappend alts "+($x)$d" }
    set alt "$sql ORDER BY [join $alts {, }]"
    append sql " ORDER BY [join $terms {, }]"
    set ordered 1
    if {[chance 50]} { set lc [limit_clause]; append sql $lc; append alt $lc }
  }
  return [dict create sql $sql ncol $n ordered $ordered unstable $unstable alt $alt]
}

proc dt::gen_compound {} {
  set op [pick {UNION {UNION ALL} EXCEPT INTERSECT}]
  if {[chance 35]} {
    # Constant arms: a LIMIT/OFFSET without ORDER BY has one right answer.
    set op [pick {{UNION ALL} {UNION ALL} UNION}]
    set w1 [where_clause {t1 v}]
    set s1 "SELECT 'v1' FROM %V% AS t1$w1"
    set w2 ""
    if {[chance 50]} {
      set s2 "SELECT 'o' FROM o[where_clause {o o}]"
    } else {
      set w2 [where_clause {t2 v}]
      set s2 "SELECT 'v2' FROM %V% AS t2$w2"
    }
    if {[chance 50]} { lassign [list $s2 $s1] s1 s2 }
    set sql "$s1 $op $s2"
    if {![limit_hazard "%V% AS t1" $w1]
     && ![limit_hazard "%V% AS t1" [string map {t2. t1.} $w2]]} {
      set lc [limit_clause]
      if {"compoundoffset" in $::dt::skip} {
        # SQLite 3.38-3.4x pushes a compound's OFFSET into its first arm.
        set lc " LIMIT [lindex $::dt::lastLimit 1]"
        set ::dt::lastLimit [list $lc [lindex $::dt::lastLimit 1] 0]
      }
      append sql $lc
    }
    return [dict create sql $sql ncol 1 ordered 0 unstable {}]
  }
  set s1 "SELECT [cref {t1 v}] FROM %V% AS t1[where_clause {t1 v}]"
  if {[chance 50]} {
    set s2 "SELECT [cref {o o}] FROM o[where_clause {o o}]"
  } else {
    set s2 "SELECT [cref {t2 v}] FROM %V% AS t2[where_clause {t2 v}]"
  }
  if {[chance 50]} { lassign [list $s2 $s1] s1 s2 }
  set unstable [expr {$op eq "UNION ALL" ? {} : {0}}]
  return [dict create sql "$s1 $op $s2" ncol 1 ordered 0 unstable $unstable]
}

# SQLite (3.40 and 3.52) drops an ORDER BY term, a DISTINCT, a PARTITION BY,
# on a column that the WHERE clause sets equal to a constant, even when
# "c IS CAST(5 AS REAL)" holds for several different values of c ('5', '05',
# 5.0): p's rows then come out unsorted, or repeated. A host bug, not the
# vtab's: such queries get no ORDER BY, DISTINCT or GROUP BY.
proc dt::order_ok {sql} {
  expr {![regexp {CAST\([^()]* AS (INTEGER|REAL|NUMERIC)\)} $sql]}
}

# A single-table query selecting constants: LIMIT/OFFSET without ORDER BY
# has one right answer (how many rows), so the pushdown is checked too.
proc dt::gen_const {} {
  set w [where_clause {t1 v}]
  set sql "SELECT 'x', [pick {1 NULL 2.5 x'00'}] FROM %V% AS t1$w"
  if {![limit_hazard "%V% AS t1" $w]} { append sql [limit_clause] }
  return [dict create sql $sql ncol 2 ordered 0 unstable {}]
}

# With -skip limitself: no LIMIT on a single-vtab query whose WHERE names
# t1 more than once (a term SQLite 3.38-3.4x keeps from xBestIndex while
# still offering LIMIT: x = y + 1, correlated subqueries).
proc dt::limit_hazard {from where} {
  if {$from ne "%V% AS t1"} { return 0 }
  if {"existsoffset" in $::dt::skip && [string match "*EXISTS*" $where]} { return 1 }
  if {"limitself" ni $::dt::skip} { return 0 }
  expr {[regexp -all {t1\.} $where] > 1}
}

# ---- One seed -------------------------------------------------------------

# Build the schema and data for the current seed, for a table under test of
# the given mode (live, deleted, all). Returns "" or a difference.
proc dt::setup {mode} {
  variable T; variable O; variable lib; variable log; variable params
  variable nIdx 0
  variable colnames; variable ctx
  array unset T; array unset O
  set T(mode) $mode
  set T(qop) ""; set T(actor) ""; set T(qactor) ""
  set T(X) {}
  set ctx live
  catch {::dtdb close}
  sqlite3 ::dtdb :memory:
  ::dtdb enable_load_extension 1
  ::dtdb nullvalue $::dt::NULLV
  set log ".load $lib\n"
  ::dtdb eval {SELECT load_extension($lib)}

  set T(csl) [chance 10]
  if {$T(csl)} { exec "PRAGMA case_sensitive_like = 1" }
  if {[chance 10]} { exec "PRAGMA reverse_unordered_selects = 1" }

  # The other table.
  set odefs [gen_cols O [expr {2 + [rnd 2]}] {x y z} 0]
  exec "CREATE TABLE o($odefs)"
  set n [rnd 13]
  for {set r 1} {$r <= $n} {incr r} {
    set vals {}
    for {set i 0} {$i < $O(ncol)} {incr i} { lappend vals [lit] }
    exec "INSERT INTO o(rowid, [ocols]) VALUES($r, [join $vals {, }])"
  }
  if {[chance 40]} {
    exec "CREATE INDEX oi ON o($O(c,[rnd $O(ncol)],q)[expr {[chance 30] ? " COLLATE NOCASE" : ""}])"
  }

  # The base, the vtab and the twin. T(qw) is the live table, which every
  # write that soft-deletes goes through; T(qv) is the table the queries
  # read (%V%): the live table itself, or a show=deleted|all table.
  set T(base) [pick {b b b {bâse} {base tbl} {order}}]
  set T(qb) [qi $T(base)]
  set T(vtab) [pick {v v v {v t} vé {select}}]
  set T(qv) [qi $T(vtab)]
  set T(qw) $T(qv)
  set T(marker) [pick {deleted_at deleted_at deleted_at {gone at}}]
  set T(qm) [qi $T(marker)]
  set T(qop) [qi "$T(marker)_op"]
  set fmt [pick {{} {} datetime unixepoch unixepoch_ms julianday boolean}]
  # The live value (side stream, see live_choice): it may change the format,
  # the marker's name and declared type, and whether the base has it.
  set fmt [live_choice $fmt]
  set mtype [expr {$fmt in {{} datetime} ? "TEXT" : ($fmt eq "julianday" ? "REAL" : "INTEGER")}]
  if {$T(mtypeov) ne ""} { set mtype $T(mtypeov) }
  set T(maff) [affinity $mtype]
  set defs [gen_cols T [expr {3 + [rnd 4]}] $colnames]
  set T(defs) $defs
  set T(mtype) $mtype
  set T(fmt) $fmt
  if {$mode ne "live"} {
    # Sometimes an actor column; the trash or show=all table's name.
    if {[chance 40]} {
      set T(actor) [pick {deleted_by deleted_by {who "by} actor}]
      set T(qactor) [qi $T(actor)]
    }
    set T(allq) {}
    for {set i 0} {$i < $T(ncol)} {incr i} { lappend T(allq) $T(c,$i,q) }
    lappend T(allq) $T(qm) $T(qop)
    if {$T(qactor) ne ""} { lappend T(allq) $T(qactor) }
    set T(mvtab) [pick [dict get {deleted {trash trash {t rash} deleted} all {a a {a ll} all}} $mode]]
    # The deletion clock is pinned and moved on by the tester (see wstep),
    # so that markers replay; the actor is set now and then.
    set T(clock) [expr {1714564800000 + [rnd 1000]}]
    set T(actorval) NULL
    set T(state) {}
  }
  if {$T(mhas)} {
    # The marker is already in the base (an adopted table), after the
    # columns, before a PRIMARY KEY(...) table constraint.
    set md "$T(qm) $mtype$T(mclause)"
    if {[regexp {^(.*), (PRIMARY KEY\([^()]*\))$} $defs -> cd tc]} {
      exec "CREATE TABLE $T(qb)($cd, $md, $tc)"
    } else {
      exec "CREATE TABLE $T(qb)($defs, $md)"
    }
  } else {
    exec "CREATE TABLE $T(qb)($defs)"
  }
  exec "CREATE TABLE p($defs)"
  # An index made before the vtab exists (not on the marker).
  if {[chance 30]} {
    set t [gen_index]
    if {![string match *$T(qm)* $t] && [string first $T(qop) $t] < 0
        && ($T(qactor) eq "" || [string first $T(qactor) $t] < 0)} {
      set d [make_index $t]; if {$d ne ""} { return $d }
    }
  }
  set args $T(qb)
  if {$T(marker) ne "deleted_at"} { append args ", column=$T(qm)" }
  if {$fmt ne ""} { append args ", format=$fmt" }
  if {$T(liveopt) ne ""} { append args ", $T(liveopt)" }
  if {$T(retain)} { append args ", retain='100 days'" }
  if {$T(actor) ne ""} { append args ", actor=$T(qactor)" }
  exec "CREATE VIRTUAL TABLE $T(qw) USING softdelete($args)"
  if {$mode ne "live"} {
    # The options are taken from the live table; repeating them is allowed.
    set margs "$T(qb), show=$mode"
    if {$T(marker) ne "deleted_at" && [chance 30]} { append margs ", column=$T(qm)" }
    if {$fmt ne "" && [chance 30]} { append margs ", format=$fmt" }
    if {$T(actor) ne "" && [chance 30]} { append margs ", actor=$T(qactor)" }
    if {$T(liveopt) ne "" && [chance 30]} { append margs ", $T(liveopt)" }
    set T(qv) [qi $T(mvtab)]
    exec "CREATE VIRTUAL TABLE $T(qv) USING softdelete($margs)"
    exec "SELECT sd_clock([qs [clock_text]])"
  }
  # The twins' marker defaults to the live value: their live rows hold it,
  # as the live table's hidden marker reads it.
  set mdflt [expr {$T(live) eq "NULL" ? "" : " DEFAULT $T(live)"}]
  exec "ALTER TABLE p ADD COLUMN $T(qm) $mtype$mdflt"
  exec "ALTER TABLE p ADD COLUMN [qi "$T(marker)_op"] INTEGER"
  if {$T(actor) ne ""} { exec "ALTER TABLE p ADD COLUMN $T(qactor)" }
  # q: p without indexes. Writes are mirrored on it; when p and the vtab
  # differ, it gives a second opinion (see compare).
  qexec "CREATE TABLE q($defs)"
  qexec "ALTER TABLE q ADD COLUMN $T(qm) $mtype$mdflt"
  qexec "ALTER TABLE q ADD COLUMN [qi "$T(marker)_op"] INTEGER"
  if {$T(actor) ne ""} { qexec "ALTER TABLE q ADD COLUMN $T(qactor)" }
  if {$mode eq "live"} {
    # Writes through the live table are mirrored on p and q.
    set T(wp) p; set T(wq) q
  } else {
    # l: the live table's twin (no indexes), which the writes are mirrored
    # on; p and q are copied from the base after each write, once its
    # deleted rows are checked (see after_write).
    exec "CREATE TABLE l($defs)"
    exec "ALTER TABLE l ADD COLUMN $T(qm) $mtype$mdflt"
    exec "ALTER TABLE l ADD COLUMN [qi "$T(marker)_op"] INTEGER"
    if {$T(actor) ne ""} { exec "ALTER TABLE l ADD COLUMN $T(qactor)" }
    set T(wp) l; set T(wq) ""
    set T(rowvals) {}
    set T(rv,m) {}; set T(rv,op) {}; set T(rv,actor) {}
  }
  # The index the extension made on the base (the operation's), on p too.
  set bn $T(base)
  set k 0
  foreach sql [::dtdb eval {
    SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $bn
       AND name LIKE 'sd\_%' ESCAPE '\' ORDER BY name
  }] {
    set re {^CREATE INDEX "(?:[^"]|"")*" ON "(?:[^"]|"")*"\(}
    if {![regsub $re $sql "CREATE INDEX [qi pi_sd[incr k]] ON p(" sp]} {
      error "unexpected index on the base: $sql"
    }
    exec $sp
  }
  # The base took the marker, operation (and actor) columns as p did; a
  # trash or show=all table declares exactly p's columns, all visible.
  set d [same_columns $T(base) p]
  if {$d ne ""} { return $d }
  if {$mode ne "live"} {
    set d [same_columns $T(mvtab) p 1]
    if {$d ne ""} { return $d }
  }
  for {set i [rnd 4]} {$i > 0} {incr i -1} {
    set d [make_index [gen_index]]
    if {$d ne ""} { return $d }
  }

  # Rows.
  set nrow [rnd 61]
  set rowids {}
  set r0 [pick {0 0 0 -6 100}]
  for {set i 0} {$i < $nrow} {incr i} {
    incr r0 [expr {1 + ([chance 20] ? [rnd 5] : 0)}]
    if {$r0 == 0 && "rowid0" in $::dt::skip} { incr r0 }
    lappend rowids $r0
  }
  set viaV [chance 50]
  set batch {}
  foreach rid $rowids {
    lappend batch $rid [row_values $rid]
    if {[llength $batch] >= 2 * (1 + [rnd 8]) || $rid == [lindex $rowids end]} {
      set d [wstep insert_rows $batch $viaV]
      if {$d ne ""} { return $d }
      set batch {}
      if {[chance 30]} { set viaV [expr {!$viaV}] }
    }
  }
  set T(maxrowid) [expr {$nrow ? [lindex $rowids end] : 0}]

  # Delete about 20% through the vtab (more when the trash is read).
  set pct [dict get {live 20 deleted 40 all 30} $mode]
  set del {}
  foreach rid $rowids { if {[chance $pct]} { lappend del $rid } }
  while {[llength $del]} {
    set k [expr {1 + [rnd 4]}]
    set some [lrange $del 0 [expr {$k-1}]]
    set del [lrange $del $k end]
    set params {}
    if {[llength $some] == 1 && [chance 50]} {
      set d [wstep both "DELETE FROM %V% WHERE rowid = [lindex $some 0]" {}]
    } else {
      set d [wstep both "DELETE FROM %V% WHERE rowid IN ([join $some {, }])" {}]
    }
    if {$d ne ""} { return $d }
  }

  # Random writes, mirrored. With a trash: restores and purges through it
  # too; with a trash or show=all table, writes it must refuse.
  set nw [rnd 5]
  if {$mode ne "live"} { incr nw [rnd 5] }
  for {set i $nw} {$i > 0} {incr i -1} {
    if {$mode eq "deleted" && [chance 40]} {
      set d [wstep trash_write]
    } else {
      set d [wstep random_write]
    }
    if {$d ne ""} { return $d }
  }
  if {$mode ne "live"} {
    for {set i [expr {1 + [rnd 2]}]} {$i > 0} {incr i -1} {
      set d [wstep refused_write]
      if {$d ne ""} { return $d }
    }
  }
  set d [check_contents]
  if {$d ne ""} { return $d }

  # More indexes, now that the data is there.
  for {set i [rnd 3]} {$i > 0} {incr i -1} {
    set r [rnd 100]
    if {$r < 60} {
      set d [make_index [gen_index 1]]
    } else {
      set d [sd_index_both [expr {$r < 80}]]
    }
    if {$d ne ""} { return $d }
  }
  if {[chance 30]} { exec "ANALYZE" }
  return ""
}

# The live value for the seed, drawn from the side stream (srnd), so that a
# seed that keeps NULL replays exactly as before live= existed. -live (the
# variable live) forces a kind; mix: NULL 60%, then gorm (live=0 with
# format=unixepoch or unixepoch_ms, now and then live=0.0 with julianday),
# flag (format=boolean, live=0: is_deleted), active (format=active, live 1)
# and text (live='no' or another text, with a time format). Sets T(lkind),
# T(live) (an SQL literal), T(liveq) (as base_state shows it), T(liveopt)
# (the option text, "" for none), T(mhas), T(mclause) (the marker declared
# in the base's CREATE TABLE, or added by CREATE VIRTUAL TABLE), T(mdef)
# (the base's marker has DEFAULT <live>), T(mtypeov) (a declared type other
# than the format's), T(retain) (retain='100 days'). Returns the format.
proc dt::live_choice {fmt} {
  variable T; variable live
  set r [srnd 100]
  set k $live
  if {$k eq "mix"} {
    set k [expr {$r < 60 ? "null" : $r < 72 ? "gorm" : $r < 80 ? "flag" : $r < 88 ? "active" : "text"}]
  }
  set T(lkind) $k
  set T(live) NULL; set T(liveopt) ""; set T(mhas) 0; set T(mclause) ""
  set T(mdef) 0; set T(mtypeov) ""; set T(retain) 0
  if {$k ne "null"} {
    switch -- $k {
      gorm {
        if {$fmt ni {unixepoch unixepoch_ms}} { set fmt [spick {unixepoch unixepoch_ms}] }
        set T(live) 0
        if {[srnd 100] < 15} { set fmt julianday; set T(live) 0.0 }
        set T(liveopt) "live=$T(live)"
      }
      flag {
        set fmt boolean
        set T(live) 0
        set T(liveopt) [spick {live=0 live=0 {live = 0} live=+0}]
        if {[srnd 100] < 40} { set T(marker) is_deleted }
        # A flag declared BOOLEAN (NUMERIC affinity), when in the base.
        if {[srnd 100] < 30} { set T(mtypeov) BOOLEAN }
      }
      active {
        set fmt active
        set T(live) 1
        set T(liveopt) [spick {{} {} live=1}]
        if {[srnd 100] < 40} { set T(marker) [spick {active enabled}] }
      }
      text {
        if {$fmt eq "boolean"} { set fmt [spick {{} datetime unixepoch}] }
        set T(live) [qs [spick {no no live {} it's}]]
        set T(liveopt) "live=$T(live)"
      }
      default { error "unknown live kind $k" }
    }
    set T(qm) [qi $T(marker)]
    set T(qop) [qi "$T(marker)_op"]
    # The marker: added by CREATE VIRTUAL TABLE (with DEFAULT <live>), or
    # already in the base, NOT NULL or not, with the DEFAULT or without.
    set r [srnd 100]
    if {$r < 40} {
      set T(mdef) 1
    } else {
      set T(mhas) 1
      if {$r < 65} {
        set T(mclause) " NOT NULL DEFAULT $T(live)"; set T(mdef) 1
      } elseif {$r < 75} {
        set T(mclause) " DEFAULT $T(live)"; set T(mdef) 1
      } elseif {$r < 90} {
        set T(mclause) ""
      } else {
        set T(mclause) " NOT NULL"
      }
    }
    if {!$T(mhas)} { set T(mtypeov) "" }
    if {$fmt ni {boolean active} && [srnd 100] < 30} { set T(retain) 1 }
  }
  set T(livek) [string index [tag [::dtdb onecolumn "SELECT $T(live)"]] 0]
  set T(liveraw) [::dtdb onecolumn "SELECT $T(live)"]
  set T(liveq) [::dtdb onecolumn "SELECT CASE typeof(x) WHEN 'real' THEN printf('r%!.17g', x) ELSE quote(x) END FROM (SELECT $T(live) AS x)"]
  return $fmt
}

# " IS <live>" (or " IS NOT <live>") for a WHERE on the marker.
proc dt::islive {{not ""}} {
  variable T
  return " IS ${not}$T(live)"
}

# Columns of table a (pragma_table_xinfo: name, type, hidden) must be those
# of b; with hidden, checked too, else only name and type.
proc dt::same_columns {a b {hidden 0}} {
  set h [expr {$hidden ? ", hidden" : ""}]
  set ca [::dtdb eval "SELECT name, type$h FROM pragma_table_xinfo([qs $a])"]
  set cb [::dtdb eval "SELECT name, type$h FROM pragma_table_xinfo([qs $b])"]
  if {$ca ne $cb} {
    return "columns of [qi $a] differ from those of [qi $b] (pragma_table_xinfo)\n  [qi $a]: $ca\n  [qi $b]: $cb"
  }
  return ""
}

# The pinned deletion clock as text (UTC, milliseconds).
proc dt::clock_text {} {
  variable T
  set s [expr {$T(clock) / 1000}]
  return "[clock format $s -format {%Y-%m-%d %H:%M:%S} -gmt 1].[format %03d [expr {$T(clock) % 1000}]]"
}

proc dt::ocols {} {
  variable O
  set l {}
  for {set i 0} {$i < $O(ncol)} {incr i} { lappend l $O(c,$i,q) }
  join $l {, }
}
proc dt::tcols {} {
  variable T
  set l {}
  for {set i 0} {$i < $T(ncol)} {incr i} { lappend l $T(c,$i,q) }
  join $l {, }
}

# Literal values for a row with rowid rid (the pk column follows the rowid).
proc dt::row_values {rid} {
  variable T
  set vals {}
  for {set i 0} {$i < $T(ncol)} {incr i} {
    if {$i == $T(pk)} {
      switch -- $T(pkkind) {
        textpk  { lappend vals [qs "k$rid"] }
        default { lappend vals $rid }
      }
    } else {
      lappend vals [lit]
    }
  }
  return $vals
}

# Insert rows ({rowid values} pairs) through the base or the vtab, and into p.
proc dt::insert_rows {batch viaV} {
  variable T
  set ipk [expr {$T(pkkind) in {ipk ipkt}}]
  set rows {}; set rids {}
  foreach {rid vals} $batch {
    if {$ipk} { lappend rows "([join $vals {, }])" } else { lappend rows "($rid, [join $vals {, }])" }
    lappend rids $rid
  }
  set cols [expr {$ipk ? [tcols] : "rowid, [tcols]"}]
  set tbl [expr {$viaV ? $T(qw) : $T(qb)}]
  set wrows $rows
  if {$T(live) ne "NULL" && (!$viaV && (!$T(mdef) || [chance 50]) || $viaV && [chance 15])} {
    # The marker named: through the base a live row must hold the live
    # value (the column may have no DEFAULT); the live table accepts the
    # live value. Through the base, now and then a row deleted by hand (a
    # deletion value, no operation id): the twin of the live table does
    # not get it (T(X), see after_write).
    set brows {}; set wrows {}
    foreach row $rows rid $rids {
      if {!$viaV && [chance 8]} {
        lappend brows "[string range $row 0 end-1], [hand_marker])"
        lappend T(X) $rid
      } else {
        lappend brows "[string range $row 0 end-1], $T(live))"
        lappend wrows $row
      }
    }
    set rows $brows
    append cols ", $T(qm)"
  }
  if {$viaV && [chance 50]} {
    # One row per statement through the vtab.
    foreach row $rows { exec "INSERT INTO ${tbl}($cols) VALUES$row" }
  } else {
    exec "INSERT INTO ${tbl}($cols) VALUES[join $rows {, }]"
  }
  if {[llength $wrows]} {
    set cols [expr {$ipk ? [tcols] : "rowid, [tcols]"}]
    exec "INSERT INTO $T(wp)($cols) VALUES[join $wrows {, }]"
    if {$T(wq) ne ""} { qexec "INSERT INTO $T(wq)($cols) VALUES[join $wrows {, }]" }
  }
  return ""
}

# The marker of a row deleted by hand before softdelete came (no operation
# id): a deletion time of the table's format, 1 for boolean, 0 for active,
# sometimes another text with a text live value.
proc dt::hand_marker {} {
  variable T
  if {$T(livek) eq "t" && [chance 25]} { return [qs [pick {yes deleted}]] }
  return [fmt_time [pick {1700000000 1714521599}]]
}

# A time (Unix seconds) as a marker literal of the table's format.
proc dt::fmt_time {secs} {
  variable T
  switch -- $T(fmt) {
    {} - datetime { return [qs "[clock format $secs -format {%Y-%m-%d %H:%M:%S} -gmt 1].000"] }
    unixepoch     { return $secs }
    unixepoch_ms  { return [expr {$secs * 1000}] }
    julianday     { return [format %.17g [expr {$secs / 86400.0 + 2440587.5}]] }
    boolean       { return 1 }
    active        { return 0 }
  }
  error "unknown format $T(fmt)"
}

# One random write through the vtab, mirrored on p.
proc dt::random_write {} {
  variable T; variable params; variable nAlias 0; variable O
  set params {}
  # With a live value not NULL: sd_purge and sd_purge_expired, which must
  # remove deleted rows only, whatever the live value compares to.
  if {$T(live) ne "NULL" && [chance 12]} { return [purge_write] }
  if {$T(mode) ne "live" && [chance 10]} {
    # Live rows chosen by reading the trash or show=all table (%M%; p on
    # the twin's side) in the same statement.
    set c $T(c,[rnd $T(ncol)],q)
    set sub "SELECT s.$T(c,[rnd $T(ncol)],q) FROM %M% AS s"
    if {[chance 50]} {
      set sub "SELECT s.rowid FROM %M% AS s ORDER BY s.$T(qm)[dir], s.rowid LIMIT [pick {1 3 10}]"
      set c rowid
    }
    if {[chance 60]} {
      return [both_where "DELETE FROM %V%" "$c IN ($sub)" $params]
    }
    set c2 [rnd $T(ncol)]
    if {$c2 == $T(pk)} { return "" }
    return [both_where "UPDATE %V% SET $T(c,$c2,q) = [lit]" "$c IN ($sub)" $params]
  }
  set r [rnd 100]
  set scope [list %V% v]
  if {$r < 6} {
    # A page of the rows, chosen by a subselect on the vtab itself.
    set c [rnd $T(ncol)]
    set page "rowid IN (SELECT rowid FROM %V% ORDER BY $T(c,$c,q)[dir], rowid\
              LIMIT [pick {1 2 3 5}] OFFSET [pick {0 1 2 4 9 1000}])"
    if {[chance 50] || $c == $T(pk)} {
      return [both_where "DELETE FROM %V%" $page $params]
    }
    return [both_where "UPDATE %V% SET $T(c,$c,q) = [lit]" $page $params]
  }
  if {$r < 25} {
    return [both_where "DELETE FROM %V%" [pred $scope 1] $params]
  }
  if {$r < 55} {
    set sets {}
    set n [expr {1 + [rnd 2]}]
    for {set i 0} {$i < $n} {incr i} {
      set c [rnd $T(ncol)]
      if {$c == $T(pk)} continue
      set r2 [rnd 100]
      if {$r2 < 50} { set e [lit] } elseif {$r2 < 70} { set e [param] } \
        elseif {$r2 < 85} { set e "%V%.$T(c,[rnd $T(ncol)],q)" } else { set e [wrap "%V%.$T(c,[rnd $T(ncol)],q)"] }
      lappend sets "$T(c,$c,q) = $e"
    }
    # The live table accepts the marker set to the live value (ORMs write
    # every column); the twin's holds it already.
    if {$T(live) ne "NULL" && [chance 20]} { lappend sets "$T(qm) = $T(live)" }
    if {![llength $sets]} { return "" }
    return [both_where "UPDATE %V% SET [join $sets {, }]" [pred $scope 1] $params]
  }
  if {$r < 70} {
    # INSERT ... SELECT from o, with fresh rowids.
    set base [expr {$T(maxrowid) + 10}]
    set T(maxrowid) [expr {$base + 20}]
    set vals {}
    for {set i 0} {$i < $T(ncol)} {incr i} {
      if {$i == $T(pk)} {
        if {$T(pkkind) eq "textpk"} { lappend vals "'k' || (o.rowid + $base)" } else { lappend vals "o.rowid + $base" }
      } else {
        set r2 [rnd 100]
        if {$r2 < 60} { lappend vals "o.$O(c,[rnd $O(ncol)],q)" } elseif {$r2 < 80} { lappend vals [lit] } else { lappend vals [wrap "o.$O(c,[rnd $O(ncol)],q)"] }
      }
    }
    set ipk [expr {$T(pkkind) in {ipk ipkt}}]
    set cols [expr {$ipk ? [tcols] : "rowid, [tcols]"}]
    set sel [expr {$ipk ? [join $vals {, }] : "o.rowid + $base, [join $vals {, }]"}]
    if {$T(live) ne "NULL" && [chance 20]} { append cols ", $T(qm)"; append sel ", $T(live)" }
    return [both "INSERT INTO %V%($cols) SELECT $sel FROM o[where_clause {o o} 50]" $params]
  }
  set live [::dtdb eval "SELECT rowid FROM $T(wp) ORDER BY rowid"]
  set dead [::dtdb eval "SELECT rowid FROM $T(qb) WHERE $T(qm) IS NOT $T(live) ORDER BY rowid"]
  if {$r < 80} {
    if {![llength $live]} { return "" }
    set rid [pick $live]
    set ipk [expr {$T(pkkind) in {ipk ipkt}}]
    set cols [expr {$ipk ? [tcols] : "rowid, [tcols]"}]
    set vals [row_values $rid]
    if {!$ipk} { set vals [linsert $vals 0 $rid] }
    if {$T(live) ne "NULL" && [chance 20]} { append cols ", $T(qm)"; lappend vals $T(live) }
    return [both "INSERT OR REPLACE INTO %V%($cols) VALUES([join $vals {, }])" {}]
  }
  if {$r < 92} {
    if {![llength $dead]} { return "" }
    set rid [pick $dead]
    set call "sd_restore([qs $T(vtab)], $rid)"
    if {$T(mode) ne "live"} {
      # The functions take the trash or show=all table's name too; the
      # third argument (cascade or not) makes no difference without keys.
      set call "sd_restore([qs [pick [list $T(vtab) $T(mvtab)]]], $rid[pick {{} {, 0} {, 1}}])"
    }
    set got [exec "SELECT $call"]
    if {$got ne "1"} { return "$call returned $got, expected 1" }
    if {$T(mode) eq "live"} {
      exec "INSERT INTO p(rowid, [tcols]) SELECT rowid, [tcols] FROM $T(qb) WHERE rowid = $rid"
      qexec "INSERT INTO q(rowid, [tcols]) SELECT rowid, [tcols] FROM $T(qb) WHERE rowid = $rid"
    } else {
      # p holds the row as it was deleted (checked by after_write).
      exec "INSERT INTO l(rowid, [tcols]) SELECT rowid, [tcols] FROM p WHERE rowid = $rid"
    }
    lappend T(R) $rid
    return ""
  }
  set all [concat $live $dead]
  if {![llength $all]} { return "" }
  set rid [pick $all]
  set call "sd_hard_delete([qs $T(vtab)], $rid)"
  if {$T(mode) ne "live"} {
    set call "sd_hard_delete([qs [pick [list $T(vtab) $T(mvtab)]]], $rid)"
  }
  set got [exec "SELECT $call"]
  if {$got ne "1"} { return "$call returned $got, expected 1" }
  exec "DELETE FROM $T(wp) WHERE rowid = $rid"
  if {$T(wq) ne ""} { qexec "DELETE FROM $T(wq) WHERE rowid = $rid" }
  lappend T(H) $rid
  return ""
}

# ---- Trash and show=all tables ------------------------------------------
#
# With a trash (show=deleted) or show=all table under test, writes go
# through the live table and are mirrored on l by rowid, as in live mode;
# restores and purges go through the trash. p and q must then hold the rows
# the table under test shows, including the marker, operation and actor
# values that the extension chose. They cannot be predicted, so after each
# write (wstep) the deleted rows of the base are checked against what the
# write implies (after_write), and only then are p and q copied from the
# base (resync).

# The base's columns in the order a trash or show=all table shows them.
proc dt::allcols {} {
  variable T
  return [join $T(allq) {, }]
}

# The base as a dict: rowid -> values of allcols as SQL literals (quote(),
# reals to 17 digits with an "r" before them), NULL for NULL.
proc dt::base_state {} {
  variable T
  set ex {}
  foreach c $T(allq) {
    lappend ex "CASE typeof($c) WHEN 'real' THEN printf('r%!.17g', $c) ELSE quote($c) END"
  }
  set w [expr {[llength $ex] + 1}]
  set st [dict create]
  set row {}
  foreach v [::dtdb eval "SELECT rowid, [join $ex {, }] FROM $T(qb) ORDER BY rowid"] {
    lappend row $v
    if {[llength $row] == $w} {
      dict set st [lindex $row 0] [lrange $row 1 end]
      set row {}
    }
  }
  return $st
}

proc dt::lminus {a b} {
  set out {}
  foreach x $a { if {$x ni $b} { lappend out $x } }
  return $out
}

# Run one write ({*}args returns "" or a difference). In live mode just
# that; otherwise the clock moves on (or not: deletes at one pinned time
# are still separate operations), the actor changes now and then, and the
# base is checked afterwards. T(R), T(P), T(H): rowids the write restored,
# purged, hard-deleted.
proc dt::wstep {args} {
  variable T
  if {$T(mode) eq "live"} { return [{*}$args] }
  if {[chance 70]} {
    incr T(clock) [pick {1 250 999 1000 60000 86400000 3}]
    exec "SELECT sd_clock([qs [clock_text]])"
  }
  if {$T(actor) ne "" && [chance 25]} {
    # As quote() gives it back.
    set T(actorval) [pick {{'ann'} 42 NULL {'Bob'} {''} -7 {'ann'}}]
    exec "SELECT sd_actor($T(actorval))"
  }
  set T(R) {}; set T(P) {}; set T(H) {}; set T(X) {}
  # The base as the last write left it, checked (see after_write).
  set before $T(state)
  if {$before eq ""} { set before [base_state] }
  set lb [::dtdb eval "SELECT rowid FROM l ORDER BY rowid"]
  set d [{*}$args]
  if {$d ne ""} { return $d }
  return [after_write $before $lb]
}

# The marker a soft delete writes now, as base_state shows it; {} when
# only its value is checked (julianday: a real computed by the extension).
proc dt::expected_marker {} {
  variable T
  switch -- $T(fmt) {
    {} - datetime { return [qs [clock_text]] }
    unixepoch     { return [expr {$T(clock) / 1000}] }
    unixepoch_ms  { return $T(clock) }
    boolean       { return 1 }
    active        { return 0 }
  }
  return {}
}

# Check the base after a write (before: base_state before it, lb: l's
# rowids before it; l already took the write), then resync.
proc dt::after_write {before lb} {
  variable T; variable log
  set after [base_state]
  set la [::dtdb eval "SELECT rowid FROM l ORDER BY rowid"]
  set nc $T(ncol)
  set io [expr {$nc + 1}]; set ia [expr {$nc + 2}]
  set db {}; set da {}
  # Deleted: the marker is not the live value (T(liveq), as quote() gives it).
  dict for {r row} $before { if {[lindex $row $nc] ne $T(liveq)} { lappend db $r } }
  dict for {r row} $after { if {[lindex $row $nc] ne $T(liveq)} { lappend da $r } }
  set gone [lminus $lb $la]
  set removed [concat $T(P) $T(H)]
  # Deleted now: those deleted before, less the restored, purged and
  # hard-deleted ones, plus the live rows the write took out of l.
  # Rows inserted through the base as deleted by hand (T(X)) too.
  set exp [lsort -integer -unique [concat [lminus $db [concat $T(R) $removed]] [lminus $gone $T(H)] $T(X)]]
  set da [lsort -integer $da]
  set what "after the last write of the replay script"
  if {$exp ne $da} {
    return "deleted rows of the base are not those expected $what\n  expected: $exp\n  base:     $da"
  }
  set oldops {}
  foreach r $db { lappend oldops [lindex [dict get $before $r] $io] }
  set newop {}; set newm {}; set fresh {}
  set em [expected_marker]
  foreach r $da {
    set a [dict get $after $r]
    if {$r in $db} {
      set b [dict get $before $r]
      if {$a ne $b} { return "deleted row $r of the base changed $what\n  before: $b\n  after:  $a" }
      continue
    }
    if {$r in $T(X)} {
      if {[lindex $a $io] ne "NULL"} { return "row $r, inserted deleted by hand, has an operation $what: $a" }
      continue
    }
    if {![dict exists $before $r]} { return "row $r appeared deleted in the base $what: $a" }
    lappend fresh $r
    set b [dict get $before $r]
    if {[lrange $a 0 $nc-1] ne [lrange $b 0 $nc-1]} {
      return "row $r of the base changed as it was soft-deleted $what\n  before: $b\n  after:  $a"
    }
    set m [lindex $a $nc]; set op [lindex $a $io]
    if {![string is wide -strict $op]} { return "soft-deleted row $r has operation $op (an integer expected) $what: $a" }
    if {$em ne "" && $m ne $em} {
      return "soft-deleted row $r has marker $m, expected $em (format=$T(fmt), sd_clock [clock_text]) $what"
    }
    if {$em eq "" && !([string match r* $m] && abs([string range $m 1 end] - ($T(clock) / 86400000.0 + 2440587.5)) < 1e-6)} {
      return "soft-deleted row $r has marker $m, expected the julian day of [clock_text] $what"
    }
    if {$newop eq ""} {
      set newop $op; set newm $m
    } elseif {$op ne $newop || $m ne $newm} {
      return "rows soft-deleted by one statement carry different markers or operations $what: $newm $newop, $m $op"
    }
    if {$op in $oldops} { return "soft-deleted row $r has the operation id $op of an earlier statement $what" }
    if {$T(qactor) ne "" && [lindex $a $ia] ne $T(actorval)} {
      return "soft-deleted row $r has actor [lindex $a $ia], expected $T(actorval) (sd_actor) $what"
    }
  }
  # Live rows carry no operation or actor; restored rows come back as they
  # were deleted.
  dict for {r a} $after {
    if {[lindex $a $nc] ne $T(liveq)} continue
    if {[lindex $a $io] ne "NULL" || ($T(qactor) ne "" && [lindex $a $ia] ne "NULL")} {
      return "live row $r of the base keeps an operation or actor $what: $a"
    }
    if {$r in $T(R) && [lrange $a 0 $nc-1] ne [lrange [dict get $before $r] 0 $nc-1]} {
      return "restored row $r differs from the row deleted $what\n  before: [dict get $before $r]\n  after:  $a"
    }
  }
  foreach r $T(R) {
    if {![dict exists $after $r]} { return "restored row $r is gone from the base $what" }
  }
  dict for {r b} $before {
    if {![dict exists $after $r] && $r ni $removed} { return "row $r vanished from the base $what: $b" }
  }
  foreach r $removed {
    if {[dict exists $after $r]} { return "row $r is still in the base $what: [dict get $after $r]" }
  }
  if {[llength $fresh]} {
    # The operation id is random: replace it in the base by one drawn from
    # the seed, so that the seed (and the replay script) gives the same
    # rows, orders and matches every run. The extension keeps operation
    # ids nowhere else, so this is an operation like any other.
    set op [op_id]
    while {$op in $oldops} { set op [op_id] }
    append log "-- (the operation id drawn was $newop; the tester sets one from the seed)\n"
    exec "UPDATE $T(qb) SET $T(qop) = $op WHERE rowid IN ([join $fresh {, }])"
    foreach r $fresh { dict set after $r [lreplace [dict get $after $r] $io $io $op] }
  }
  resync
  set T(state) $after
  return ""
}

# A positive 63-bit operation id from the seed's PRNG.
proc dt::op_id {} {
  set a [rnd 134217728]; set b [rnd 134217728]; set c [rnd 512]
  set v [expr {(($a << 36) | ($b << 9) | $c) & 0x7fffffffffffffff}]
  if {$v == 0} { set v 1 }
  return $v
}

# p and q := the rows the table under test shows, from the base.
proc dt::resync {} {
  variable T
  set c "rowid, [allcols]"
  set w [expr {$T(mode) eq "deleted" ? " WHERE $T(qm) IS NOT $T(live)" : ""}]
  exec "DELETE FROM p"
  exec "INSERT INTO p($c) SELECT $c FROM $T(qb)$w"
  qexec "DELETE FROM q"
  qexec "INSERT INTO q($c) SELECT $c FROM $T(qb)$w"
  # Marker, operation and actor values that rows hold, for rowval.
  set T(rowvals) {}
  foreach k {m op actor} c [list $T(qm) $T(qop) $T(qactor)] {
    set T(rv,$k) {}
    if {$c eq ""} continue
    foreach v [::dtdb eval "SELECT $c FROM p WHERE $c IS NOT NULL GROUP BY $c ORDER BY min(rowid)"] {
      lappend T(rv,$k) [tag $v]
    }
    lappend T(rowvals) {*}$T(rv,$k)
  }
}

# A marker, operation or actor value (kind m, op, actor; any when "") that
# some row holds, as a literal or a bound parameter.
proc dt::rowval {{kind ""}} {
  variable T; variable params
  set vals [expr {$kind eq "" ? $T(rowvals) : $T(rv,$kind)}]
  if {![llength $vals]} { return [lit] }
  set t [pick $vals]
  set k [string index $t 0]; set raw [string range $t 2 end]
  if {[chance 35]} {
    set n [expr {[llength $params] / 3 + 1}]
    lappend params "p$n" $k $raw
    return "\$p$n"
  }
  if {$k eq "t"} { return [qs $raw] }
  return $raw
}

# sd_purge(tbl), sd_purge(tbl, before) or (with retain=) sd_purge_expired()
# with a live value not NULL: the rows removed must be exactly the deleted
# rows (marker IS NOT <live>) that the marker compares before (rows deleted
# exactly at before stay), and the number returned their count; live rows
# stay, whatever the live value compares to (0 and '' sort before every
# time). before is a time far in the past or the future, or the marker of a
# deleted row. retain='100 days' expires the rows deleted by hand (times of
# 2023 and 2024-04-30, see hand_marker) before the cut, never the rows
# deleted by the tester: the clock is pinned after 2024-05-01 in the deleted
# and all modes, and runs now in live mode.
proc dt::purge_write {} {
  variable T; variable nPurge; variable params
  incr nPurge
  set names [list $T(vtab)]
  if {$T(mode) ne "live"} { lappend names $T(mvtab) }
  set tbl [qs [pick $names]]
  set nonlive "$T(qm) IS NOT $T(live)"
  set r [rnd 100]
  if {$T(fmt) in {boolean active} || $r < 20} {
    set call "sd_purge($tbl)"
    set w $nonlive
  } elseif {$T(retain) && $r < 45} {
    set call [pick [list "sd_purge_expired()" "sd_purge_expired($tbl)"]]
    # 2025-01-01 (live mode), 2024-01-01.
    set cut [expr {$T(mode) eq "live" ? 1735689600 : 1704067200}]
    set w "$nonlive AND $T(qm) < [fmt_time $cut]"
  } else {
    set cands [list [fmt_time 946684800] [fmt_time 4102444800]]
    set ty [dict get {{} text datetime text unixepoch integer unixepoch_ms integer julianday real} $T(fmt)]
    set g [expr {$ty eq "text" ? " AND $T(qm) GLOB '\[0-9\]*'" : ""}]
    lappend cands {*}[::dtdb eval "SELECT DISTINCT CASE typeof($T(qm)) WHEN 'real' THEN printf('%!.17g', $T(qm)) ELSE quote($T(qm)) END FROM $T(qb) WHERE $nonlive AND typeof($T(qm)) = '$ty'$g ORDER BY 1"]
    set before [pick $cands]
    set call "sd_purge($tbl, $before)"
    set w "$nonlive AND $T(qm) < $before"
  }
  set ids [::dtdb eval "SELECT rowid FROM $T(qb) WHERE $w ORDER BY rowid"]
  set all0 [::dtdb eval "SELECT rowid FROM $T(qb) ORDER BY rowid"]
  set got [exec "SELECT $call"]
  if {$got != [llength $ids]} {
    return "$call returned $got, expected [llength $ids] (the rows of the base WHERE $w: $ids)"
  }
  set all1 [::dtdb eval "SELECT rowid FROM $T(qb) ORDER BY rowid"]
  if {$all1 ne [lminus $all0 $ids]} {
    return "$call removed rows [lminus $all0 $all1], expected $ids (the rows of the base WHERE $w)"
  }
  set T(P) $ids
  return ""
}

# A restore (UPDATE trash SET marker = <live> WHERE ...) or a purge (DELETE
# FROM trash WHERE ...): changes() must be the number of rows the WHERE
# matches in q (the trash's twin) before the statement; restored rows go
# back to l as p holds them.
proc dt::trash_write {} {
  variable T; variable params; variable nAlias 0; variable ctx; variable log
  variable nTrashWrite; variable verbose; variable nStmtRun
  set params {}
  set ctx mode
  set r [rnd 100]
  if {$r < 12} {
    # A page of the trash, chosen by a subselect on the trash itself.
    set c [lindex [colof v %V%] 0]
    set pred "rowid IN (SELECT rowid FROM %V% ORDER BY $c[dir], rowid\
              LIMIT [pick {1 2 3 5}] OFFSET [pick {0 1 2 4 9 1000}])"
  } elseif {$r < 22} {
    # Deleted rows that hold a value some live row holds: the live table
    # (%L%; l on the twin's side) read in the same statement.
    set pred "%V%.$T(c,[rnd $T(ncol)],q) [pick {IN {NOT IN}}] (SELECT s.$T(c,[rnd $T(ncol)],q) FROM %L% AS s)"
  } else {
    set pred [pred [list %V% v] 1]
  }
  set ctx live
  set restore [chance 55]
  set head [expr {$restore ? "UPDATE %V% SET $T(qm) = $T(live)" : "DELETE FROM %V%"}]
  if {$restore && $T(live) ne "NULL" && [chance 25]} {
    # The live value as a bound parameter of its type, or (a number) as a
    # real: 0.0 IS 0.
    set n [expr {[llength $params] / 3 + 1}]
    if {$T(livek) ne "t" && [chance 30]} {
      lappend params "p$n" r $T(liveraw)
    } else {
      lappend params "p$n" $T(livek) $T(liveraw)
    }
    set head "UPDATE %V% SET $T(qm) = \$p$n"
  }
  set sv [string map [list %V% $T(qv) %L% $T(qw)] "$head WHERE $pred"]
  set sel [string map [list %V% q %L% l] "SELECT q.rowid FROM q WHERE $pred"]
  incr nStmtRun; incr nTrashWrite
  if {[llength $params]} { append log [shell_params $params] }
  if {$verbose} { puts "  $sv" }
  lassign [run $sel $params] rcs ids
  lassign [run $sv $params] rcv resv
  set ch [::dtdb eval {SELECT changes()}]
  append log "$sv;\n"
  if {$rcv || $rcs} {
    if {$rcv} { append log "-- (fails: $resv)\n" }
    if {$rcv == $rcs && $resv eq $ids} { return "" }
    return "statement: $sv\n  vtab: [list $rcv $resv]\n  twin's rows: [list $rcs $ids]"
  }
  append log "-- changes() = $ch; the WHERE matches [llength $ids] rows of q: $sel\n"
  if {$ch != [llength $ids]} {
    return "statement: $sv\n  changes() = $ch, but the WHERE matches [llength $ids] rows of the twin: $ids"
  }
  if {$restore} {
    set T(R) $ids
    if {[llength $ids]} {
      exec "INSERT INTO l(rowid, [tcols]) SELECT rowid, [tcols] FROM p WHERE rowid IN ([join $ids {, }])"
    }
  } else {
    set T(P) $ids
  }
  return ""
}

# A write the trash or show=all table must refuse: any INSERT; on the trash
# an UPDATE of anything but SET marker = <live> (so SET marker = NULL when
# the live value is not NULL); on a show=all table any UPDATE or DELETE. When the WHERE matches rows it must fail with a
# "softdelete: " error; when it matches none, it may also succeed, changing
# nothing. wstep then checks that nothing changed.
proc dt::refused_write {} {
  variable T; variable params; variable nAlias 0; variable ctx; variable log
  variable nRefused; variable nStmtRun
  set params {}
  set ctx mode
  set r [rnd 100]
  set pred [pred [list %V% v] 1]
  set ctx live
  set n -1
  if {$r < 30} {
    set rid [incr T(maxrowid) 3]
    set vals [row_values $rid]
    if {[chance 50]} {
      set sql "INSERT INTO %V%([tcols]) VALUES([join $vals {, }])"
    } else {
      # With a marker and an operation, as the table shows them.
      set sql "INSERT INTO %V%([allcols]) VALUES([join $vals {, }], [lit], [pick {1 NULL 5}][expr {$T(qactor) ne "" ? ", [lit]" : ""}])"
    }
  } else {
    set opts [list "$T(c,[rnd $T(ncol)],q) = [lit]" "$T(qop) = [pick {NULL 1 -5}]"]
    if {$T(mode) eq "deleted"} {
      # Any value but the live one (NULL when that is not NULL).
      set v [pick {1 'x' 0 {'2024-01-01'}}]
      if {$v eq $T(live)} { set v NULL }
      lappend opts "$T(qm) = $v" "$T(qm) = $T(qm)"
      if {$T(qactor) ne ""} { lappend opts "$T(qactor) = [lit]" }
      if {$T(live) ne "NULL"} { lappend opts "$T(qm) = NULL" }
    } else {
      lappend opts "$T(qm) = NULL" DELETE DELETE
      if {$T(live) ne "NULL"} { lappend opts "$T(qm) = $T(live)" }
    }
    set set [pick $opts]
    if {$set eq "DELETE"} {
      set sql "DELETE FROM %V% WHERE $pred"
    } else {
      set sql "UPDATE %V% SET $set WHERE $pred"
    }
    lassign [run "SELECT count(*) FROM q WHERE [string map {%V% q} $pred]" $params] rc n
    if {$rc} { set n -2 }
  }
  set sv [string map [list %V% $T(qv)] $sql]
  incr nStmtRun; incr nRefused
  if {[llength $params]} { append log [shell_params $params] }
  lassign [run $sv $params] rcv resv
  set ch [::dtdb eval {SELECT changes()}]
  append log "$sv;\n"
  if {$rcv} { append log "-- (fails: $resv)\n" }
  if {$n == -2} { return "" }
  if {$rcv && [string match "softdelete: *" $resv]} { return "" }
  if {!$rcv && $n == 0 && $ch == 0} { return "" }
  set m [expr {$n < 0 ? "" : " (the WHERE matches $n rows of the twin)"}]
  return "statement: $sv\n  must fail with a softdelete: error$m; got [list $rcv $resv], changes() = $ch"
}

# sd_index / sd_unique on the vtab, and the same live-only index on p.
proc dt::sd_index_both {unique} {
  variable T; variable log; variable nIdx
  set cols {}
  for {set i [expr {1 + [rnd 2]}]} {$i > 0} {incr i -1} {
    set c [rnd $T(ncol)]
    if {$c ni $cols} { lappend cols $c }
  }
  set names {}; set qcols {}
  foreach c $cols { lappend names [qs $T(c,$c,name)]; lappend qcols $T(c,$c,q) }
  set f [expr {$unique ? "sd_unique" : "sd_index"}]
  set sql "SELECT ${f}([qs $T(vtab)], [join $names {, }])"
  lassign [run $sql {}] rc res
  if {$rc} {
    # Live duplicates or a full UNIQUE constraint: must be a sd_unique error.
    if {$unique && [string match "softdelete: *" $res]} { return "" }
    return "statement: $sql\n  failed: $res"
  }
  append log "$sql;\n"
  incr nIdx
  set u [expr {$unique ? "UNIQUE " : ""}]
  return [both_plain "CREATE ${u}INDEX [qi pi$nIdx] ON p([join $qcols {, }]) WHERE $T(qm) IS $T(live)"]
}

# The live rows of the base, the live vtab's rows and its twin's (p, or l
# with a trash or show=all table) must be equal; and the rows read through a
# trash or show=all table must be p's, by name (*) too.
proc dt::check_contents {} {
  variable T
  # The marker too: the live table's hidden marker reads the live value,
  # which the base's live rows and the twin's hold.
  set cols "rowid, [tcols], $T(qm)"
  set qb [tagged [::dtdb eval "SELECT $cols FROM $T(qb) WHERE $T(qm) IS $T(live) ORDER BY rowid"]]
  set qv [tagged [::dtdb eval "SELECT $cols FROM $T(qw) ORDER BY rowid"]]
  set qp [tagged [::dtdb eval "SELECT $cols FROM $T(wp) ORDER BY rowid"]]
  if {$qb ne $qp && $T(wq) ne ""} {
    # q, the twin without indexes, took the same writes. If it agrees with
    # the base, SQLite wrote p wrongly through one of p's indexes (3.40 and
    # 3.52: NOT IN through a DESC index on a column holding NULLs, in an
    # INSERT ... SELECT): blame the host and take q's rows into p.
    set qq [tagged [::dtdb eval "SELECT $cols FROM q ORDER BY rowid"]]
    if {$qb eq $qq} {
      variable nHostBug; variable log
      incr nHostBug
      set fix "DELETE FROM p; INSERT INTO p($cols) SELECT $cols FROM q"
      ::dtdb eval $fix
      append log "-- (SQLite wrote p wrongly here; the tester reset p from q,\n--  its copy without indexes, which the base agrees with)\n"
      set qp $qq
    }
  }
  if {$qb ne $qp} { return "live rows of the base differ from the twin\n  base: $qb\n  twin: $qp" }
  if {$qv ne $qp} { return "rows read through the vtab differ from the twin\n  vtab: $qv\n  twin: $qp" }
  if {$T(mode) ne "live"} {
    foreach c [list "rowid, [allcols]" "rowid, *"] {
      set qv [tagged [::dtdb eval "SELECT $c FROM $T(qv) ORDER BY rowid"]]
      set qp [tagged [::dtdb eval "SELECT $c FROM p ORDER BY rowid"]]
      if {$qv ne $qp} {
        return "rows read through $T(qv) differ from the twin\n  SELECT $c FROM $T(qv): $qv\n  twin: $qp"
      }
    }
  }
  return ""
}
proc dt::tagged {list} {
  set out {}
  foreach v $list { lappend out [tag $v] }
  return $out
}

# Results as a list of rows of tagged values. Columns in unstable are
# normalised (see norm); reals in approx (sums, whose rounding depends on the
# order rows are added in) are compared to 12 digits.
proc dt::rows {res ncol unstable {approx {}}} {
  set out {}
  set row {}
  set i 0
  foreach v $res {
    set t [tag $v]
    if {$i in $unstable} { set t [norm $t] }
    if {$i in $approx && [string match r:* $t]} {
      set t "r:[format %.12g [string range $t 2 end]]"
    }
    lappend row $t
    if {[incr i] == $ncol} { lappend out $row; set row {}; set i 0 }
  }
  return $out
}

# Run query q on both sides. Returns "" or a difference.
proc dt::compare {q} {
  variable T; variable params; variable verbose; variable nQueryRun
  variable nByMode; variable nByLive
  incr nQueryRun
  incr nByMode($T(mode))
  incr nByLive($T(lkind))
  set tmpl [dict get $q sql]
  set sv [string map [list %V% $T(qv) %L% $T(qw)] $tmpl]
  set sp [string map [list %V% p %L% l] $tmpl]
  if {$verbose} { puts "  Q: $sv" }
  lassign [run $sv $params] rcv resv
  lassign [run $sp $params] rcp resp
  set ncol [dict get $q ncol]; set un [dict get $q unstable]
  set ap [expr {[dict exists $q approx] ? [dict get $q approx] : {}}]
  if {$rcv || $rcp} {
    if {$rcv == $rcp && $resv eq $resp} {
      variable nBothErr; variable errSample
      incr nBothErr
      if {[llength $errSample] < 40} { lappend errSample $resv $sv }
      return ""
    }
    return [list $sv $sp "error [list $rcv $resv]" "error [list $rcp $resp]"]
  }
  set a [rows $resv $ncol $un $ap]
  set b [rows $resp $ncol $un $ap]
  if {![dict get $q ordered]} { set a [lsort $a]; set b [lsort $b] }
  if {$a eq $b} { return "" }
  # SQLite itself can be wrong on plain tables. If p's LIMIT/OFFSET result
  # is not a slice of its own full result, and the vtab's is, the host is at
  # fault (seen with 3.52.0: LEFT JOIN, EXISTS, ORDER BY, OFFSET).
  if {[llength [dict get $q limit]]} {
    lassign [sliced_twin $q] rcs c
    if {!$rcs} {
      if {![dict get $q ordered]} { set c [lsort $c] }
      if {$c eq $a && $c ne $b} {
        variable nHostBug
        incr nHostBug
        return ""
      }
    }
  }
  if {[host_offset $q $sv $a]} {
    variable nHostBug
    incr nHostBug
    return ""
  }
  # A plain table without indexes: SQLite 3.40 and 3.52 answer NOT IN
  # wrongly through a DESC index on a column holding NULLs.
  lassign [run [string map {%V% q %L% l} $tmpl] $params] rcq resq
  if {!$rcq} {
    set c [rows $resq $ncol $un $ap]
    if {![dict get $q ordered]} { set c [lsort $c] }
    if {$c eq $a} {
      variable nHostBug
      incr nHostBug
      return ""
    }
  }
  # SQLite (3.40, 3.52) skips sorting by a column that an ON or WHERE term
  # equates with a value fixed for the loop, although affinity lets several
  # different values match ("o LEFT JOIN p ON o.z = p.c1 WHERE o.rowid = 1
  # ORDER BY p.c1"), and splits such a GROUP BY key. Sorting and grouping by
  # +(term), which it cannot take for a column, is exact.
  if {[dict exists $q alt] && [dict get $q alt] ne ""} {
    lassign [run [string map {%V% p %L% l} [dict get $q alt]] $params] rca resa
    set c [rows $resa $ncol $un $ap]
    if {![dict get $q ordered]} { set c [lsort $c] }
    if {!$rca && $c eq $a} {
      variable nHostBug
      incr nHostBug
      return ""
    }
  }
  # Third opinion through a subquery that SQLite cannot flatten: other
  # optimisations run (3.40 loses rows of "o LEFT JOIN p ON ... AND p.rowid
  # LIKE 'x%' WHERE p.m IS NOT 5").
  set sub "(SELECT rowid AS rowid, rowid AS oid, rowid AS _rowid_, * FROM q LIMIT -1)"
  lassign [run [string map [list %V% $sub %L% l] $tmpl] $params] rcs ress
  if {!$rcs} {
    set c [rows $ress $ncol $un $ap]
    if {![dict get $q ordered]} { set c [lsort $c] }
    if {$c eq $a} {
      variable nHostBug
      incr nHostBug
      return ""
    }
  }
  # 3.40 builds automatic indexes with the wrong collation (on o or p, never
  # on the vtab): if the vtab's plan uses one and both agree without them,
  # the host is at fault.
  if {[string match *AUTOMATIC* [::dtdb eval "EXPLAIN QUERY PLAN $sv"]]} {
    ::dtdb eval {PRAGMA automatic_index = 0}
    lassign [run $sv $params] rcv2 resv2
    lassign [run $sp $params] rcp2 resp2
    ::dtdb eval {PRAGMA automatic_index = 1}
    if {!$rcv2 && !$rcp2} {
      set a2 [rows $resv2 $ncol $un $ap]
      set b2 [rows $resp2 $ncol $un $ap]
      if {![dict get $q ordered]} { set a2 [lsort $a2]; set b2 [lsort $b2] }
      if {$a2 eq $b2} {
        variable nHostBug
        incr nHostBug
        return ""
      }
    }
  }
  # 3.40 builds automatic
  # indexes with the wrong collation. If p's result changes without them,
  # and the vtab then agrees, the host is at fault, not the vtab.
  ::dtdb eval {PRAGMA automatic_index = 0}
  lassign [run $sv $params] rcv2 resv2
  lassign [run $sp $params] rcp2 resp2
  ::dtdb eval {PRAGMA automatic_index = 1}
  if {!$rcv2 && !$rcp2} {
    set a2 [rows $resv2 $ncol $un $ap]
    set b2 [rows $resp2 $ncol $un $ap]
    if {![dict get $q ordered]} { set a2 [lsort $a2]; set b2 [lsort $b2] }
    if {$b2 ne $b && $a2 eq $b2} {
      variable nHostBug
      incr nHostBug
      return ""
    }
  }
  return [list $sv $sp $a $b]
}

# The mode a seed runs in: the -mode option (variable mode), or with "mix"
# the seed's remainder modulo 3 (live, deleted, all).
proc dt::seed_mode {seed} {
  variable mode; variable modes
  if {$mode in $modes} { return $mode }
  return [lindex $modes [expr {$seed % 3}]]
}

# Run one seed: setup, then nQuery queries. Returns "" or a report. mode:
# live, deleted or all (see seed_mode when ""); live: the live value's kind,
# null, gorm, flag, active, text, or mix (the seed chooses; by default as
# -live says).
proc dt::run_seed {seed nQuery {mode ""} {live ""}} {
  variable log; variable params; variable verbose; variable T; variable ctx
  if {$mode eq ""} { set mode [seed_mode $seed] }
  if {$live ne ""} {
    set keep $::dt::live
    set ::dt::live $live
    set d [run_seed $seed $nQuery $mode]
    set ::dt::live $keep
    return $d
  }
  seed $seed
  if {$verbose} { puts "seed $seed ($mode)" }
  set rc [catch {setup $mode} d opts]
  set m "$mode, live=[expr {[info exists T(live)] ? $T(live) : {?}}]"
  if {$rc} {
    return "seed $seed ($m): setup error: $d\n[dict get $opts -errorinfo]\n-- replay script:\n$log"
  }
  if {$d ne ""} {
    return "seed $seed ($m): difference while writing:\n$d\n-- replay script (sqlite3 shell):\n$log"
  }
  # Queries read the table under test: in the deleted and all modes its
  # marker, operation and actor are columns like the others.
  set ctx [expr {$mode eq "live" ? "live" : "mode"}]
  for {set i 1} {$i <= $nQuery} {incr i} {
    set q [gen_query]
    set d [compare $q]
    if {$d ne ""} {
      lassign $d sv sp a b
      set plan ""
      catch {
        foreach {x y z detail} [::dtdb eval "EXPLAIN QUERY PLAN $sv"] { lappend plan $detail }
      }
      set ps [shell_params $params]
      set out "seed $seed ($m), query $i: the vtab and the twin differ\n"
      append out "query: $sv\n"
      if {[llength $params]} { append out "params: $params\n" }
      append out "vtab: $a\ntwin: $b\nplan: [join $plan { | }]\n"
      append out "-- replay script (sqlite3 shell):\n$log$ps$sv;\n$sp;\n"
      return $out
    }
  }
  return ""
}

# ---- Main -----------------------------------------------------------------

proc dt::main {argv} {
  variable lib; variable verbose; variable nQueryRun; variable nStmtRun
  global env
  set seed 1; set nSeeds -1; set seconds 60; set nQuery 50
  if {[info exists env(SD_DIFF_SKIP)] && [string trim $env(SD_DIFF_SKIP)] ne ""} {
    set ::dt::skip $env(SD_DIFF_SKIP)
  }
  if {[info exists env(SOFTDELETE_LIB)] && $env(SOFTDELETE_LIB) ne ""} {
    set lib $env(SOFTDELETE_LIB)
  } else {
    # The build in the repository root; SQLite adds .so, .dylib or .dll.
    set lib [file join [file dirname [file dirname [file normalize [info script]]]] softdelete]
  }
  if {[info exists env(SD_DIFF_MODE)] && [string trim $env(SD_DIFF_MODE)] ne ""} {
    set ::dt::mode [string trim $env(SD_DIFF_MODE)]
  }
  if {[info exists env(SD_DIFF_LIVE)] && [string trim $env(SD_DIFF_LIVE)] ne ""} {
    set ::dt::live [string trim $env(SD_DIFF_LIVE)]
  }
  if {[lsearch -exact {-help -h --help} [lindex $argv 0]] >= 0} {
    # The Usage part of the header comment.
    set f [open [info script]]
    set text [read $f]
    close $f
    set out 0
    foreach line [split $text \n] {
      if {[string match "# Usage:*" $line]} { set out 1 }
      if {[string match "# From a test file*" $line]} break
      if {$out} { puts [string range $line 2 end] }
    }
    exit 0
  }
  foreach {k v} $argv {
    switch -- $k {
      -lib { set lib $v }
      -seed { set seed $v }
      -seeds { set nSeeds $v; if {$seconds == 60} { set seconds 1e9 } }
      -seconds { set seconds $v }
      -queries { set nQuery $v }
      -verbose { set verbose $v }
      -skip { set ::dt::skip $v }
      -mode { set ::dt::mode $v }
      -live { set ::dt::live $v }
      default { puts stderr "unknown option $k"; exit 2 }
    }
  }
  if {$::dt::mode ni [concat $::dt::modes mix]} {
    puts stderr "-mode must be live, deleted, all or mix, not \"$::dt::mode\""
    exit 2
  }
  if {$::dt::live ni [concat $::dt::lives mix]} {
    puts stderr "-live must be null, gorm, flag, active, text or mix, not \"$::dt::live\""
    exit 2
  }
  if {$::dt::skip eq "none"} { set ::dt::skip {} }
  # A relative path is made absolute, so that load_extension does not
  # search the library path for it; the suffix may be left out.
  foreach sfx {{} .so .dylib .dll} {
    if {[file isfile $lib$sfx]} { set lib [file normalize $lib]; break }
  }
  # A library that does not load is a usage error, not a difference.
  sqlite3 ::dtdb :memory:
  ::dtdb enable_load_extension 1
  if {[catch {::dtdb eval {SELECT load_extension($lib)}} msg]} {
    puts stderr "difftest: cannot load the extension $lib: $msg (build it with make, or give -lib FILE)"
    exit 2
  }
  ::dtdb close
  set t0 [clock milliseconds]
  set n 0
  while {($nSeeds < 0 || $n < $nSeeds) && [clock milliseconds] - $t0 < $seconds * 1000.0} {
    set s [expr {$seed + $n}]
    set d [run_seed $s $nQuery]
    incr n
    if {$d ne ""} {
      puts $d
      set sk [expr {[llength $::dt::skip] ? " -skip [list $::dt::skip]" : ""}]
      if {$::dt::mode ne "mix"} { append sk " -mode $::dt::mode" }
      if {$::dt::live ne "mix"} { append sk " -live $::dt::live" }
      puts "DIFFERENCE at seed $s (replay: tclsh test/difftest.tcl -seed $s -seeds 1 -queries $nQuery$sk)"
      exit 1
    }
  }
  set ms [expr {max(1, [clock milliseconds] - $t0)}]
  variable nHostBug
  variable nBothErr; variable errSample; variable nByMode; variable nTrashWrite
  variable nRefused
  if {$verbose} {
    foreach {m e} $errSample { puts "both failed: $m\n  $e" }
  }
  puts [format "difftest: %d seeds (%d..%d), %d queries compared (%d failing alike), %d setup statements, %.1f s, %.0f queries/s%s" \
      $n $seed [expr {$seed + $n - 1}] $nQueryRun $nBothErr $nStmtRun [expr {$ms / 1000.0}] \
      [expr {$nQueryRun * 1000.0 / $ms}] \
      [expr {$nHostBug ? ", $nHostBug blamed on SQLite [::dtdb version] itself" : ""}]]
  variable nByLive; variable nPurge
  puts [format "difftest: queries per live value: null %d, gorm %d, flag %d, active %d, text %d; %d sd_purge calls checked (live %s)" \
      $nByLive(null) $nByLive(gorm) $nByLive(flag) $nByLive(active) $nByLive(text) $nPurge $::dt::live]
  puts [format "difftest: queries per mode: live %d, deleted %d, all %d; %d restores/purges through the trash, %d refused writes checked (mode %s)" \
      $nByMode(live) $nByMode(deleted) $nByMode(all) $nTrashWrite $nRefused $::dt::mode]
  catch {::dtdb close}
  exit 0
}

if {[info exists ::argv0] && [file normalize $::argv0] eq [file normalize [info script]]} {
  dt::main $::argv
}
