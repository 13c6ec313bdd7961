/*
** concurrency.c: several processes writing one softdelete database at once.
**
** Usage:  build/concurrency [--seed N] [--procs N] [--ops N] [--dir DIR]
**                           [--busy-timeout MS] [--timeout S]
**                           [--schema-permille P] [--hold-pct P]
**                           [--journal wal|delete]
**
** How it works. The parent creates DIR/concurrency.db in WAL mode (or with
** a rollback journal: --journal delete) with the blog schema of mixed.h,
** then forks --procs writers and one reader, each with its own connection
** (the extension registered with sqlite3_auto_extension(), as a program
** linking it statically does) and PRAGMA busy_timeout (5000 ms by default).
** Opening the database must succeed even while another process holds a
** lock: without the extension it does.
**
** Each writer runs --ops random operations (mixed.c: inserts, updates,
** cascading deletes, restores, hard deletes, purges, INSERT OR REPLACE, in
** autocommit mode or in BEGIN IMMEDIATE ... COMMIT/ROLLBACK, savepoints)
** on the rows of its own id range. 10% of its transactions hold the lock a
** few ms longer (--hold-pct), so that others must wait; 0.3% create or drop
** a wrapped tag table (--schema-permille); once, at its own moment, it
** changes the shared tables' schema: sd_index() on posts (even writers) or
** ALTER TABLE comments_data ADD COLUMN (odd ones), which every other
** connection must take in from its next statement.
**
** A writer keeps a model of what its successful statements imply: each row
** live, deleted (when, by which operation) or removed, and its values.
** Only sd_purge() reaches into other ranges: it removes every deleted row
** of a table. A writer that finds one of its deleted rows gone records
** when; the parent accepts a missing deleted row only if another writer
** committed a purge of that table (or of an ancestor table) after the row
** was deleted and before it was found gone.
**
** The reader loops over read transactions that must never see a cascade
** half done: no live post of a deleted user, no live comment of a deleted
** post, deleted_at and deleted_at_op set together, and each virtual table
** showing exactly the base's live rows (count and sum of ids, in the same
** snapshot). The writers run the same check now and then, inside their own
** transactions too.
**
** At the end the parent checks PRAGMA integrity_check and foreign_key_check,
** the invariants, and compares the database with the union of the models:
** every row belongs to a writer's model with the same state and values, no
** row is missing, none is extra (nothing committed is lost or duplicated),
** every deleted row carries the deletion time its writer pinned, and
** deleted_at_op maps one-to-one onto the writers' operations (a cascade
** shares its root's id; no two statements share one).
**
** BUSY. With busy_timeout set, every statement must wait for the lock: a
** statement that fails with SQLITE_BUSY ("database is locked") sooner than
** 90% of busy_timeout did not wait, which is a failure (a "lost wait"); one
** that failed after waiting the whole timeout is allowed and counted. Both
** are reported per operation kind, with autocommit and in-transaction calls
** of sd_restore, sd_hard_delete and sd_purge apart, so a function that does
** not wait shows up by name. A BUSY statement must have changed nothing,
** which the final comparison checks.
**
** Prints a table per operation kind and one summary line; exits 1 on any
** failure, naming the writer, its seed and the statement.
*/
#define _POSIX_C_SOURCE 200809L
#include "mixed.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct CcOpt {
  u64 seed;
  int nProc;
  int nOps;
  const char *zDir;
  int busyMs;
  int sTimeout;
  int schemaPerMille;       /* --schema-permille: tag-table transactions */
  int holdPct;              /* --hold-pct: transactions that hold the lock */
  const char *zJournal;     /* --journal: wal (default) or delete */
} CcOpt;

static void ccSleepMs(int ms){
  struct timespec ts;
  ts.tv_sec = ms/1000;
  ts.tv_nsec = (long)(ms%1000)*1000000;
  while( nanosleep(&ts, &ts)<0 && errno==EINTR ){}
}

static char *ccResultFile(const CcOpt *o, int k){
  return sqlite3_mprintf("%s/concurrency.%d.out", o->zDir, k);
}

/* Open a connection for a child and check its journal mode. */
static sqlite3 *ccOpen(const CcOpt *o, const char *zDb, MxWorker *w){
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  MxStat *s = &w->aStat[MX_K_OPEN];
  i64 t0 = mxNowNs();
  int rc = mxOpen(zDb, o->busyMs, &db, &zErr);
  double ms = (double)(mxNowNs()-t0)/1e6;
  s->nRun++;
  if( ms>s->msMax ) s->msMax = ms;
  if( rc ){
    /* Opening must not fail because another connection holds a lock:
    ** without the extension, SQLite opens and later statements wait. */
    if( (rc&0xff)==SQLITE_BUSY || (zErr && strstr(zErr, "locked")) ){
      if( ms<0.9*o->busyMs ) s->nLost++; else s->nBusy++;
    }
    mxFail(w, "%s (rc=%d after %.1f ms)", zErr, rc, ms);
    sqlite3_free(zErr);
    return 0;
  }
  s->nOk++;
  if( sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &pStmt, 0)
   || sqlite3_step(pStmt)!=SQLITE_ROW
   || sqlite3_stricmp((const char*)sqlite3_column_text(pStmt, 0), o->zJournal)!=0 ){
    mxFail(w, "the database is not in journal_mode %s: %s", o->zJournal,
           sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  if( sqlite3_exec(db, "PRAGMA synchronous=NORMAL", 0, 0, &zErr) ){
    mxFail(w, "PRAGMA synchronous: %s", zErr);
    sqlite3_free(zErr);
  }
  return db;
}

static void ccCloseDb(MxWorker *w, sqlite3 *db){
  if( db && sqlite3_close(db)!=SQLITE_OK ){
    mxFail(w, "sqlite3_close: %s", sqlite3_errmsg(db));
  }
}

/* A writer: --ops operations, then its model and counts go to a file. */
static int ccWriter(const CcOpt *o, const char *zDb, int k, u64 seed){
  MxWorker w;
  sqlite3 *db;
  char *zFile = ccResultFile(o, k);
  int rc;
  alarm((unsigned)(o->sTimeout + 60));
  mxWorkerInit(&w, 0, k, 0, seed);
  w.busyMs = o->busyMs;
  w.nTarget = 600;
  w.holdPct = o->holdPct;
  w.schemaPerMille = o->schemaPerMille;
  w.iSchemaAt = o->nOps/3 + (o->nOps/3)*k/(o->nProc>1 ? o->nProc-1 : 1);
  db = ccOpen(o, zDb, &w);
  if( db ){
    w.db = db;
    while( w.nOp<o->nOps && !w.bFatal ){
      mxTransaction(&w);
    }
    if( !sqlite3_get_autocommit(db) && sqlite3_exec(db, "ROLLBACK", 0, 0, 0) ){
      mxFail(&w, "final ROLLBACK: %s", sqlite3_errmsg(db));
    }
    ccCloseDb(&w, db);
  }
  rc = mxWorkerWrite(&w, zFile);
  if( rc ) fprintf(stderr, "concurrency: cannot write %s\n", zFile);
  sqlite3_free(zFile);
  mxWorkerFree(&w);
  return rc || w.nFail ? 1 : 0;
}

/* The reader: read checks until the parent closes the pipe. */
static int ccReader(const CcOpt *o, const char *zDb, int k, int fdStop){
  MxWorker w;
  sqlite3 *db;
  char *zFile = ccResultFile(o, k);
  int rc, bStop = 0;
  alarm((unsigned)(o->sTimeout + 60));
  mxWorkerInit(&w, 0, k, 0, 0);
  w.busyMs = o->busyMs;
  w.idLo = w.idHi = 0;          /* owns no rows */
  db = ccOpen(o, zDb, &w);
  while( db && !bStop && !w.bFatal ){
    struct pollfd pfd;
    char *zBroken = 0, *zErr = 0;
    i64 t0 = mxNowNs();
    MxStat *s = &w.aStat[MX_K_READ];
    double ms;
    rc = mxCheckInvariants(db, &zBroken, &zErr);
    ms = (double)(mxNowNs()-t0)/1e6;
    s->nRun++;
    if( ms>s->msMax ) s->msMax = ms;
    w.nCheck++;
    if( zBroken ){
      mxFail(&w, "reader: invariant broken: %s", zBroken);
      w.bFatal = 1;
    }else if( rc && zErr && (strstr(zErr, "locked") || (rc&0xff)==SQLITE_BUSY) ){
      if( ms<0.9*o->busyMs ){
        s->nLost++;
        mxFail(&w, "reader: lost wait after %.1f ms: %s", ms, zErr);
      }else{
        s->nBusy++;
      }
    }else if( rc ){
      mxFail(&w, "reader: %s", zErr ? zErr : "?");
      w.bFatal = 1;
    }else{
      s->nOk++;
    }
    sqlite3_free(zBroken);
    sqlite3_free(zErr);
    pfd.fd = fdStop;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if( poll(&pfd, 1, 0)>0 ) bStop = 1;     /* EOF: the writers are done */
  }
  ccCloseDb(&w, db);
  rc = mxWorkerWrite(&w, zFile);
  sqlite3_free(zFile);
  return rc || w.nFail ? 1 : 0;
}

static void ccUsage(void){
  fprintf(stderr, "usage: concurrency [--seed N] [--procs N] [--ops N] [--dir DIR]"
          " [--busy-timeout MS] [--timeout S] [--schema-permille P] [--hold-pct P]"
          " [--journal wal|delete]\n");
  exit(2);
}

/* Wait for the children in aPid (0 once reaped) until none is left of the
** first nWait, or the deadline passes. Returns the number that failed. */
static int ccWait(pid_t *aPid, int nWait, i64 nsDeadline, int *pbTimeout){
  int nFail = 0, nLeft, i;
  for(;;){
    nLeft = 0;
    for(i=0; i<nWait; i++){
      int status;
      pid_t got;
      if( aPid[i]==0 ) continue;
      got = waitpid(aPid[i], &status, WNOHANG);
      if( got==0 ){ nLeft++; continue; }
      if( got<0 || !WIFEXITED(status) || WEXITSTATUS(status)!=0 ){
        if( got>0 && WIFSIGNALED(status) ){
          fprintf(stderr, "concurrency: process %d died of signal %d\n", i,
                  WTERMSIG(status));
        }
        nFail++;
      }
      aPid[i] = 0;
    }
    if( nLeft==0 ) return nFail;
    if( mxNowNs()>nsDeadline ){
      *pbTimeout = 1;
      return nFail;
    }
    ccSleepMs(20);
  }
}

int main(int argc, char **argv){
  CcOpt o;
  char *zDb, *zErr = 0;
  sqlite3 *db = 0;
  pid_t *aPid;
  int fdStop[2];
  int i, rc, nFail = 0, nChildFail, bTimeout = 0;
  i64 nsStart = mxNowNs();
  u64 rng;
  MxWorker *aW, **apW;
  MxStat aTot[MX_NKIND], tot;
  int nOp = 0, nTxn = 0, nRollback = 0, nCheck = 0, nReaderCheck = 0;

  memset(&o, 0, sizeof(o));
  o.seed = (u64)time(0) ^ ((u64)getpid()<<16);
  o.nProc = 4;
  o.nOps = 2000;
  o.zDir = "build/stress";
  o.busyMs = 5000;
  o.sTimeout = 280;
  o.schemaPerMille = 3;
  o.holdPct = 10;
  o.zJournal = "wal";
  for(i=1; i<argc; i++){
    const char *z = argv[i];
    if( i+1>=argc ) ccUsage();
    if( strcmp(z, "--seed")==0 ) o.seed = strtoull(argv[++i], 0, 10);
    else if( strcmp(z, "--procs")==0 ) o.nProc = atoi(argv[++i]);
    else if( strcmp(z, "--ops")==0 ) o.nOps = atoi(argv[++i]);
    else if( strcmp(z, "--dir")==0 ) o.zDir = argv[++i];
    else if( strcmp(z, "--busy-timeout")==0 ) o.busyMs = atoi(argv[++i]);
    else if( strcmp(z, "--timeout")==0 ) o.sTimeout = atoi(argv[++i]);
    else if( strcmp(z, "--schema-permille")==0 ) o.schemaPerMille = atoi(argv[++i]);
    else if( strcmp(z, "--hold-pct")==0 ) o.holdPct = atoi(argv[++i]);
    else if( strcmp(z, "--journal")==0 ) o.zJournal = argv[++i];
    else ccUsage();
  }
  if( o.nProc<1 || o.nProc>60 || o.nOps<1 || o.busyMs<1
   || (strcmp(o.zJournal, "wal") && strcmp(o.zJournal, "delete")) ) ccUsage();
  printf("concurrency: seed %llu, %d processes x %d operations + 1 reader, "
         "busy_timeout %d ms, journal_mode=%s, in %s\n",
         (unsigned long long)o.seed, o.nProc, o.nOps, o.busyMs, o.zJournal, o.zDir);
  fflush(stdout);
  sqlite3_auto_extension((void(*)(void))sqlite3_softdelete_init);
  if( mkdir(o.zDir, 0755) && errno!=EEXIST ){
    fprintf(stderr, "concurrency: cannot create %s\n", o.zDir);
    return 1;
  }

  /* A fresh database. */
  zDb = sqlite3_mprintf("%s/concurrency.db", o.zDir);
  {
    static const char *const azSuffix[] = { "", "-wal", "-shm", "-journal" };
    for(i=0; i<4; i++){
      char *z = sqlite3_mprintf("%s%s", zDb, azSuffix[i]);
      unlink(z);
      sqlite3_free(z);
    }
  }
  rc = mxOpen(zDb, o.busyMs, &db, &zErr);
  if( rc==SQLITE_OK ){
    char *zSql = sqlite3_mprintf("PRAGMA journal_mode=%s", o.zJournal);
    rc = sqlite3_exec(db, zSql, 0, 0, &zErr);
    sqlite3_free(zSql);
  }
  if( rc==SQLITE_OK ) rc = mxCreateSchema(db, &zErr);
  if( rc ){
    fprintf(stderr, "concurrency: cannot create %s: %s\n", zDb, zErr ? zErr : "?");
    return 1;
  }
  if( sqlite3_close(db)!=SQLITE_OK ){
    fprintf(stderr, "concurrency: sqlite3_close: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  db = 0;

  /* Writers 0..nProc-1, and the reader as process nProc. */
  aPid = calloc((size_t)o.nProc+1, sizeof(pid_t));
  if( aPid==0 || pipe(fdStop) ){ perror("concurrency"); return 1; }
  rng = o.seed;
  for(i=0; i<=o.nProc; i++){
    u64 seed = mxRand(&rng);
    char *zFile = ccResultFile(&o, i);
    unlink(zFile);
    sqlite3_free(zFile);
    fflush(stdout);
    fflush(stderr);
    aPid[i] = fork();
    if( aPid[i]<0 ){ perror("fork"); return 1; }
    if( aPid[i]==0 ){
      close(fdStop[1]);
      if( i<o.nProc ){
        close(fdStop[0]);
        _exit(ccWriter(&o, zDb, i, seed));
      }
      _exit(ccReader(&o, zDb, i, fdStop[0]));
    }
  }
  close(fdStop[0]);

  /* Bounded waits: the writers, then the reader once told to stop. */
  nChildFail = ccWait(aPid, o.nProc, nsStart + (i64)o.sTimeout*1000000000, &bTimeout);
  close(fdStop[1]);
  if( !bTimeout ){
    nChildFail += ccWait(&aPid[o.nProc], 1, mxNowNs() + (i64)30*1000000000, &bTimeout);
  }
  if( bTimeout ){
    fprintf(stderr, "concurrency: timeout (--timeout %d s): killing the "
            "processes still running\n", o.sTimeout);
    for(i=0; i<=o.nProc; i++) if( aPid[i]>0 ) kill(aPid[i], SIGKILL);
    ccWait(aPid, o.nProc+1, mxNowNs() + (i64)10*1000000000, &bTimeout);
    nFail++;
  }

  /* Gather the results. */
  aW = calloc((size_t)o.nProc+1, sizeof(MxWorker));
  apW = calloc((size_t)o.nProc+1, sizeof(MxWorker*));
  if( aW==0 || apW==0 ){ fprintf(stderr, "out of memory\n"); return 1; }
  memset(aTot, 0, sizeof(aTot));
  for(i=0; i<=o.nProc; i++){
    char *zFile = ccResultFile(&o, i);
    int k;
    apW[i] = &aW[i];
    if( mxWorkerRead(&aW[i], zFile) ){
      fprintf(stderr, "concurrency: no results from process %d (%s)\n", i, zFile);
      mxWorkerInit(&aW[i], 0, i, 0, 0);
      aW[i].idLo = aW[i].idHi = 0;
      nFail++;
    }
    sqlite3_free(zFile);
    for(k=0; k<MX_NKIND; k++) mxStatAdd(&aTot[k], &aW[i].aStat[k]);
    if( aW[i].nFail ){
      fprintf(stderr, "concurrency: %s %d (seed %llu) reported %d failure(s):\n%s",
              i<o.nProc ? "writer" : "reader", i,
              (unsigned long long)aW[i].seed, aW[i].nFail, aW[i].zFail);
      nFail += aW[i].nFail;
    }
    if( i<o.nProc ){
      nOp += aW[i].nOp;
      nTxn += aW[i].nTxn;
      nRollback += aW[i].nRollback;
      nCheck += aW[i].nCheck;
    }else{
      nReaderCheck = aW[i].nCheck;
    }
  }
  if( nChildFail && nFail==0 ){
    fprintf(stderr, "concurrency: %d process(es) failed without a report\n", nChildFail);
    nFail += nChildFail;
  }

  /* The database against the union of the models. */
  rc = mxOpen(zDb, o.busyMs, &db, &zErr);
  if( rc ){
    fprintf(stderr, "concurrency: %s\n", zErr);
    return 1;
  }
  {
    static const char *const azPragma[] = {
      "PRAGMA integrity_check", "PRAGMA foreign_key_check"
    };
    for(i=0; i<2; i++){
      sqlite3_stmt *pStmt = 0;
      rc = sqlite3_prepare_v2(db, azPragma[i], -1, &pStmt, 0);
      if( rc==SQLITE_OK ) rc = sqlite3_step(pStmt);
      if( i==0 && (rc!=SQLITE_ROW
                   || strcmp((const char*)sqlite3_column_text(pStmt, 0), "ok")) ){
        fprintf(stderr, "concurrency: integrity_check: %s\n", rc==SQLITE_ROW
                ? (const char*)sqlite3_column_text(pStmt, 0) : sqlite3_errmsg(db));
        nFail++;
      }else if( i==1 && rc!=SQLITE_DONE ){
        fprintf(stderr, "concurrency: foreign_key_check: %s\n", rc==SQLITE_ROW
                ? "a row references a missing parent" : sqlite3_errmsg(db));
        nFail++;
      }
      sqlite3_finalize(pStmt);
    }
  }
  {
    char *zBroken = 0;
    rc = mxCheckInvariants(db, &zBroken, &zErr);
    if( rc || zBroken ){
      fprintf(stderr, "concurrency: final invariants: %s\n", zBroken ? zBroken : zErr);
      nFail++;
    }
    sqlite3_free(zBroken);
    sqlite3_free(zErr);
    zErr = 0;
  }
  {
    int nDiff = mxCompare(db, apW, o.nProc+1, &zErr);
    if( nDiff ){
      fprintf(stderr, "concurrency: the database differs from the writers' "
              "models in %d place(s):\n%s", nDiff, zErr);
      nFail += nDiff;
    }
    sqlite3_free(zErr);
  }
  if( sqlite3_close(db)!=SQLITE_OK ){
    fprintf(stderr, "concurrency: sqlite3_close: %s\n", sqlite3_errmsg(db));
    nFail++;
  }

  /* Report. */
  printf("%-28s %7s %7s %7s %7s %7s %7s %9s\n", "operation", "run", "ok",
         "errors", "purged", "busy", "lost", "max ms");
  memset(&tot, 0, sizeof(tot));
  for(i=0; i<MX_NKIND; i++){
    MxStat *s = &aTot[i];
    if( s->nRun==0 ) continue;
    mxStatAdd(&tot, s);
    printf("%-28s %7d %7d %7d %7d %7d %7d %9.1f\n", mxKindName(i), s->nRun,
           s->nOk, s->nErr, s->nNoRow, s->nBusy, s->nLost, s->msMax);
  }
  printf("(errors: failed as predicted; purged: the target was gone, purged by"
         " another process; busy: SQLITE_BUSY after the whole busy_timeout;"
         " lost: SQLITE_BUSY sooner, without waiting = failure; max ms: the"
         " longest statement, waits included)\n");
  printf("concurrency: %d processes x %d operations (%d run, %d transactions "
         "committed, %d rolled back), %d read checks (%d by the reader), "
         "busy: %d waited out, %d lost waits; %d failures (seed %llu, %.1f s)\n",
         o.nProc, o.nOps, nOp, nTxn, nRollback, nCheck+nReaderCheck,
         nReaderCheck, tot.nBusy, tot.nLost, nFail,
         (unsigned long long)o.seed, (double)(mxNowNs()-nsStart)/1e9);
  for(i=0; i<=o.nProc; i++) mxWorkerFree(&aW[i]);
  free(aW);
  free(apW);
  free(aPid);
  sqlite3_free(zDb);
  return nFail ? 1 : 0;
}
