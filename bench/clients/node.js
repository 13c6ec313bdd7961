#!/usr/bin/env node
// bench/clients/node.js LIB [--quick] [--rounds R]
//
// The read workloads of bench/clients/workloads.json through better-sqlite3
// (Node.js): what an application written for Node feels. As python.py:
// three in-memory databases with the same rows (base, view, vtab), each round
// runs every target on the same keys with the first target rotating, and
// the table gives the median ns/op and the ratios. Statements are prepared
// once (stmt.raw().all(...)). better-sqlite3 links its own SQLite, into which
// the extension is loaded. It is found through NODE_PATH (make bench installs
// it into build/clients). Exit status 1 if the targets returned different rows.
'use strict';
const fs = require('fs');
const path = require('path');
let Database;
try {
  Database = require('better-sqlite3');
} catch (e) {
  console.error('node.js: better-sqlite3 is not installed (make bench installs it ' +
                'into build/clients): ' + e.message);
  process.exit(2);
}

const TARGETS = ['base', 'view', 'vtab'];

function keys(kind, i, users, posts) {
  switch (kind) {
    case 'id': return [(i * 7919) % posts + 1];
    case 'slug': return ['post-' + ((i * 7919) % posts + 1)];
    case 'author': return [(i * 31) % users + 1];
    case 'author2': { const a = (i * 31) % (users - 9) + 1; return [a, a + 9]; }
    case 'offset': return [(i * 97) % 5000];
    default: return [];
  }
}

function build(spec, w, lib) {
  const db = new Database(':memory:');
  if (spec.extension) db.loadExtension(lib);
  const subst = (sql) => sql.split('{S}').join(spec.suffix)
    .split('{USERS}').join(String(w.users)).split('{POSTS}').join(String(w.posts));
  for (const sql of w.data.concat(spec.layer, ['ANALYZE'])) {
    const st = db.prepare(subst(sql));
    if (st.reader) st.all(); else st.run();
  }
  return db;
}

function run(stmt, params) {
  let s = 0;
  const t0 = process.hrtime.bigint();
  for (const p of params) {
    for (const row of stmt.all(...p)) {
      for (const v of row) s += typeof v === 'number' ? v : v.length;
    }
  }
  return [Number(process.hrtime.bigint() - t0) / params.length, s];
}

function median(a) {
  const b = a.slice().sort((x, y) => x - y);
  const n = b.length;
  return n % 2 ? b[(n - 1) / 2] : (b[n / 2 - 1] + b[n / 2]) / 2;
}

function main(argv) {
  const quick = argv.includes('--quick');
  let rounds = quick ? 3 : 7;
  const ri = argv.indexOf('--rounds');
  if (ri >= 0) rounds = parseInt(argv[ri + 1], 10);
  const libs = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--rounds');
  if (!libs.length) {
    console.error('usage: node.js LIB [--quick] [--rounds R]');
    return 2;
  }
  const lib = path.resolve(libs[0]);
  const w = JSON.parse(fs.readFileSync(path.join(__dirname, 'workloads.json'), 'utf8'));
  const dbs = {};
  for (const t of TARGETS) dbs[t] = build(w.targets[t], w, lib);
  const sqliteVersion = dbs.vtab.prepare('SELECT sqlite_version()').pluck().get();
  const version = dbs.vtab.prepare('SELECT sd_version()').pluck().get();
  const bsq = require('better-sqlite3/package.json').version;
  console.log(`client: better-sqlite3 ${bsq} on Node.js ${process.versions.node}, ` +
              `SQLite ${sqliteVersion} (its own), softdelete ${version}`);
  console.log(`${w.users} users, ${w.posts} posts (10% deleted); median ns/op of ` +
              `${rounds} rounds${quick ? '; --quick' : ''}`);
  const pad = (s, n) => String(s).padStart(n);
  console.log('workload    ' + pad('base', 11) + pad('view', 11) + pad('vtab', 11) +
              pad('vtab/view', 11) + pad('vtab/base', 11));
  let bad = 0;
  for (const wl of w.workloads) {
    const n = Math.floor(wl.ops / (quick ? 5 : 1));
    const params = [];
    for (let i = 0; i < n; i++) params.push(keys(wl.key, i, w.users, w.posts));
    const stmts = {};
    for (const t of TARGETS) stmts[t] = dbs[t].prepare(t === 'base' ? wl.base : wl.sql).raw(true);
    const ns = { base: [], view: [], vtab: [] };
    for (let r = -1; r < rounds; r++) {
      const sums = {};
      for (let j = 0; j < TARGETS.length; j++) {
        const t = TARGETS[(j + Math.max(r, 0)) % TARGETS.length];
        const [per, s] = run(stmts[t], r >= 0 ? params : params.slice(0, Math.floor(n / 10) + 1));
        sums[t] = s;
        if (r >= 0) ns[t].push(per);
      }
      if (new Set(Object.values(sums)).size !== 1) {
        bad++;
        console.log(`MISMATCH ${wl.name} round ${r}: ${JSON.stringify(sums)}`);
      }
    }
    const med = {};
    for (const t of TARGETS) med[t] = median(ns[t]);
    console.log(wl.name.padEnd(12) + pad(med.base.toFixed(0), 11) + pad(med.view.toFixed(0), 11) +
                pad(med.vtab.toFixed(0), 11) + pad((med.vtab / med.view).toFixed(2), 11) +
                pad((med.vtab / med.base).toFixed(2), 11));
  }
  for (const t of TARGETS) dbs[t].close();
  return bad ? 1 : 0;
}

process.exit(main(process.argv.slice(2)));
