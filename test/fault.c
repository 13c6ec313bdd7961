/*
** fault.c: out-of-memory and I/O-error injection over softdelete's core
** workloads, in the manner of SQLite's own malloc and ioerr tests.
**
**   build/fault --oom   [--quick] [--only W[,W...]] [--stride N] [-v]
**   build/fault --ioerr [--quick] [--only W[,W...]] [--stride N] [-v]
**
** Each workload is one statement (or a short script) run on a prepared
** database. It is first run without faults, to learn the state before and
** after it. Then, for N = 1, 2, 3 ..., it is run again on a fresh copy with
** the N-th allocation (--oom) or the N-th read, write, sync or truncate
** (--ioerr) failing, once ("transient") or from then on ("persistent"),
** until a run meets no fault. After every faulted run:
**
**   - the statement returned SQLITE_OK, and the database is the state
**     after; or it returned an error of the injected kind (SQLITE_NOMEM,
**     SQLITE_IOERR_*), with a message, and the database is the state before
**     (for --ioerr, after the file is closed and opened again, with
**     PRAGMA integrity_check "ok"; a commit may also have gone through);
**   - the connection is as before: in autocommit mode (a workload that
**     opens its own transaction is rolled back by the harness first);
**   - nothing cached on the connection changes what comes next: the same
**     workload run again there without faults gives the state after;
**   - every allocation is freed when the connection closes (sqlite3_close
**     returns SQLITE_OK: no statement left unfinalized), counted by the
**     allocator wrapper; built with ASan, LeakSanitizer checks the rest.
**
** The databases are files in a temporary directory. States are compared as
** dumps of every ordinary table and of the schema text, with operation ids
** renumbered in order of appearance (they are random).
**
** --quick tries every --stride-th fault point only (default 7) and fewer
** cache/journal variants: the short run of `make test`. The long run
** (`make faults`) tries every point of every variant.
*/
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

int sqlite3_softdelete_init(sqlite3*, char**, const sqlite3_api_routines*);

/* ---- Fault points: the N-th call of a kind fails ------------------------ */

typedef struct Fault Fault;
struct Fault {
  int bArmed;             /* Count calls and fail them */
  int iCountdown;         /* Fail when this reaches 0 */
  int bPersist;           /* Keep failing after the first */
  int nFail;              /* Faults injected since armed */
};
static Fault oom;         /* Allocations */
static Fault io;          /* Reads, writes, syncs, truncates */
static long long nOut;    /* Allocations not yet freed */

/* Should this call fail? */
static int faultHit(Fault *f){
  if( !f->bArmed ) return 0;
  if( f->iCountdown>0 && --f->iCountdown>0 ) return 0;
  if( f->iCountdown==0 && (f->nFail==0 || f->bPersist) ){
    f->nFail++;
    return 1;
  }
  return 0;
}
static void faultArm(Fault *f, int n, int bPersist){
  f->iCountdown = n;
  f->bPersist = bPersist;
  f->nFail = 0;
  f->bArmed = 1;
}
/* Stop failing; returns how many faults were injected. */
static int faultDisarm(Fault *f){
  f->bArmed = 0;
  return f->nFail;
}

/* ---- Allocator wrapper: counts, and fails on demand --------------------- */

static sqlite3_mem_methods fltReal;   /* SQLite's own allocator */

static void *fltMalloc(int n){
  void *p;
  if( faultHit(&oom) ) return 0;
  p = fltReal.xMalloc(n);
  if( p ) nOut++;
  return p;
}
static void fltFree(void *p){
  if( p ) nOut--;
  fltReal.xFree(p);
}
static void *fltRealloc(void *p, int n){
  void *pNew;
  if( faultHit(&oom) ) return 0;
  pNew = fltReal.xRealloc(p, n);
  if( p==0 && pNew ) nOut++;
  return pNew;
}
static int fltSize(void *p){ return fltReal.xSize(p); }
static int fltRoundup(int n){ return fltReal.xRoundup(n); }
static int fltInit(void *p){ return fltReal.xInit(p); }
static void fltShutdown(void *p){ fltReal.xShutdown(p); }

/* ---- VFS shim: counts I/O calls, and fails on demand -------------------- */

typedef struct FltFile FltFile;
struct FltFile {
  sqlite3_file base;      /* Base class. Must be first */
  sqlite3_file *pReal;    /* The real file, allocated right after this */
};
static sqlite3_vfs *pRealVfs;

static int fltClose(sqlite3_file *f){
  FltFile *p = (FltFile*)f;
  int rc = p->pReal->pMethods ? p->pReal->pMethods->xClose(p->pReal) : SQLITE_OK;
  return rc;
}
static int fltRead(sqlite3_file *f, void *z, int n, sqlite3_int64 off){
  FltFile *p = (FltFile*)f;
  if( faultHit(&io) ) return SQLITE_IOERR_READ;
  return p->pReal->pMethods->xRead(p->pReal, z, n, off);
}
static int fltWrite(sqlite3_file *f, const void *z, int n, sqlite3_int64 off){
  FltFile *p = (FltFile*)f;
  if( faultHit(&io) ) return SQLITE_IOERR_WRITE;
  return p->pReal->pMethods->xWrite(p->pReal, z, n, off);
}
static int fltTruncate(sqlite3_file *f, sqlite3_int64 size){
  FltFile *p = (FltFile*)f;
  if( faultHit(&io) ) return SQLITE_IOERR_TRUNCATE;
  return p->pReal->pMethods->xTruncate(p->pReal, size);
}
static int fltSync(sqlite3_file *f, int flags){
  FltFile *p = (FltFile*)f;
  if( faultHit(&io) ) return SQLITE_IOERR_FSYNC;
  return p->pReal->pMethods->xSync(p->pReal, flags);
}
static int fltFileSize(sqlite3_file *f, sqlite3_int64 *pSize){
  FltFile *p = (FltFile*)f;
  return p->pReal->pMethods->xFileSize(p->pReal, pSize);
}
static int fltLock(sqlite3_file *f, int e){
  FltFile *p = (FltFile*)f;
  return p->pReal->pMethods->xLock(p->pReal, e);
}
static int fltUnlock(sqlite3_file *f, int e){
  FltFile *p = (FltFile*)f;
  return p->pReal->pMethods->xUnlock(p->pReal, e);
}
static int fltCheckReservedLock(sqlite3_file *f, int *pRes){
  FltFile *p = (FltFile*)f;
  return p->pReal->pMethods->xCheckReservedLock(p->pReal, pRes);
}
static int fltFileControl(sqlite3_file *f, int op, void *pArg){
  FltFile *p = (FltFile*)f;
  return p->pReal->pMethods->xFileControl(p->pReal, op, pArg);
}
static int fltSectorSize(sqlite3_file *f){
  FltFile *p = (FltFile*)f;
  return p->pReal->pMethods->xSectorSize(p->pReal);
}
static int fltDeviceCharacteristics(sqlite3_file *f){
  FltFile *p = (FltFile*)f;
  return p->pReal->pMethods->xDeviceCharacteristics(p->pReal);
}
static int fltShmMap(sqlite3_file *f, int i, int sz, int b, void volatile **pp){
  FltFile *p = (FltFile*)f;
  return p->pReal->pMethods->xShmMap(p->pReal, i, sz, b, pp);
}
static int fltShmLock(sqlite3_file *f, int o, int n, int fl){
  FltFile *p = (FltFile*)f;
  return p->pReal->pMethods->xShmLock(p->pReal, o, n, fl);
}
static void fltShmBarrier(sqlite3_file *f){
  FltFile *p = (FltFile*)f;
  p->pReal->pMethods->xShmBarrier(p->pReal);
}
static int fltShmUnmap(sqlite3_file *f, int del){
  FltFile *p = (FltFile*)f;
  return p->pReal->pMethods->xShmUnmap(p->pReal, del);
}
static const sqlite3_io_methods fltIoMethods = {
  2, fltClose, fltRead, fltWrite, fltTruncate, fltSync, fltFileSize,
  fltLock, fltUnlock, fltCheckReservedLock, fltFileControl, fltSectorSize,
  fltDeviceCharacteristics, fltShmMap, fltShmLock, fltShmBarrier, fltShmUnmap,
  0, 0
};

static int fltOpen(sqlite3_vfs *pVfs, const char *zName, sqlite3_file *f,
                   int flags, int *pOutFlags){
  FltFile *p = (FltFile*)f;
  int rc;
  (void)pVfs;
  p->pReal = (sqlite3_file*)&p[1];
  rc = pRealVfs->xOpen(pRealVfs, zName, p->pReal, flags, pOutFlags);
  p->base.pMethods = p->pReal->pMethods ? &fltIoMethods : 0;
  return rc;
}
static int fltDelete(sqlite3_vfs *v, const char *z, int s){
  (void)v; return pRealVfs->xDelete(pRealVfs, z, s);
}
static int fltAccess(sqlite3_vfs *v, const char *z, int f, int *pOut){
  (void)v; return pRealVfs->xAccess(pRealVfs, z, f, pOut);
}
static int fltFullPathname(sqlite3_vfs *v, const char *z, int n, char *zOut){
  (void)v; return pRealVfs->xFullPathname(pRealVfs, z, n, zOut);
}
static void *fltDlOpen(sqlite3_vfs *v, const char *z){
  (void)v; return pRealVfs->xDlOpen(pRealVfs, z);
}
static void fltDlError(sqlite3_vfs *v, int n, char *z){
  (void)v; pRealVfs->xDlError(pRealVfs, n, z);
}
static void (*fltDlSym(sqlite3_vfs *v, void *p, const char *z))(void){
  (void)v; return pRealVfs->xDlSym(pRealVfs, p, z);
}
static void fltDlClose(sqlite3_vfs *v, void *p){
  (void)v; pRealVfs->xDlClose(pRealVfs, p);
}
static int fltRandomness(sqlite3_vfs *v, int n, char *z){
  (void)v; return pRealVfs->xRandomness(pRealVfs, n, z);
}
static int fltSleep(sqlite3_vfs *v, int n){
  (void)v; return pRealVfs->xSleep(pRealVfs, n);
}
static int fltCurrentTime(sqlite3_vfs *v, double *p){
  (void)v; return pRealVfs->xCurrentTime(pRealVfs, p);
}
static int fltGetLastError(sqlite3_vfs *v, int n, char *z){
  (void)v; return pRealVfs->xGetLastError(pRealVfs, n, z);
}
static int fltCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *p){
  (void)v; return pRealVfs->xCurrentTimeInt64(pRealVfs, p);
}
static sqlite3_vfs fltVfs = {
  2, 0, 1024, 0, "faultvfs", 0,
  fltOpen, fltDelete, fltAccess, fltFullPathname, fltDlOpen, fltDlError,
  fltDlSym, fltDlClose, fltRandomness, fltSleep, fltCurrentTime,
  fltGetLastError, fltCurrentTimeInt64, 0, 0, 0
};

/* SD_FAULT_LOG: SQLite's error log, while a fault is armed. */
static void fltLog(void *p, int rc, const char *z){
  (void)p;
  if( oom.bArmed || io.bArmed ) fprintf(stderr, "    log %d: %s\n", rc, z);
}


/* ---- The workloads ------------------------------------------------------ */

/* The database every workload starts from. %d: rows per user's posts. */
static const char zSetup[] =
  "CREATE TABLE users_data(id INTEGER PRIMARY KEY, email TEXT, name TEXT);"
  "CREATE TABLE posts_data(id INTEGER PRIMARY KEY,"
  "  author_id INTEGER REFERENCES users_data(id) ON DELETE CASCADE, title TEXT);"
  "CREATE TABLE comments_data(id INTEGER PRIMARY KEY,"
  "  post_id INTEGER REFERENCES posts_data(id) ON DELETE CASCADE, body TEXT);"
  "CREATE TABLE tags_data(id INTEGER PRIMARY KEY, name TEXT);"
  "CREATE TABLE flags_data(id INTEGER PRIMARY KEY,"
  "  post_id INTEGER REFERENCES posts_data(id) ON DELETE CASCADE, v TEXT,"
  "  is_deleted INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE log(x);"
  "CREATE VIRTUAL TABLE users USING softdelete(users_data, actor=deleted_by);"
  "CREATE VIRTUAL TABLE posts USING softdelete(posts_data, actor=deleted_by,"
  " retain='10 days');"
  "CREATE VIRTUAL TABLE comments USING softdelete(comments_data /* c */,"
  " guard=on);"
  "CREATE VIRTUAL TABLE flags USING softdelete(flags_data, column=is_deleted,"
  " format=boolean, live=0, guard=on);"
  "CREATE VIRTUAL TABLE flags_trash USING softdelete(flags_data, show=deleted);"
  "CREATE VIRTUAL TABLE users_trash USING softdelete(users_data, show=deleted);"
  "CREATE VIRTUAL TABLE posts_trash USING softdelete(posts_data, show=deleted);"
  "CREATE VIRTUAL TABLE posts_all USING softdelete(posts_data, show=all);"
  "SELECT sd_unique('users', 'email');"
  "SELECT sd_index('posts', 'author_id');"
  "SELECT sd_index('comments', 'post_id');"
  "SELECT sd_unique('flags', 'v');"
  "SELECT sd_clock('2024-01-01 00:00:00');"
  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<6)"
  "  INSERT INTO users SELECT i, 'u' || i || '@x', 'user ' || i FROM c;"
  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<6*%d)"
  "  INSERT INTO posts SELECT i, 1 + i %% 6, printf('%%.*c', 40 + i %% 90, 'p') FROM c;"
  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<18*%d)"
  "  INSERT INTO comments SELECT i, 1 + i %% (6*%d), printf('%%.*c', 30 + i %% 70, 'c') FROM c;"
  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<20)"
  "  INSERT INTO tags_data SELECT i, 'tag' || i FROM c;"
  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<6*%d)"
  "  INSERT INTO flags SELECT i, i, 'f' || i FROM c;"
  "SELECT sd_clock('2024-01-02 00:00:00');"
  "SELECT sd_actor('setup');"
  "DELETE FROM users WHERE id=3;"
  "SELECT sd_clock('2024-01-03 00:00:00');"
  "DELETE FROM posts WHERE id=8;"
  "DELETE FROM comments WHERE id=10;"
  "DELETE FROM flags WHERE id=1;";

typedef struct Workload Workload;
struct Workload {
  const char *zName;      /* For --only and reports */
  const char *zSql;       /* The statement(s) under test */
  int bRead;              /* A query: compare its result, not the database */
  int bDdl;               /* Changes the schema inside its transaction */
};
static const Workload aWorkload[] = {
  { "create",      "CREATE VIRTUAL TABLE tags USING softdelete(tags_data)", 0, 0 },
  { "read",        "SELECT u.name, count(p.id), max(p.title) FROM users AS u "
                   "JOIN posts AS p ON p.author_id=u.id WHERE u.id<>2 "
                   "GROUP BY u.id ORDER BY u.id", 1, 0 },
  { "read_point",  "SELECT sd_statement_memory(6000); SELECT p.title, "
                   "(SELECT name FROM users WHERE id=p.author_id), (SELECT "
                   "title FROM posts WHERE id=4), (SELECT x'ab' || title FROM "
                   "posts WHERE id=p.id+1) FROM posts AS p WHERE p.id<5 "
                   "ORDER BY 3, p.id", 1, 0 },
  { "insert",      "INSERT INTO posts(author_id, title) VALUES(1, 'new'), (2, 'new2')", 0, 0 },
  { "update",      "UPDATE posts SET title=title || '!' WHERE author_id=2", 0, 0 },
  { "delete",      "DELETE FROM users WHERE id=1", 0, 0 },
  { "delete_many", "DELETE FROM posts WHERE id % 5 = 0", 0, 0 },
  { "delete_txn",  "BEGIN; DELETE FROM users WHERE id=2; UPDATE users SET "
                   "name='x' WHERE id=4; COMMIT", 0, 0 },
  { "restore",     "SELECT sd_restore('users', 3)", 0, 0 },
  { "restore_txn", "BEGIN; SELECT sd_restore('users', 3); COMMIT", 0, 0 },
  { "restore_in_write", "INSERT INTO log SELECT sd_restore('users', 3)", 0, 0 },
  { "hard_delete", "PRAGMA foreign_keys=ON; SELECT sd_hard_delete('posts', 5)", 0, 0 },
  { "purge",       "SELECT sd_purge('posts')", 0, 0 },
  { "unique",      "SELECT sd_unique('users', 'name')", 0, 0 },
  { "index",       "SELECT sd_index('posts', 'title')", 0, 0 },
  { "replace",     "INSERT OR REPLACE INTO users(id, email, name) "
                   "VALUES(99, 'u2@x', 'new user')", 0, 0 },
  { "alter",       "BEGIN; ALTER TABLE posts_data ADD COLUMN extra TEXT; "
                   "INSERT INTO posts(author_id, extra) VALUES(1, 'e'); COMMIT", 0, 1 },
  { "trash_read",  "SELECT id, deleted_at, deleted_by, deleted_at_op IS NULL FROM "
                   "posts_trash WHERE author_id<>1 ORDER BY id; SELECT count(*), "
                   "count(deleted_at) FROM posts_all", 1, 0 },
  { "operations",  "SELECT tbl, deleted_at, actor, \"rows\" FROM sd_operations "
                   "ORDER BY 1, 2", 1, 0 },
  { "trash_restore", "UPDATE users_trash SET deleted_at = NULL WHERE id=3", 0, 0 },
  { "trash_undo",  "UPDATE users_trash SET deleted_at = NULL WHERE deleted_at_op = "
                   "(SELECT op FROM sd_operations WHERE tbl='users')", 0, 0 },
  { "trash_purge", "PRAGMA foreign_keys=ON; DELETE FROM posts_trash WHERE id % 2 = 0", 0, 0 },
  { "actor_delete", "SELECT sd_actor('admin'); DELETE FROM users WHERE id=1", 0, 0 },
  { "restore_alone", "SELECT sd_restore('users', 3, 0)", 0, 0 },
  { "purge_expired", "SELECT sd_clock('2024-01-20 00:00:00'); "
                   "SELECT sd_purge_expired()", 0, 0 },
  { "insert_fk",   "PRAGMA foreign_keys=ON; INSERT INTO posts(author_id, title) "
                   "VALUES(1, 'n'), (2, 'm')", 0, 0 },
  /* live=0 (flags) and guard=on (comments, flags): the guard's triggers run
  ** in every write that reaches those tables. */
  { "live_read",   "SELECT id, v, is_deleted FROM flags WHERE v > 'f1' ORDER BY v "
                   "LIMIT 5; SELECT id, is_deleted FROM flags_trash", 1, 0 },
  { "live_delete", "DELETE FROM flags WHERE id % 3 = 0", 0, 0 },
  { "live_cascade", "DELETE FROM posts WHERE id <= 3", 0, 0 },
  { "live_insert", "INSERT INTO flags(post_id, v) VALUES(1, 'a'), (2, 'b')", 0, 0 },
  { "live_restore", "UPDATE flags_trash SET is_deleted = 0 WHERE id = 1", 0, 0 },
  { "live_purge",  "SELECT sd_purge('flags')", 0, 0 },
  { "guard_hard",  "PRAGMA foreign_keys=ON; SELECT sd_hard_delete('posts', 1)", 0, 0 },
  { "guard_purge", "PRAGMA foreign_keys=ON; SELECT sd_purge('comments')", 0, 0 },
};
#define N_WORKLOAD ((int)(sizeof(aWorkload)/sizeof(aWorkload[0])))

/* ---- Helpers ------------------------------------------------------------ */

static int bVerbose = 0;
static int iAt = 0;             /* --at N: only fault point N, transient */
static int nProblem = 0;
static char zDir[512];

static void problem(const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  vfprintf(stdout, zFmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  nProblem++;
}

static void fatal(const char *zWhat, sqlite3 *db){
  fprintf(stderr, "fault: %s: %s\n", zWhat, db ? sqlite3_errmsg(db) : "");
  exit(2);
}

static int copyFile(const char *zFrom, const char *zTo){
  FILE *in = fopen(zFrom, "rb"), *out;
  char buf[65536];
  size_t n;
  if( in==0 ) return 0;
  out = fopen(zTo, "wb");
  if( out==0 ){ fclose(in); return 0; }
  while( (n = fread(buf, 1, sizeof(buf), in))>0 ) fwrite(buf, 1, n, out);
  fclose(in);
  return fclose(out)==0;
}

static void removeDb(const char *zFile){
  static const char *azSuffix[] = { "", "-journal", "-wal", "-shm" };
  int i;
  for(i=0; i<4; i++){
    char *z = sqlite3_mprintf("%s%s", zFile, azSuffix[i]);
    unlink(z);
    sqlite3_free(z);
  }
}

/*
** A dump of the database as it is committed: every object's SQL and every
** row of every ordinary table, operation ids (columns ending in "_op")
** numbered in order of appearance. Read through a plain connection.
*/
static char *dumpDb(const char *zFile){
  sqlite3 *db = 0;
  sqlite3_stmt *pT = 0;
  sqlite3_str *s = sqlite3_str_new(0);
  sqlite3_int64 aOp[4096];
  int nOp = 0;
  if( sqlite3_open_v2(zFile, &db, SQLITE_OPEN_READONLY, 0) ) fatal("dump open", db);
  if( sqlite3_prepare_v2(db, "SELECT type, name, sql FROM sqlite_master "
        "ORDER BY type, name", -1, &pT, 0) ) fatal("dump", db);
  while( sqlite3_step(pT)==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pT, 0);
    const char *zName = (const char*)sqlite3_column_text(pT, 1);
    const char *zSql = (const char*)sqlite3_column_text(pT, 2);
    sqlite3_str_appendf(s, "%s %s: %s\n", zType, zName, zSql ? zSql : "");
    if( strcmp(zType, "table")==0 && zSql && strncmp(zSql, "CREATE TABLE", 12)==0 ){
      sqlite3_stmt *pR = 0;
      char *zQ = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid", zName);
      int nCol, i;
      if( sqlite3_prepare_v2(db, zQ, -1, &pR, 0) ) fatal(zQ, db);
      sqlite3_free(zQ);
      nCol = sqlite3_column_count(pR);
      while( sqlite3_step(pR)==SQLITE_ROW ){
        for(i=0; i<nCol; i++){
          const char *zCol = sqlite3_column_name(pR, i);
          size_t nc = strlen(zCol);
          if( nc>3 && strcmp(&zCol[nc-3], "_op")==0
           && sqlite3_column_type(pR, i)==SQLITE_INTEGER ){
            sqlite3_int64 v = sqlite3_column_int64(pR, i);
            int k;
            for(k=0; k<nOp && aOp[k]!=v; k++){}
            if( k==nOp && nOp<4096 ) aOp[nOp++] = v;
            sqlite3_str_appendf(s, "%sop#%d", i ? "|" : "", k);
          }else{
            sqlite3_value *v = sqlite3_column_value(pR, i);
            char *z = sqlite3_mprintf("%s", sqlite3_column_text(pR, i));
            sqlite3_str_appendf(s, "%s%s:%s", i ? "|" : "",
                sqlite3_value_type(v)==SQLITE_NULL ? "N" :
                sqlite3_value_type(v)==SQLITE_INTEGER ? "I" :
                sqlite3_value_type(v)==SQLITE_FLOAT ? "R" : "T", z);
            sqlite3_free(z);
          }
        }
        sqlite3_str_appendchar(s, 1, '\n');
      }
      sqlite3_finalize(pR);
    }
  }
  sqlite3_finalize(pT);
  sqlite3_close(db);
  return sqlite3_str_finish(s);
}

/* A growing text buffer on libc's allocator: a query's result is read while
** SQLite's allocations may fail, and those of the harness must not. */
typedef struct Buf Buf;
struct Buf { char *z; size_t n, nAlloc; };
static void bufAppend(Buf *b, const char *z, size_t n){
  if( b->n+n+1>b->nAlloc ){
    b->nAlloc = (b->n+n+1)*2 + 64;
    b->z = realloc(b->z, b->nAlloc);
    if( b->z==0 ){ fprintf(stderr, "fault: out of memory\n"); exit(2); }
  }
  memcpy(&b->z[b->n], z, n);
  b->n += n;
  b->z[b->n] = 0;
}

/*
** The rows a query returns, as text (free() it); NULL if it failed. Numbers
** are formatted here, and text read as stored: no conversion that could
** need memory.
*/
static char *queryText(sqlite3 *db, const char *zSql, int *pRc){
  sqlite3_stmt *pStmt = 0;
  Buf b = {0, 0, 0};
  int rc, i;
  bufAppend(&b, "", 0);
  *pRc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if( *pRc ){ free(b.z); return 0; }
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      char zNum[64];
      const char *z = zNum;
      if( i ) bufAppend(&b, "|", 1);
      switch( sqlite3_column_type(pStmt, i) ){
        case SQLITE_INTEGER:
          snprintf(zNum, sizeof(zNum), "%lld", sqlite3_column_int64(pStmt, i));
          break;
        case SQLITE_FLOAT:
          snprintf(zNum, sizeof(zNum), "%.17g", sqlite3_column_double(pStmt, i));
          break;
        case SQLITE_NULL:
          z = "NULL";
          break;
        default:
          z = (const char*)sqlite3_column_text(pStmt, i);
          if( z==0 ) z = "<out of memory>";
          break;
      }
      bufAppend(&b, z, strlen(z));
    }
    bufAppend(&b, "\n", 1);
  }
  *pRc = sqlite3_finalize(pStmt);
  if( *pRc ){ free(b.z); return 0; }
  return b.z;
}

/* Open the workload's connection; zVfs NULL for the default. */
static sqlite3 *openDb(const char *zFile, const char *zVfs, int nCache){
  sqlite3 *db = 0;
  char *zPragma;
  if( sqlite3_open_v2(zFile, &db, SQLITE_OPEN_READWRITE, zVfs) ) fatal("open", db);
  zPragma = sqlite3_mprintf("PRAGMA cache_size=%d; SELECT sd_clock('2024-02-01 00:00:00')",
                            nCache);
  if( sqlite3_exec(db, zPragma, 0, 0, 0) ) fatal("pragma", db);
  sqlite3_free(zPragma);
  return db;
}

/*
** Run workload w on db: SQLITE_OK, or the error of the statement that
** failed (*pzErr its message). A query leaves its result in *pzResult.
*/
static int runWorkload(sqlite3 *db, const Workload *w, char **pzErr, char **pzResult){
  int rc;
  *pzErr = 0;
  if( pzResult ) *pzResult = 0;
  if( w->bRead ){
    char *z = queryText(db, w->zSql, &rc);
    if( rc ) *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    if( pzResult ) *pzResult = z; else free(z);
    return rc;
  }
  rc = sqlite3_exec(db, w->zSql, 0, 0, pzErr);
  if( rc ){
    /* sqlite3_exec() reports the code of the failing statement. */
    rc = sqlite3_extended_errcode(db);
    if( rc==SQLITE_OK ) rc = SQLITE_ERROR;
  }
  return rc;
}

/* ---- One workload, every fault point ----------------------------------- */

typedef struct Variant Variant;
struct Variant {
  const char *zJournal;   /* journal_mode of the database */
  int nCache;             /* cache_size of the connection */
  int bWarm;              /* Read the tables once before the fault */
};

static int runOne(int bIo, const Workload *w, const Variant *v, int iStride,
                  const char *zTemplate, long long *pnCase){
  char *zFile = sqlite3_mprintf("%s/w.db", zDir);
  char *zBefore, *zAfter, *zResult = 0, *zErr = 0;
  sqlite3 *db;
  int rc, n, bPersist, nProblem0 = nProblem, nPoint = 0;
  const char *zVfs = bIo ? "faultvfs" : 0;

  /* The clean run. */
  removeDb(zFile);
  if( !copyFile(zTemplate, zFile) ) fatal("copy", 0);
  zBefore = dumpDb(zFile);
  db = openDb(zFile, zVfs, v->nCache);
  rc = runWorkload(db, w, &zErr, &zResult);
  if( rc ) fatal(zErr ? zErr : "clean run", db);
  sqlite3_free(zErr);
  if( sqlite3_close(db) ) fatal("close after the clean run", db);
  zAfter = dumpDb(zFile);

  for(bPersist=0; bPersist<(iAt ? 1 : 2); bPersist++){
    for(n=iAt ? iAt : 1; ; n+=iStride){
      char *zRes = 0, *zState = 0;
      int nFault, bAuto, rcClose;
      long long nOut0;
      removeDb(zFile);
      if( !copyFile(zTemplate, zFile) ) fatal("copy", 0);
      nOut0 = nOut;
      db = openDb(zFile, zVfs, v->nCache);
      if( v->bWarm ){
        if( sqlite3_exec(db, "SELECT count(*) FROM users; SELECT count(*) FROM posts;"
                         "SELECT count(*) FROM comments", 0, 0, 0) ) fatal("warm", db);
      }
      (*pnCase)++;
      faultArm(bIo ? &io : &oom, n, bPersist);
      rc = runWorkload(db, w, &zErr, w->bRead ? &zRes : 0);
      nFault = faultDisarm(bIo ? &io : &oom);
      bAuto = sqlite3_get_autocommit(db);
      if( !bAuto ){
        /* A workload with its own BEGIN that failed part-way is rolled back
        ** here; any other has no business leaving a transaction open. */
        sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
        if( strncmp(w->zSql, "BEGIN", 5)==0 ) bAuto = 1;
      }
      if( nFault==0 || (iAt && n>iAt) ){
        sqlite3_free(zErr);
        free(zRes);
        sqlite3_close(db);
        break;
      }
      nPoint++;
      if( bVerbose ){
        printf("  %s %s n=%d rc=%d %s\n", w->zName, bPersist ? "persistent" : "transient",
               n, rc, zErr ? zErr : "");
      }
      if( !bAuto ){
        problem("%s n=%d %s: the connection was left inside a transaction",
                w->zName, n, bPersist ? "persistent" : "transient");
      }
      if( rc ){
        int eKind = rc & 0xff;
        if( bIo ? (eKind!=SQLITE_IOERR && eKind!=SQLITE_NOMEM && eKind!=SQLITE_CORRUPT
                   && eKind!=SQLITE_FULL && eKind!=SQLITE_CANTOPEN)
                : (eKind!=SQLITE_NOMEM) ){
          problem("%s n=%d %s: error code %d (%s), not the injected fault's: %s",
                  w->zName, n, bPersist ? "persistent" : "transient", rc,
                  sqlite3_errstr(rc), zErr ? zErr : "");
        }
      }
      if( w->bRead && rc==SQLITE_OK && strcmp(zRes ? zRes : "", zResult ? zResult : "") ){
        problem("%s n=%d %s: the query returned other rows:\n%s", w->zName, n,
                bPersist ? "persistent" : "transient", zRes ? zRes : "");
      }
      if( bIo ){
        /* Reopen: a hot journal is rolled back. */
        rcClose = sqlite3_close(db);
        db = 0;
        if( rcClose ) problem("%s n=%d: sqlite3_close: %s", w->zName, n, sqlite3_errstr(rcClose));
        {
          sqlite3 *db2 = openDb(zFile, 0, v->nCache);
          int rcI;
          char *zIc = queryText(db2, "PRAGMA integrity_check", &rcI);
          if( rcI || zIc==0 || strcmp(zIc, "ok\n") ){
            problem("%s n=%d %s: integrity_check: %s", w->zName, n,
                    bPersist ? "persistent" : "transient", zIc ? zIc : sqlite3_errmsg(db2));
          }
          free(zIc);
          sqlite3_close(db2);
        }
      }
      zState = dumpDb(zFile);
      if( rc==SQLITE_OK && strcmp(zState, zAfter) ){
        problem("%s n=%d %s: SQLITE_OK, but the database is not the state after%s%s",
                w->zName, n, bPersist ? "persistent" : "transient",
                bVerbose ? ":\n" : "", bVerbose ? zState : "");
      }else if( rc && strcmp(zState, zBefore) && !(bIo && strcmp(zState, zAfter)==0) ){
        problem("%s n=%d %s: failed (%s), and the database is not the state before%s%s",
                w->zName, n, bPersist ? "persistent" : "transient",
                zErr ? zErr : "", bVerbose ? ":\n" : "", bVerbose ? zState : "");
      }
      /* Nothing cached may change the next run: again, without faults. */
      if( db && rc && strcmp(zState, zBefore)==0 ){
        char *zErr2 = 0, *zRes2 = 0;
        int rc2;
        if( w->bDdl ){
          /* SQLite itself: when a nested statement rolls the transaction
          ** back while a virtual table connects, its cached schema keeps
          ** the rolled-back DDL until a statement checks the schema
          ** cookie; DDL is validated against the cache before that. */
          sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", 0, 0, 0);
        }
        rc2 = runWorkload(db, w, &zErr2, w->bRead ? &zRes2 : 0);
        if( rc2 ){
          problem("%s n=%d %s: run again after the fault, it fails: %s", w->zName, n,
                  bPersist ? "persistent" : "transient", zErr2 ? zErr2 : "");
        }else if( w->bRead ){
          if( strcmp(zRes2 ? zRes2 : "", zResult ? zResult : "") ){
            problem("%s n=%d: run again after the fault, other rows", w->zName, n);
          }
        }else{
          char *zState2;
          sqlite3_close(db);
          db = 0;
          zState2 = dumpDb(zFile);
          if( strcmp(zState2, zAfter) ){
            problem("%s n=%d %s: run again after the fault, not the state after%s%s",
                    w->zName, n, bPersist ? "persistent" : "transient",
                    bVerbose ? ":\n" : "", bVerbose ? zState2 : "");
          }
          sqlite3_free(zState2);
        }
        sqlite3_free(zErr2);
        free(zRes2);
      }
      if( db ){
        rcClose = sqlite3_close(db);
        if( rcClose ){
          problem("%s n=%d %s: sqlite3_close: %s (a statement left unfinalized)",
                  w->zName, n, bPersist ? "persistent" : "transient",
                  sqlite3_errstr(rcClose));
          sqlite3_close_v2(db);
        }
      }
      sqlite3_free(zState);
      sqlite3_free(zErr);
      free(zRes);
      zErr = 0;
      if( nOut!=nOut0 ){
        problem("%s n=%d %s: %lld allocations not freed", w->zName, n,
                bPersist ? "persistent" : "transient", nOut - nOut0);
      }
      if( nProblem-nProblem0>20 ){
        printf("  (more problems in %s are not shown)\n", w->zName);
        bPersist = 2;
        break;
      }
    }
  }
  printf("%-16s %-8s cache %-4d %-4s %5d fault points%s\n", w->zName,
         v->zJournal, v->nCache, v->bWarm ? "warm" : "cold", nPoint,
         nProblem>nProblem0 ? "  FAILED" : "");
  fflush(stdout);
  sqlite3_free(zBefore);
  sqlite3_free(zAfter);
  free(zResult);
  sqlite3_free(zFile);
  return nPoint;
}

/* Write the starting database for a variant. */
static void makeTemplate(const char *zFile, const char *zJournal, int nRows){
  sqlite3 *db = 0;
  char *zSql, *zErr = 0;
  removeDb(zFile);
  if( sqlite3_open(zFile, &db) ) fatal("template", db);
  zSql = sqlite3_mprintf("PRAGMA journal_mode=%s;", zJournal);
  if( sqlite3_exec(db, zSql, 0, 0, &zErr) ) fatal(zErr, db);
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf(zSetup, nRows, nRows, nRows, nRows);
  if( sqlite3_exec(db, zSql, 0, 0, &zErr) ) fatal(zErr, db);
  sqlite3_free(zSql);
  if( sqlite3_close(db) ) fatal("template close", db);
}

int main(int argc, char **argv){
  int bIo = -1, bQuick = 0, iStride = 0, i, j, nPoint = 0;
  const char *zOnly = 0;
  long long nCase = 0;
  static const Variant aOomVariant[] = {
    { "delete", 2000, 0 }, { "delete", 2000, 1 }, { "wal", 2000, 1 },
  };
  static const Variant aIoVariant[] = {
    { "delete", 2000, 0 }, { "truncate", 8, 1 }, { "wal", 2000, 1 }, { "wal", 8, 0 },
    { "delete", 8, 1 },
  };
  const Variant *aVar;
  int nVar;

  for(i=1; i<argc; i++){
    if( strcmp(argv[i], "--oom")==0 ) bIo = 0;
    else if( strcmp(argv[i], "--ioerr")==0 ) bIo = 1;
    else if( strcmp(argv[i], "--quick")==0 ) bQuick = 1;
    else if( strcmp(argv[i], "-v")==0 ) bVerbose = 1;
    else if( strcmp(argv[i], "--only")==0 && i+1<argc ) zOnly = argv[++i];
    else if( strcmp(argv[i], "--stride")==0 && i+1<argc ) iStride = atoi(argv[++i]);
    else if( strcmp(argv[i], "--at")==0 && i+1<argc ) iAt = atoi(argv[++i]);
    else{
      fprintf(stderr, "usage: %s --oom|--ioerr [--quick] [--only W,...] "
              "[--stride N] [-v]\n", argv[0]);
      return 2;
    }
  }
  if( bIo<0 ){
    fprintf(stderr, "%s: give --oom or --ioerr\n", argv[0]);
    return 2;
  }
  if( iStride<=0 ) iStride = !bQuick ? 1 : bIo ? 3 : 13;

  /* Every allocation through the wrapper; no lookaside, so that each one
  ** is a fault point. */
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &fltReal);
  {
    static sqlite3_mem_methods m;
    m.xMalloc = fltMalloc; m.xFree = fltFree; m.xRealloc = fltRealloc;
    m.xSize = fltSize; m.xRoundup = fltRoundup; m.xInit = fltInit;
    m.xShutdown = fltShutdown; m.pAppData = 0;
    if( sqlite3_config(SQLITE_CONFIG_MALLOC, &m) ){
      fprintf(stderr, "fault: cannot install the allocator\n");
      return 2;
    }
  }
  sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
  if( getenv("SD_FAULT_LOG") ) sqlite3_config(SQLITE_CONFIG_LOG, fltLog, 0);
  sqlite3_initialize();
  pRealVfs = sqlite3_vfs_find(0);
  fltVfs.szOsFile = (int)sizeof(FltFile) + pRealVfs->szOsFile;
  fltVfs.mxPathname = pRealVfs->mxPathname;
  sqlite3_vfs_register(&fltVfs, 0);
  sqlite3_auto_extension((void(*)(void))sqlite3_softdelete_init);

  {
    const char *zTmp = getenv("TMPDIR");
    if( access("/dev/shm", W_OK)==0 ) zTmp = "/dev/shm";
    if( zTmp==0 ) zTmp = "/tmp";
    snprintf(zDir, sizeof(zDir), "%s/sdfault-%d", zTmp, (int)getpid());
    if( mkdir(zDir, 0700) && errno!=EEXIST ){
      fprintf(stderr, "fault: cannot create %s\n", zDir);
      return 2;
    }
  }

  aVar = bIo ? aIoVariant : aOomVariant;
  nVar = bIo ? (int)(sizeof(aIoVariant)/sizeof(aIoVariant[0]))
             : (int)(sizeof(aOomVariant)/sizeof(aOomVariant[0]));
  if( bQuick ) nVar = bIo ? 2 : 2;
  for(j=0; j<nVar; j++){
    char *zTemplate = sqlite3_mprintf("%s/template.db", zDir);
    makeTemplate(zTemplate, aVar[j].zJournal, aVar[j].nCache<100 ? 30 : 3);
    for(i=0; i<N_WORKLOAD; i++){
      if( zOnly ){
        const char *z = strstr(zOnly, aWorkload[i].zName);
        size_t nName = strlen(aWorkload[i].zName);
        if( z==0 || (z>zOnly && z[-1]!=',') || (z[nName] && z[nName]!=',') ) continue;
      }
      nPoint += runOne(bIo, &aWorkload[i], &aVar[j], iStride, zTemplate, &nCase);
    }
    removeDb(zTemplate);
    sqlite3_free(zTemplate);
  }
  {
    char *z = sqlite3_mprintf("%s/w.db", zDir);
    removeDb(z);
    sqlite3_free(z);
    rmdir(zDir);
  }
  printf("fault %s: %d fault points (%lld runs, stride %d), %d problems\n",
         bIo ? "--ioerr" : "--oom", nPoint, nCase, iStride, nProblem);
  return nProblem ? 1 : 0;
}
