// The checks of the Node.js ORM examples: every check counts, the first
// failure stops the example. checks(name) gives eq, ok and fails, and run,
// which runs the example's main(), closes its connection either way, and
// prints the summary line "<name>: N passed, N failed" that
// examples/orm/node-example.sh and `make orm` read (exit status 1 on a
// failure).
'use strict';
const assert = require('node:assert/strict');

// errorText: the text of an error that fails() matches (some ORMs wrap the
// driver's error and keep its message elsewhere).
function checks(name, { errorText = (e) => String(e.message) } = {}) {
  let passed = 0;

  function eq(actual, expected, what) {
    try { assert.deepStrictEqual(actual, expected); } catch (e) {
      throw new Error(`check failed: ${what}\n  expected ${JSON.stringify(expected)}\n  got      ${JSON.stringify(actual)}`);
    }
    passed++;
  }

  function ok(cond, what) { eq(Boolean(cond), true, what); }

  async function fails(fn, pattern, what) {
    let err = null;
    try { await fn(); } catch (e) { err = e; }
    if (!err) throw new Error(`check failed: ${what}\n  expected an error matching ${pattern}, got none`);
    const msg = errorText(err);
    if (!pattern.test(msg)) {
      throw new Error(`check failed: ${what}\n  expected an error matching ${pattern}\n  got ${msg}`);
    }
    passed++;
  }

  // close: closes the example's connection (may be async).
  function run(main, close) {
    main().then(
      async () => { await close(); console.log(`${name}: ${passed} passed, 0 failed`); },
      async (e) => {
        console.error(e.stack || String(e));
        try { await close(); } catch { /* closed already, or never opened */ }
        console.log(`${name}: ${passed} passed, 1 failed`);
        process.exitCode = 1;
      });
  }

  return { eq, ok, fails, run };
}

module.exports = { checks };
