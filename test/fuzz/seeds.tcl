# seeds.tcl -- extract the SQL of the test suite into a seed corpus for the
# libFuzzer target (test/fuzz/fuzz.c).
#
#   tclsh test/fuzz/seeds.tcl OUTDIR ?FILE.test ...?
#
# Reads test/*.test (or the files given) as text, without running them, and
# writes one file per distinct seed into OUTDIR (created if missing). A seed
# is the SQL of one test, preceded by the setup it runs after:
#
#   - test bodies: the braced SQL of do_execsql_test, do_catchsql_test,
#     do_same_test (placeholders such as {T} replaced by the virtual table
#     of the last "set sd_map {...}" seen) and do_plan_test;
#   - setup: the braced SQL of execsql, catchsql and "<db> eval", in file
#     order since the last reset_db, kept from the start up to SETUP_MAX
#     bytes (the CREATE statements come first);
#   - a setup block followed by no test at all is a seed of its own.
#
# Only braced (literal) SQL is taken: "..." bodies depend on Tcl variables.
# $name inside braced SQL stays as it is, which SQLite reads as a parameter
# (NULL). The fuzz target runs a seed after its own fixed setup, so a CREATE
# of a name the setup already has fails and the next statement runs; the
# seeds still bring the statement shapes, options and error paths the tests
# reach. Seeds longer than SEED_MAX bytes are dropped. Prints the count.

set SETUP_MAX 3000
set SEED_MAX  6000

if {[llength $argv] < 1} {
  puts stderr "usage: tclsh seeds.tcl OUTDIR ?FILE.test ...?"
  exit 2
}
set outdir [lindex $argv 0]
set files [lrange $argv 1 end]
if {[llength $files] == 0} {
  set testdir [file dirname [file dirname [file normalize [info script]]]]
  set files [lsort [glob -nocomplain -directory $testdir *.test]]
}
file mkdir $outdir

# The index of the brace that closes the one at $i, or -1.
proc close_brace {text i} {
  set depth 0
  set n [string length $text]
  for {} {$i < $n} {incr i} {
    switch -- [string index $text $i] {
      "\\" { incr i }
      "\{" { incr depth }
      "\}" { if {[incr depth -1] == 0} { return $i } }
    }
  }
  return -1
}

set seen [dict create]
set nseed 0

proc emit {name sql} {
  global seen nseed outdir SEED_MAX
  set sql [string trim $sql]
  if {$sql eq "" || [string length $sql] > $SEED_MAX} return
  if {[dict exists $seen $sql]} return
  dict set seen $sql 1
  set f [open [file join $outdir [format %s-%08x $name [zlib crc32 $sql]]] w]
  fconfigure $f -encoding utf-8 -translation lf
  puts -nonewline $f "$sql\n"
  close $f
  incr nseed
}

# The setup since the last reset_db, cut at SETUP_MAX, as one SQL text.
proc setup_text {setup} {
  global SETUP_MAX
  set out ""
  foreach s $setup {
    if {[string length $out] + [string length $s] > $SETUP_MAX} break
    append out [string trim $s] ";\n"
  }
  return $out
}

set re_test {\m(do_execsql_test|do_catchsql_test|do_same_test|do_plan_test)[ \t]+\S+[ \t]+\{}
set re_setup {\m(?:execsql|catchsql|[A-Za-z_][A-Za-z0-9_]*[ \t]+eval)[ \t]+\{}
set re_reset {\mreset_db\M}
set re_map {\mset[ \t]+(?:::)?sd_map[ \t]+\{}

foreach file $files {
  set name [file rootname [file tail $file]]
  set fd [open $file r]
  fconfigure $fd -encoding utf-8
  set text [read $fd]
  close $fd
  set setup {}
  set tested 0
  set map {}
  set i 0
  while 1 {
    # The earliest of the four patterns from $i on.
    set best -1
    foreach kind {test setup reset map} {
      if {[regexp -indices -start $i [set re_$kind] $text m]} {
        if {$best < 0 || [lindex $m 0] < $best} {
          set best [lindex $m 0]
          set bestkind $kind
          set bestm $m
        }
      }
    }
    if {$best < 0} break
    set end [lindex $bestm 1]
    if {$bestkind eq "reset"} {
      if {!$tested && [llength $setup]} { emit $name [setup_text $setup] }
      set setup {}
      set tested 0
      set i [expr {$end + 1}]
      continue
    }
    # The match ends on the opening brace of the body.
    set close [close_brace $text $end]
    if {$close < 0} { set i [expr {$end + 1}]; continue }
    set body [string range $text [expr {$end + 1}] [expr {$close - 1}]]
    set i [expr {$close + 1}]
    switch -- $bestkind {
      map {
        set map {}
        if {![catch {llength $body}] && [llength $body] % 3 == 0} {
          foreach {ph vt tw} $body { lappend map "{$ph}" $vt }
        }
      }
      setup {
        lappend setup $body
      }
      test {
        set sql [string map $map $body]
        emit $name "[setup_text $setup]$sql"
        set tested 1
        # A test's SQL is part of the state the next tests see.
        lappend setup $sql
      }
    }
  }
  if {!$tested && [llength $setup]} { emit $name [setup_text $setup] }
}
puts "seeds.tcl: $nseed seeds in $outdir"
