/*
** fuzz.c: a libFuzzer target that runs its input as SQL against a database
** full of softdelete tables.
**
** Each input gets a fresh in-memory database with the extension registered
** (linked in with -DSQLITE_CORE, as test/static_host.c does) and a fixed
** schema: base tables joined by foreign keys ON DELETE CASCADE, RESTRICT,
** SET NULL and NO ACTION (a self-reference, a composite key, an unwrapped
** child), wrapped by softdelete tables in every marker format, several with
** hostile names (quotes, spaces, unicode, keywords); a live-unique index, a
** live index, a trigger on a base, a view over two virtual tables; rows, some
** of them soft-deleted by cascading operations. The setup SQL (azSetup) runs
** once, into a template database; each input's database is a copy of it made
** with the backup API, plus the per-connection settings (azConnect: foreign
** keys on, the clock pinned). That is the same state at a hundredth of the
** cost: running the setup took 10 ms per input before ASan, most of it in
** the extension's first DELETEs. Inputs still reach xCreate by creating
** tables of their own; the setup's tables are reached through xConnect.
**
** The input then runs one statement at a time; a statement that fails is
** skipped up to its end (sqlite3_complete()) and the next one runs, so one
** bad token does not waste the rest of the input. Every column of every
** result row is read. The database is closed at the end with
** sqlite3_close(), so a statement the extension left unfinalized aborts the
** run, and LeakSanitizer reports any memory it did not free. SD_FUZZ_TRACE=1
** in the environment prints each statement, its rows and errors.
**
** The extension is compiled with ASan, UBSan and coverage instrumentation;
** the system SQLite is not, so libFuzzer's coverage (cov, ft) counts edges
** of the extension and this file only: the fuzzer steers towards the
** extension.
**
** Why each limit (all per input, so one input stays fast and bounded):
**   - progress handler: interrupts every statement once the input has run
**     FUZZ_MAX_STEPS virtual-machine steps in all (statements the extension
**     runs inside count too), so recursive CTEs, cross joins and cascades
**     over big tables end quickly, with SQLITE_INTERRUPT;
**   - sqlite3_limit(): strings, blobs and SQL text stay under 20 kB,
**     expressions shallow (the parser recurses), with no big IN lists,
**     compounds, wide tables, deep trigger recursion, many attached schemas
**     or worker threads (threads would make runs non-deterministic). The
**     length limit is low on purpose: near it, SQLite 3.40's string builder
**     grows its buffer one append at a time and under ASan every realloc
**     copies, so printf('%.*c', 5000000, 'x') ran for minutes at 1 MB;
**   - hard heap limit: a ceiling on the memory SQLite allocates, which also
**     sends the extension down its out-of-memory paths when an input builds
**     something big; reset before every input since PRAGMA hard_heap_limit
**     and soft_heap_limit change it process-wide.
**
** Keeping the input away from files: the default VFS is this file's
** "fuzzvfs", which refuses to open any file at all (xOpen fails, xAccess
** answers "does not exist", xDelete fails, xDlOpen finds nothing). The
** database is ":memory:" and PRAGMA temp_store=MEMORY keeps temp tables,
** statement journals and sorts in memory, so nothing legitimate needs a
** file; ATTACH 'x.db', VACUUM INTO 'x.db', PRAGMA temp_store=FILE followed
** by a big sort all fail with SQLITE_CANTOPEN. URI filenames are turned off
** (Debian builds SQLite with SQLITE_USE_URI=1), so "file:x?vfs=unix" cannot
** pick the real VFS. load_extension() stays off. A VFS was chosen over an
** authorizer for this because it covers every path that opens a file, the
** ones SQLite runs inside itself (VACUUM's own ATTACH) included, without a
** list of statements to get right. No sqlite3_deserialize() is used (the
** backup API copies the template), so SQLite 3.40.1's crash with
** deserialize, an authorizer and pragma_module_list cannot happen here.
**
** The VFS also makes runs deterministic: its clock is fixed (2024-06-01
** 00:00:00 UTC, what 'now' and an unpinned sd_clock() read) and its
** randomness is a constant, and SQLite's PRNG is reset before every input,
** so random(), randomblob() and the extension's operation ids repeat. The
** setup pins the deletion clock with sd_clock().
**
** An authorizer refuses CREATE VIRTUAL TABLE for every module but
** softdelete: FTS3/4/5 and R-Tree are in Debian's SQLite, their own bugs are
** not this project's to find, and the fuzzer would spend its time there.
**
** Build and run: see test/fuzz/fuzz.mk (make fuzz, make fuzz-quick).
*/
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sqlite3_softdelete_init(sqlite3*, char**, const sqlite3_api_routines*);

/* VM steps per input, counted FUZZ_STEP_GRAIN at a time. */
#define FUZZ_STEP_GRAIN  64
#define FUZZ_MAX_STEPS   500000
#define FUZZ_HEAP_LIMIT  (64*1024*1024)

/* 2024-06-01 00:00:00 UTC as Julian-day milliseconds, the VFS clock. */
#define FUZZ_NOW_JDMS    ((sqlite3_int64)210866760000000 + 1717200000000)

/* ---- A VFS that opens nothing ------------------------------------------ */

static int fuzzvfsOpen(sqlite3_vfs *pVfs, const char *zName, sqlite3_file *pFile,
                       int flags, int *pOutFlags){
  (void)pVfs; (void)zName; (void)flags; (void)pOutFlags;
  pFile->pMethods = 0;      /* nothing to close */
  return SQLITE_CANTOPEN;
}
static int fuzzvfsDelete(sqlite3_vfs *pVfs, const char *zName, int syncDir){
  (void)pVfs; (void)zName; (void)syncDir;
  return SQLITE_IOERR_DELETE;
}
static int fuzzvfsAccess(sqlite3_vfs *pVfs, const char *zName, int flags,
                         int *pResOut){
  (void)pVfs; (void)zName; (void)flags;
  *pResOut = 0;
  return SQLITE_OK;
}
static int fuzzvfsFullPathname(sqlite3_vfs *pVfs, const char *zName, int nOut,
                               char *zOut){
  (void)pVfs;
  sqlite3_snprintf(nOut, zOut, "%s", zName);
  return SQLITE_OK;
}
static void *fuzzvfsDlOpen(sqlite3_vfs *pVfs, const char *zPath){
  (void)pVfs; (void)zPath;
  return 0;
}
static void fuzzvfsDlError(sqlite3_vfs *pVfs, int nByte, char *zErrMsg){
  (void)pVfs;
  sqlite3_snprintf(nByte, zErrMsg, "fuzzvfs: no shared libraries");
}
static void (*fuzzvfsDlSym(sqlite3_vfs *pVfs, void *p, const char *zSym))(void){
  (void)pVfs; (void)p; (void)zSym;
  return 0;
}
static void fuzzvfsDlClose(sqlite3_vfs *pVfs, void *p){
  (void)pVfs; (void)p;
}
static int fuzzvfsRandomness(sqlite3_vfs *pVfs, int nByte, char *zOut){
  int i;
  (void)pVfs;
  for(i=0; i<nByte; i++) zOut[i] = (char)(i*37 + 11);
  return nByte;
}
static int fuzzvfsSleep(sqlite3_vfs *pVfs, int microseconds){
  (void)pVfs;
  return microseconds;      /* pretend: a busy handler must not slow us */
}
static int fuzzvfsCurrentTime(sqlite3_vfs *pVfs, double *pTime){
  (void)pVfs;
  *pTime = FUZZ_NOW_JDMS/86400000.0;
  return SQLITE_OK;
}
static int fuzzvfsGetLastError(sqlite3_vfs *pVfs, int nByte, char *zOut){
  (void)pVfs; (void)nByte; (void)zOut;
  return 0;
}
static int fuzzvfsCurrentTimeInt64(sqlite3_vfs *pVfs, sqlite3_int64 *piTime){
  (void)pVfs;
  *piTime = FUZZ_NOW_JDMS;
  return SQLITE_OK;
}

static sqlite3_vfs fuzzVfs = {
  2,                        /* iVersion: has xCurrentTimeInt64 */
  sizeof(sqlite3_file),     /* szOsFile */
  512,                      /* mxPathname */
  0,                        /* pNext */
  "fuzzvfs",                /* zName */
  0,                        /* pAppData */
  fuzzvfsOpen,              /* xOpen: always SQLITE_CANTOPEN */
  fuzzvfsDelete,            /* xDelete */
  fuzzvfsAccess,            /* xAccess: no file exists */
  fuzzvfsFullPathname,      /* xFullPathname: the name as given */
  fuzzvfsDlOpen,            /* xDlOpen */
  fuzzvfsDlError,           /* xDlError */
  fuzzvfsDlSym,             /* xDlSym */
  fuzzvfsDlClose,           /* xDlClose */
  fuzzvfsRandomness,        /* xRandomness: constant */
  fuzzvfsSleep,             /* xSleep: does not sleep */
  fuzzvfsCurrentTime,       /* xCurrentTime: fixed */
  fuzzvfsGetLastError,      /* xGetLastError */
  fuzzvfsCurrentTimeInt64,  /* xCurrentTimeInt64: fixed */
  0, 0, 0                   /* xSetSystemCall, xGetSystemCall, xNextSystemCall */
};

/* ---- The fixed setup ---------------------------------------------------- */

/*
** Run once, into the template database, one statement per entry, each
** checked (a failure aborts: the extension no longer accepts what it did).
** Names come in pairs base/virtual:
**   users_data / users               datetime, live-unique email, NOCASE name,
**                                    generated column, trigger on the marker,
**                                    actor=deleted_by (the input's connection
**                                    has sd_actor('fuzz')); users_trash
**   posts_data / posts               removed_at unixepoch; CASCADE -> users;
**                                    posts_trash, posts_all (show=all)
**   "com""ment data" / "com""ments"  unixepoch_ms; CASCADE -> posts,
**                                    SET NULL -> users
**   [order] / "group"                julianday; RESTRICT -> users; keyword
**                                    columns
**   "tâble ✓" / "vüe ✓"              boolean marker "gone" declared by the
**                                    base NOT NULL DEFAULT 0, live=0,
**                                    guard=on (triggers on the base);
**                                    CASCADE self-reference; "vüe ✓ trash"
**   cats_data / cats, items_data / items   composite NO ACTION key onto a
**                                    UNIQUE pair
**   audit                            unwrapped, CASCADE -> users (never
**                                    touched by a soft delete)
*/
static const char *const azSetup[] = {
  "PRAGMA foreign_keys=ON",
  "PRAGMA temp_store=MEMORY",
  "SELECT sd_clock('2024-05-01 12:00:00')",
  "CREATE TABLE users_data(id INTEGER PRIMARY KEY, email TEXT NOT NULL,"
  " name TEXT COLLATE NOCASE, born REAL, score NUMERIC DEFAULT 0,"
  " nlen INT GENERATED ALWAYS AS (length(name)) VIRTUAL)",
  "CREATE VIRTUAL TABLE users USING softdelete(users_data, actor=deleted_by)",
  "CREATE VIRTUAL TABLE users_trash USING softdelete(users_data, show=deleted)",
  "CREATE TABLE posts_data(id INTEGER PRIMARY KEY, title TEXT DEFAULT 'untitled',"
  " body BLOB, author_id INTEGER REFERENCES users_data(id) ON DELETE CASCADE,"
  " CHECK (length(title) < 200))",
  "CREATE VIRTUAL TABLE posts USING softdelete(posts_data, column=removed_at,"
  " format=unixepoch, retain='30 days')",
  "CREATE VIRTUAL TABLE posts_trash USING softdelete(posts_data, show=deleted)",
  "CREATE VIRTUAL TABLE posts_all USING softdelete(posts_data, show=all)",
  "CREATE TABLE \"com\"\"ment data\"(\"i d\" INTEGER PRIMARY KEY,"
  " \"po st\" INTEGER REFERENCES posts_data(id) ON DELETE CASCADE,"
  " [by] INTEGER REFERENCES users_data(id) ON DELETE SET NULL, `text` TEXT)",
  "CREATE VIRTUAL TABLE \"com\"\"ments\" USING softdelete(\"com\"\"ment data\","
  " format=unixepoch_ms)",
  "CREATE TABLE [order](id INTEGER PRIMARY KEY, [select] TEXT,"
  " \"from\" INTEGER REFERENCES users_data(id) ON DELETE RESTRICT)",
  "CREATE VIRTUAL TABLE \"group\" USING softdelete([order], format=julianday)",
  "CREATE TABLE \"tâble ✓\"(id INTEGER PRIMARY KEY,"
  " parent INTEGER REFERENCES \"tâble ✓\"(id) ON DELETE CASCADE,"
  " \"naïve\" TEXT, gone INTEGER NOT NULL DEFAULT 0)",
  "CREATE VIRTUAL TABLE \"vüe ✓\" USING softdelete(\"tâble ✓\", column=gone,"
  " format=boolean, live=0, guard=on)",
  "CREATE VIRTUAL TABLE \"vüe ✓ trash\" USING softdelete(\"tâble ✓\", show=deleted)",
  "CREATE TABLE cats_data(a TEXT, b INTEGER, label TEXT, UNIQUE(a, b))",
  "CREATE TABLE items_data(id INTEGER PRIMARY KEY, ca TEXT, cb INTEGER,"
  " FOREIGN KEY(ca, cb) REFERENCES cats_data(a, b))",
  "CREATE VIRTUAL TABLE cats USING softdelete(cats_data)",
  "CREATE VIRTUAL TABLE items USING softdelete(items_data)",
  "CREATE TABLE audit(id INTEGER PRIMARY KEY,"
  " uid INTEGER REFERENCES users_data(id) ON DELETE CASCADE, note TEXT)",
  "CREATE TRIGGER users_marked AFTER UPDATE OF deleted_at ON users_data BEGIN"
  " INSERT INTO audit(uid, note) VALUES (new.id, 'marker ' || quote(new.deleted_at));"
  " END",
  "CREATE VIEW live_posts AS SELECT p.id, p.title, u.email"
  " FROM posts p JOIN users u ON u.id = p.author_id",
  "SELECT sd_unique('users', 'email')",
  "SELECT sd_index('posts', 'author_id', 'title')",
  "INSERT INTO users(id, email, name, born) VALUES"
  " (1, 'ada@example.com', 'Ada', 1815.12), (2, 'bob@example.com', 'Bob', NULL),"
  " (3, 'cy@example.com', 'cy', 2000), (4, 'dee@example.com', 'DEE', -1.5),"
  " (5, 'eve@example.com', NULL, 0)",
  "INSERT INTO posts(id, title, body, author_id) VALUES"
  " (1, 'Engines', x'00ff', 1), (2, 'Notes', NULL, 1), (3, 'Hello', 'hi', 2),"
  " (4, NULL, 42, 3), (5, 'Orphan', NULL, NULL)",
  "INSERT INTO \"com\"\"ments\" VALUES (1, 1, 2, 'nice'), (2, 3, 1, 'hm'),"
  " (3, 3, 2, NULL), (4, 4, NULL, 'x''y')",
  "INSERT INTO \"group\" VALUES (1, 'select', 4), (2, NULL, NULL)",
  "INSERT INTO \"vüe ✓\"(id, parent, \"naïve\") VALUES (1, NULL, 'root'),"
  " (2, 1, 'kid'), (3, 2, 'grandkid'), (4, 4, 'self')",
  "INSERT INTO cats VALUES ('a', 1, 'one'), ('a', 2, 'two'), ('B', 1, 'b1')",
  "INSERT INTO items VALUES (1, 'a', 1), (2, 'a', 2), (3, NULL, 1)",
  "INSERT INTO audit(uid, note) VALUES (1, 'created'), (2, 'created')",
  "DELETE FROM posts WHERE id = 2",
  "DELETE FROM users WHERE id = 2",
  "SELECT sd_clock('2024-05-02 08:30:00')",
  "DELETE FROM \"vüe ✓\" WHERE id = 2",
  "DELETE FROM items WHERE id = 2",
  "DELETE FROM cats WHERE b = 2",
};

/* Per-connection settings, which a copy of the database does not carry. */
static const char *const azConnect[] = {
  "PRAGMA foreign_keys=ON",
  "PRAGMA temp_store=MEMORY",
  "SELECT sd_clock('2024-05-02 08:30:00')",
  "SELECT sd_actor('fuzz')",
};

/* The database azSetup built, copied into every input's database. */
static sqlite3 *fuzzTemplate = 0;

/* ---- Per-input hooks ---------------------------------------------------- */

/* Interrupt once the input has used its share of VM steps. */
static int fuzzProgress(void *pArg){
  unsigned int *pnLeft = (unsigned int*)pArg;
  if( *pnLeft==0 ) return 1;
  (*pnLeft)--;
  return 0;
}

/* Only softdelete virtual tables may be created (see the header). */
static int fuzzAuth(void *pArg, int op, const char *z1, const char *z2,
                    const char *zDb, const char *zTrigger){
  (void)pArg; (void)z1; (void)zDb; (void)zTrigger;
  if( op==SQLITE_CREATE_VTABLE ){
    return z2 && sqlite3_stricmp(z2, "softdelete")==0 ? SQLITE_OK : SQLITE_DENY;
  }
  return SQLITE_OK;
}

/* Limits for the input; the setup runs with SQLite's defaults. */
static void fuzzLimits(sqlite3 *db){
  static const struct { int id; int v; } aLimit[] = {
    { SQLITE_LIMIT_LENGTH,                20000 },
    { SQLITE_LIMIT_SQL_LENGTH,            20000 },
    { SQLITE_LIMIT_COLUMN,                   64 },
    { SQLITE_LIMIT_EXPR_DEPTH,              100 },
    { SQLITE_LIMIT_COMPOUND_SELECT,          10 },
    { SQLITE_LIMIT_VDBE_OP,               25000 },
    { SQLITE_LIMIT_FUNCTION_ARG,             16 },
    { SQLITE_LIMIT_ATTACHED,                  2 },
    { SQLITE_LIMIT_LIKE_PATTERN_LENGTH,     100 },
    { SQLITE_LIMIT_VARIABLE_NUMBER,          64 },
    { SQLITE_LIMIT_TRIGGER_DEPTH,             8 },
    { SQLITE_LIMIT_WORKER_THREADS,            0 },
  };
  int i;
  for(i=0; i<(int)(sizeof(aLimit)/sizeof(aLimit[0])); i++){
    sqlite3_limit(db, aLimit[i].id, aLimit[i].v);
  }
}

static void fuzzFatal(const char *zWhat, sqlite3 *db){
  fprintf(stderr, "fuzz: %s: %s\n", zWhat, db ? sqlite3_errmsg(db) : "");
  abort();
}

/* A fresh in-memory database with the extension; abort on failure. */
static sqlite3 *fuzzOpen(void){
  sqlite3 *db = 0;
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) fuzzFatal("open", db);
  if( sqlite3_softdelete_init(db, 0, 0)!=SQLITE_OK ) fuzzFatal("init", db);
  return db;
}

/* Run each statement of az[]; abort on the first that fails. */
static void fuzzExecAll(sqlite3 *db, const char *const *az, int n){
  int i;
  for(i=0; i<n; i++){
    char *zErr = 0;
    if( sqlite3_exec(db, az[i], 0, 0, &zErr)!=SQLITE_OK ){
      fprintf(stderr, "fuzz: setup failed: %s\n  in: %s\n", zErr, az[i]);
      abort();
    }
  }
}

int LLVMFuzzerInitialize(int *pArgc, char ***pArgv){
  (void)pArgc; (void)pArgv;
  /* Before sqlite3_initialize(): plain file names only, never URIs. */
  if( sqlite3_config(SQLITE_CONFIG_URI, 0)!=SQLITE_OK ) fuzzFatal("config URI", 0);
  if( sqlite3_initialize()!=SQLITE_OK ) fuzzFatal("sqlite3_initialize", 0);
  if( sqlite3_vfs_register(&fuzzVfs, 1)!=SQLITE_OK ) fuzzFatal("vfs_register", 0);
  /* Kept open for the life of the process (still reachable, not a leak). */
  fuzzTemplate = fuzzOpen();
  fuzzExecAll(fuzzTemplate, azSetup, (int)(sizeof(azSetup)/sizeof(azSetup[0])));
  return 0;
}

/*
** The end of the first complete statement in z (just after its ';', as
** sqlite3_complete() sees it: strings, comments and trigger bodies count),
** or 0 if z holds none. z is the input's own copy, written to briefly.
*/
static char *fuzzStatementEnd(char *z){
  char *p;
  for(p=strchr(z, ';'); p; p=strchr(p+1, ';')){
    char c = p[1];
    int bDone;
    p[1] = 0;
    bDone = sqlite3_complete(z);
    p[1] = c;
    if( bDone ) return p+1;
  }
  return 0;
}

/*
** Run zSql one statement at a time, going on after errors. With bTrace
** (SD_FUZZ_TRACE set in the environment), print each statement, its rows
** and its outcome on stderr: that is how a crash input is read.
*/
static void fuzzRun(sqlite3 *db, char *zSql, int bTrace){
  const char *z = zSql;
  while( *z ){
    sqlite3_stmt *pStmt = 0;
    const char *zTail = 0;
    int rc = sqlite3_prepare_v2(db, z, -1, &pStmt, &zTail);
    if( pStmt ){
      if( bTrace ) fprintf(stderr, "SQL: %s\n", sqlite3_sql(pStmt));
      while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
        int i, n = sqlite3_column_count(pStmt);
        for(i=0; i<n; i++){
          /* Every value as text, the conversion a client does most. */
          const unsigned char *zVal;
          (void)sqlite3_column_type(pStmt, i);
          zVal = sqlite3_column_text(pStmt, i);
          (void)sqlite3_column_bytes(pStmt, i);
          if( bTrace ){
            fprintf(stderr, "%s%.60s", i ? "|" : "  row: ",
                    zVal ? (const char*)zVal : "NULL");
          }
        }
        if( bTrace ) fprintf(stderr, "\n");
      }
      sqlite3_finalize(pStmt);
    }
    if( bTrace && rc!=SQLITE_OK && rc!=SQLITE_DONE ){
      fprintf(stderr, "  error %d: %s\n", rc, sqlite3_errmsg(db));
    }
    if( pStmt==0 && rc!=SQLITE_OK ){
      /* The parser stopped inside the statement: go on after its end. */
      char *zEnd = fuzzStatementEnd((char*)z);
      if( zEnd==0 ) break;
      if( zTail==0 || zTail<zEnd ) zTail = zEnd;
    }
    if( zTail==0 || zTail<=z ) break;
    z = zTail;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  sqlite3 *db = 0;
  char *zSql;
  sqlite3_backup *pBackup;
  unsigned int nLeft = FUZZ_MAX_STEPS/FUZZ_STEP_GRAIN;
  int rc;

  zSql = malloc(nData+1);
  if( zSql==0 ) return 0;
  memcpy(zSql, aData, nData);
  zSql[nData] = 0;

  sqlite3_randomness(0, 0);              /* the PRNG restarts from the VFS */
  sqlite3_hard_heap_limit64(FUZZ_HEAP_LIMIT);
  sqlite3_soft_heap_limit64(0);

  db = fuzzOpen();
  pBackup = sqlite3_backup_init(db, "main", fuzzTemplate, "main");
  if( pBackup==0 ) fuzzFatal("backup_init", db);
  rc = sqlite3_backup_step(pBackup, -1);
  if( sqlite3_backup_finish(pBackup)!=SQLITE_OK || rc!=SQLITE_DONE ){
    fuzzFatal("backup", db);
  }
  fuzzExecAll(db, azConnect, (int)(sizeof(azConnect)/sizeof(azConnect[0])));

  fuzzLimits(db);
  if( sqlite3_set_authorizer(db, fuzzAuth, 0)!=SQLITE_OK ) fuzzFatal("authorizer", db);
  sqlite3_progress_handler(db, FUZZ_STEP_GRAIN, fuzzProgress, &nLeft);

  fuzzRun(db, zSql, getenv("SD_FUZZ_TRACE")!=0);

  /* Not sqlite3_close_v2(): a statement left unfinalized must be seen. */
  rc = sqlite3_close(db);
  if( rc!=SQLITE_OK ){
    sqlite3_stmt *p = 0;
    fprintf(stderr, "fuzz: sqlite3_close: %s\n", sqlite3_errmsg(db));
    while( (p = sqlite3_next_stmt(db, p))!=0 ){
      fprintf(stderr, "  unfinalized: %s\n", sqlite3_sql(p));
    }
    abort();
  }
  free(zSql);
  return 0;
}
