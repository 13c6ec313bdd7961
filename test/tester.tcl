# tester.tcl -- a small test harness in the style of SQLite's test/tester.tcl,
# for stock tclsh with "package require sqlite3" (Debian: tcl, libsqlite3-tcl).
#
# A test file:
#   source [file join [file dirname [info script]] tester.tcl]
#   set testprefix basic
#   do_execsql_test 1.1 { SELECT sd_version() } {0.1.0}
#   finish_test
#
# Sourcing this file cds into a fresh temp directory and opens [db] on
# test.db there with the extension loaded. Globals: testdir (this directory),
# rootdir (the repository), sd_lib (the library loaded).
#
# Environment:
#   SOFTDELETE_LIB  library to load (default: softdelete.{so,dylib,dll} in rootdir)
#   SD_TEST_FILTER  run only tests whose full name matches one of these globs
#   SD_TMPDIR       parent of the temp directory; set by all.tcl, which also
#                   means "print only the SDTEST line, not the summary"

package require sqlite3

set testdir [file dirname [file normalize [info script]]]
set rootdir [file dirname $testdir]
if {[info exists env(SOFTDELETE_LIB)] && $env(SOFTDELETE_LIB) ne ""} {
  set sd_lib [file normalize $env(SOFTDELETE_LIB)]
} else {
  set sd_lib [file join $rootdir softdelete] ;# SQLite adds .so/.dylib/.dll
}
set testprefix ""
set sd_passed 0
set sd_failed 0
set sd_handles {}

# A per-file temp directory keeps parallel runs and clean clones apart.
proc sd_mktemp {} {
  global env
  foreach v {SD_TMPDIR TMPDIR TEMP} {
    if {[info exists env($v)] && $env($v) ne ""} { set base $env($v); break }
  }
  if {![info exists base]} { set base /tmp }
  while 1 {
    set d [file join $base sdtest-[pid]-[expr {int(rand()*1e9)}]]
    if {![file exists $d]} { file mkdir $d; return $d }
  }
}
set sd_tmpdir [sd_mktemp]
cd $sd_tmpdir

# sqlite3_sd NAME FILE ?OPTIONS?: open connection NAME with the extension.
proc sqlite3_sd {name file args} {
  sqlite3 $name $file {*}$args
  $name enable_load_extension 1
  set lib $::sd_lib
  if {[catch {$name eval {SELECT load_extension($lib)}} msg]} {
    # SQLite reports only its last attempt (lib.so.so); say what to check.
    if {[file isfile $lib]} { append msg " (file exists: try ldd -r $lib)" }
    error "cannot load $lib: $msg"
  }
  if {$name ni $::sd_handles && $name ne "sd_keeper"} {
    lappend ::sd_handles $name
  }
  return $name
}

# reset_db: close db, delete test.db and its side files, reopen db.
proc reset_db {} {
  catch {db close}
  foreach suffix {"" -wal -shm -journal} {
    file delete -force [file join $::sd_tmpdir test.db$suffix]
  }
  sqlite3_sd db test.db
}

proc execsql {sql {db db}} {
  uplevel 1 [list $db eval $sql]
}

proc catchsql {sql {db db}} {
  set rc [catch {uplevel 1 [list $db eval $sql]} msg]
  list $rc $msg
}

proc sd_fullname {name} {
  if {$::testprefix eq ""} { return $name }
  return "$::testprefix-$name"
}

proc sd_selected {full} {
  if {![info exists ::env(SD_TEST_FILTER)] || $::env(SD_TEST_FILTER) eq ""} {
    return 1
  }
  foreach pattern $::env(SD_TEST_FILTER) {
    if {[string match $pattern $full]} { return 1 }
  }
  return 0
}

proc sd_report {full ok expected got} {
  if {$ok} {
    incr ::sd_passed
  } else {
    incr ::sd_failed
    puts "! $full failed"
    puts "  expected: \[$expected\]"
    puts "  got:      \[$got\]"
  }
}

# do_test NAME SCRIPT EXPECTED: SCRIPT's result must equal EXPECTED exactly.
proc do_test {name script expected} {
  set full [sd_fullname $name]
  if {![sd_selected $full]} return
  if {[catch {uplevel 1 $script} got]} { set got "Tcl error: $got" }
  sd_report $full [expr {$got eq $expected}] $expected $got
}

# do_execsql_test NAME SQL ?EXPECTED?: [db eval SQL] as a list.
proc do_execsql_test {name sql {expected {}}} {
  set full [sd_fullname $name]
  if {![sd_selected $full]} return
  if {[catch {uplevel 1 [list db eval $sql]} got]} {
    set got "SQL error: $got"
  }
  if {[catch {list {*}$expected} want]} { set want $expected }
  sd_report $full [expr {$got eq $want}] $want $got
}

# do_catchsql_test NAME SQL EXPECTED: EXPECTED is {1 {message}} or {0 {rows}}.
proc do_catchsql_test {name sql expected} {
  set full [sd_fullname $name]
  if {![sd_selected $full]} return
  set rc [catch {uplevel 1 [list db eval $sql]} msg]
  set got [list $rc $msg]
  if {[catch {list {*}$expected} want]} { set want $expected }
  sd_report $full [expr {$got eq $want}] $want $got
}

# do_plan_test NAME SQL PATTERN: the EXPLAIN QUERY PLAN detail column, rows
# joined with " | ", must match the glob PATTERN (outer whitespace ignored).
# sd_host_at_least N: is the host SQLite at least version N (3051001 style)?
proc sd_host_at_least {n} {
  set v [sqlite3 -version]
  scan $v {%d.%d.%d} a b c
  expr {$a*1000000 + $b*1000 + $c >= $n}
}

proc do_plan_test {name sql pattern} {
  set full [sd_fullname $name]
  if {![sd_selected $full]} return
  if {[catch {uplevel 1 [list db eval "EXPLAIN QUERY PLAN $sql"]} rows]} {
    set got "SQL error: $rows"
  } else {
    set details {}
    foreach {id parent notused detail} $rows { lappend details $detail }
    set got [join $details " | "]
  }
  set pattern [string trim $pattern]
  sd_report $full [string match $pattern $got] $pattern $got
}

# snapshot ?DB? ?SCHEMA?: every object of the schema with its SQL, and the
# rows of every ordinary table in rowid order: equal snapshots, equal data.
proc snapshot {{dbh db} {schema main}} {
  set out {}
  set q [string map {\" \"\"} $schema]
  foreach {name sql} [$dbh eval "SELECT name, sql FROM \"$q\".sqlite_master
                                 ORDER BY name"] {
    lappend out $name $sql
    if {[string match -nocase "CREATE TABLE*" $sql]} {
      set n [string map {\" \"\"} $name]
      # WITHOUT ROWID tables (fts5 shadow tables) are in key order anyway.
      if {[catch {$dbh eval "SELECT * FROM \"$q\".\"$n\" ORDER BY rowid"} rows]} {
        set rows [$dbh eval "SELECT * FROM \"$q\".\"$n\""]
      }
      lappend out $rows
    }
  }
  return $out
}

# finish_test: close connections (so leak checkers see everything freed),
# remove the temp directory, print counts, exit 1 if anything failed.
proc finish_test {} {
  foreach h $::sd_handles { catch {$h close} }
  cd $::testdir
  file delete -force $::sd_tmpdir
  puts "SDTEST $::sd_passed $::sd_failed"
  if {![info exists ::env(SD_TMPDIR)]} {
    puts "$::sd_passed passed, $::sd_failed failed"
  }
  exit [expr {$::sd_failed > 0}]
}

# A connection never closed keeps the library mapped until exit, so that
# valgrind and LeakSanitizer can still name its functions in leak reports.
if {[catch {reset_db; sqlite3_sd sd_keeper :memory:} msg]} {
  cd $testdir
  file delete -force $sd_tmpdir
  error $msg
}
