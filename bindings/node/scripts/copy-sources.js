'use strict';
// npm "prepare" script: copies the repository's C sources into csrc/ so that
// `npm pack` (and npm's own packing of a folder, e.g. --install-links) puts
// them in the tarball; scripts/build.js compiles them on install. npm runs
// "prepare" before packing a folder and before the "install" script of a
// folder installed as a link. Outside a checkout (an unpacked tarball) it
// does nothing: csrc/ is already there.
const fs = require('fs');
const path = require('path');

const PKG = path.resolve(__dirname, '..');
const REPO = path.resolve(PKG, '..', '..');
const CSRC = path.join(PKG, 'csrc');

function inRepository() {
  try {
    return fs.statSync(path.join(REPO, 'ext', 'softdelete.h')).isFile() &&
      fs.statSync(path.join(REPO, 'VERSION')).isFile() &&
      fs.realpathSync(path.join(REPO, 'bindings', 'node')) === fs.realpathSync(PKG);
  } catch (e) {
    return false;
  }
}

if (!inRepository()) {
  if (!fs.existsSync(path.join(CSRC, 'ext', 'softdelete.h'))) {
    console.error('softdelete: no C sources: neither ' + path.join(REPO, 'ext') +
                  ' (a repository checkout) nor ' + path.join(CSRC, 'ext'));
    process.exit(1);
  }
  process.exit(0);
}

const version = fs.readFileSync(path.join(REPO, 'VERSION'), 'utf8').trim();
const pkgVersion = require(path.join(PKG, 'package.json')).version;
if (version !== pkgVersion) {
  const msg = 'softdelete: bindings/node/package.json has version ' + pkgVersion +
              ' but VERSION says ' + version;
  // A tarball must not carry a wrong version; a folder install only warns.
  if (['pack', 'publish'].includes(process.env.npm_command)) {
    console.error(msg);
    process.exit(1);
  }
  console.warn(msg);
}

fs.rmSync(CSRC, { recursive: true, force: true });
fs.mkdirSync(path.join(CSRC, 'ext'), { recursive: true });
for (const f of fs.readdirSync(path.join(REPO, 'ext'))) {
  if (/\.[ch]$/.test(f)) fs.copyFileSync(path.join(REPO, 'ext', f), path.join(CSRC, 'ext', f));
}
for (const f of ['VERSION', 'softdelete.def']) {
  if (fs.existsSync(path.join(REPO, f))) fs.copyFileSync(path.join(REPO, f), path.join(CSRC, f));
}
// npm puts a LICENSE file at the package root into every tarball.
if (fs.existsSync(path.join(REPO, 'LICENSE'))) {
  fs.copyFileSync(path.join(REPO, 'LICENSE'), path.join(PKG, 'LICENSE'));
}
