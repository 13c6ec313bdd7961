# all.tcl -- run the test files, each in its own child tclsh, and sum up.
#
#   tclsh test/all.tcl                       every test/*.test, sorted
#   tclsh test/all.tcl basic.test cascade.test
#
# Each child ends with "SDTEST <passed> <failed>" (see finish_test). A child
# that exits without that line, or with a status other than the one its
# counts imply (e.g. valgrind's --error-exitcode, an ASan report), counts as
# one more failure and its output tail is shown. The last line is always
# "N passed, N failed"; the exit status is 1 if anything failed.
#
# Environment: SD_TCLSH, the command prefix for children (default: this
# tclsh), e.g. "valgrind --error-exitcode=99 -q tclsh". SOFTDELETE_LIB and
# SD_TEST_FILTER pass through to the children.

set testdir [file dirname [file normalize [info script]]]
if {[info exists env(SD_TCLSH)] && $env(SD_TCLSH) ne ""} {
  set child $env(SD_TCLSH)
} else {
  set child [list [info nameofexecutable]]
}

set files {}
foreach arg $argv {
  if {![file exists $arg]} { set arg [file join $testdir $arg] }
  lappend files [file normalize $arg]
}
if {$argc == 0} {
  set files [lsort [glob -nocomplain -directory $testdir *.test]]
}

set base [expr {[info exists env(TMPDIR)] && $env(TMPDIR) ne "" ? $env(TMPDIR) : "/tmp"}]
set rundir [file join $base sdtest-run-[pid]-[expr {int(rand()*1e9)}]]
file mkdir $rundir
set env(SD_TMPDIR) $rundir

proc tail {text n} { join [lrange [split $text \n] end-[expr {$n-1}] end] \n }

set passed 0
set failed 0
if {[llength $files] == 0} {
  puts "no test files found in $testdir"
  incr failed
}
foreach f $files {
  set name [file tail $f]
  if {![file isfile $f]} {
    puts [format "%-24s MISSING (no such file)" $name]
    incr failed
    continue
  }
  set status 0
  if {[catch {exec {*}$child $f 2>@1} out opts]} {
    lassign [dict get $opts -errorcode] kind pid code signame
    switch -- $kind {
      CHILDSTATUS { set status $code }
      CHILDKILLED { set status "killed by $signame" }
      default     { set status "error: $out" }
    }
    regsub {\n?child process exited abnormally$} $out {} out
  }
  if {![regexp -line {^SDTEST (\d+) (\d+)$} $out -> p nf]} {
    puts [format "%-24s CRASHED (exit status %s), last lines of output:" $name $status]
    puts [expr {$out eq "" ? "(no output)" : [tail $out 80]}]
    incr failed
    continue
  }
  regsub -all -line {^SDTEST \d+ \d+\n?} $out {} out
  set out [string trimright $out]
  incr passed $p
  incr failed $nf
  if {$status ne ($nf > 0 ? 1 : 0)} {
    incr failed
    puts [format "%-24s %d passed, %d failed, then EXIT STATUS %s:" $name $p $nf $status]
    puts $out
  } elseif {$nf > 0} {
    puts [format "%-24s %d of %d FAILED" $name $nf [expr {$p + $nf}]]
    puts $out
  } else {
    puts [format "%-24s ok (%d)" $name $p]
    if {$out ne ""} { puts $out }
  }
}

file delete -force $rundir
puts "$passed passed, $failed failed"
exit [expr {$failed > 0}]
