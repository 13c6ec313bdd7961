'use strict';
// npm "install" script: compiles the softdelete SQLite extension into
// build/softdelete.so (.dylib on macOS, .dll on Windows with MinGW gcc) with
// the C compiler of the machine. No node-gyp, nothing downloaded.
//
// Sources, first found wins:
//   ../../ext/*.c, ../../VERSION  this folder is bindings/node of a checkout
//                                 (npm install path/to/softdelete/bindings/node)
//   csrc/ext/*.c, csrc/VERSION    copied in by scripts/copy-sources.js
//                                 ("prepare") for npm pack: the tarball
//
// Environment, as for the repository's Makefile: CC (default cc), CPPFLAGS,
// CFLAGS (default -O2), LDFLAGS; SQLITE_INCDIR, a folder holding
// sqlite3ext.h when it is not on the compiler's include path.
// The flags are those of `make loadable`: -std=c11 -fPIC -shared
// -DSD_VERSION=..., never -lsqlite3 (the extension reaches SQLite only
// through the sqlite3_api table that the loading program hands it).
const cp = require('child_process');
const fs = require('fs');
const path = require('path');

const PKG = path.resolve(__dirname, '..');
const REPO = path.resolve(PKG, '..', '..');
const OUTDIR = path.join(PKG, 'build');
const LIBNAME = process.platform === 'win32' ? 'softdelete.dll'
  : process.platform === 'darwin' ? 'softdelete.dylib' : 'softdelete.so';

function fail(msg) {
  console.error('\nsoftdelete: ' + msg.split('\n').join('\nsoftdelete: ') + '\n');
  process.exit(1);
}

// "gcc -m64" or CFLAGS="-O2 -g": split like a shell would, quotes included.
function words(s) {
  const out = [];
  const re = /(?:[^\s"']+|"[^"]*"|'[^']*')+/g;
  let m;
  while ((m = re.exec(s || '')) !== null) out.push(m[0].replace(/"([^"]*)"|'([^']*)'/g, '$1$2'));
  return out;
}

function isFile(p) {
  try { return fs.statSync(p).isFile(); } catch (e) { return false; }
}

function sourceRoot() {
  let inRepo = false;
  try {
    inRepo = isFile(path.join(REPO, 'ext', 'softdelete.h')) && isFile(path.join(REPO, 'VERSION')) &&
      fs.realpathSync(path.join(REPO, 'bindings', 'node')) === fs.realpathSync(PKG);
  } catch (e) { /* not a checkout */ }
  if (inRepo) return REPO;
  const csrc = path.join(PKG, 'csrc');
  if (isFile(path.join(csrc, 'ext', 'softdelete.h')) && isFile(path.join(csrc, 'VERSION'))) return csrc;
  fail('the C sources are missing: neither ' + path.join(REPO, 'ext') + ' (installing the\n' +
       'repository folder bindings/node) nor ' + path.join(csrc, 'ext') + ' (a tarball made\n' +
       'by npm pack in bindings/node, which copies them there; not with --ignore-scripts).');
}

const root = sourceRoot();
const version = fs.readFileSync(path.join(root, 'VERSION'), 'utf8').trim();
const extDir = path.join(root, 'ext');
const sources = fs.readdirSync(extDir).filter((f) => f.endsWith('.c')).sort()
  .map((f) => path.join(extDir, f));
if (sources.length === 0) fail('no C sources in ' + extDir);

const cc = words(process.env.CC || (process.platform === 'win32' ? 'gcc' : 'cc'));
const cppflags = words(process.env.CPPFLAGS);
if (process.env.SQLITE_INCDIR) cppflags.push('-I' + process.env.SQLITE_INCDIR);
const cflags = words(process.env.CFLAGS === undefined ? '-O2' : process.env.CFLAGS);
const ldflags = words(process.env.LDFLAGS);

function run(args, input) {
  return cp.spawnSync(cc[0], cc.slice(1).concat(args), {
    input: input, encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
}

// 1. A C compiler.
const probe = run(['--version']);
if (probe.error) {
  fail('no C compiler: cannot run "' + cc[0] + '" (' + probe.error.code + ').\n' +
       'Install one, with SQLite\'s headers (Debian/Ubuntu: apt-get install gcc libc6-dev\n' +
       'libsqlite3-dev; Fedora: dnf install gcc sqlite-devel; macOS: xcode-select --install),\n' +
       'or set CC to the compiler\'s name.');
}

// 2. SQLite's extension header.
const hdr = run(cppflags.concat(['-E', '-x', 'c', '-']), '#include <sqlite3ext.h>\n');
if (hdr.status !== 0) {
  const why = (hdr.stderr || '').split('\n').find((l) => /sqlite3ext\.h|error/.test(l)) || '';
  fail('sqlite3ext.h not found by "' + cc.join(' ') + '"' + (why ? ':\n  ' + why.trim() : '') + '\n' +
       'Install SQLite\'s development headers (Debian/Ubuntu: apt-get install libsqlite3-dev;\n' +
       'Fedora: dnf install sqlite-devel; Alpine: apk add sqlite-dev), or set\n' +
       'SQLITE_INCDIR to the folder that holds sqlite3ext.h.');
}

// 3. Compile and link in one command, into a temporary name that is then
// renamed, so a process that has the old library loaded keeps a whole file.
let shared;
let pic = ['-fPIC'];
if (process.platform === 'win32') {
  shared = ['-shared', path.join(root, 'softdelete.def')];
  pic = [];
} else if (process.platform === 'darwin') {
  shared = ['-dynamiclib', '-Wl,-exported_symbol,_sqlite3_softdelete_init'];
}
fs.mkdirSync(OUTDIR, { recursive: true });
if (!shared) {
  // Export the entry point only. SQLite opens extensions RTLD_GLOBAL, so an
  // exported sqlite3_api or sd* symbol would be bound to the first copy
  // loaded in the process by every later copy (see the copies below).
  const map = path.join(OUTDIR, 'exports.map');
  fs.writeFileSync(map, '{ global: sqlite3_softdelete_init; local: *; };\n');
  // -z defs: undefined symbols fail here, not at load time.
  shared = ['-shared', '-Wl,-z,defs', '-Wl,--version-script=' + map];
}
const lib = path.join(OUTDIR, LIBNAME);
const tmp = path.join(OUTDIR, 'tmp-' + process.pid + '-' + LIBNAME);
// No stale library if this build fails.
for (const f of [lib, path.join(OUTDIR, 'sqlite3', LIBNAME), path.join(OUTDIR, 'node-sqlite', LIBNAME)]) {
  fs.rmSync(f, { force: true });
}
const args = ['-std=c11', '-Wall', '-Wextra'].concat(cppflags, cflags,
  ['-DSD_VERSION="' + version + '"'], pic, ['-o', tmp], sources, shared, ldflags);
console.log(cc.concat(args).map((a) => (/[\s"'$]/.test(a) ? "'" + a + "'" : a)).join(' '));
const res = cp.spawnSync(cc[0], cc.slice(1).concat(args), { stdio: 'inherit' });
if (res.error || res.status !== 0) {
  fs.rmSync(tmp, { force: true });
  fail('compiling ' + LIBNAME + ' failed (' + (res.error ? res.error.message : 'exit status ' + res.status) +
       '); the compiler\'s messages are above.');
}
fs.renameSync(tmp, lib);

// One copy per SQLite library that a Node process may hold: a loadable
// extension keeps the loading SQLite's routines in a global (sqlite3_api),
// and the dynamic loader opens a file only once per process, so loading the
// same file into better-sqlite3's SQLite and then into sqlite3's would make
// the first one call into the second (a crash). index.js picks the copy by
// client; the copies keep the file name that gives the entry point.
for (const dir of ['sqlite3', 'node-sqlite']) {
  const d = path.join(OUTDIR, dir);
  fs.mkdirSync(d, { recursive: true });
  const t = path.join(d, 'tmp-' + process.pid + '-' + LIBNAME);
  fs.copyFileSync(lib, t);
  fs.renameSync(t, path.join(d, LIBNAME));
}
console.log('softdelete: built ' + lib + ' (softdelete ' + version + ' from ' + root + ')');
