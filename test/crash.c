/*
** crash.c: crash safety of the softdelete extension, in SQLite's spirit
** (test/crash*.test): a writer killed with SIGKILL at random moments must
** leave a database that holds every transaction it committed, nothing of
** the one it was running, and the extension's invariants.
**
** Usage:  build/crash [--seed N] [--kills N] [--dir DIR] [--sync NORMAL|FULL|OFF]
**                     [--max-delay MS] [--verify PCT] [--timeout S] [--unsafe]
**
** How it works. The parent keeps two database files with the blog schema of
** mixed.h: one in WAL mode, one with a rollback journal (the writer uses
** journal_mode DELETE, TRUNCATE or PERSIST in turn). For each kill it forks
** a writer on one of them, alternately. The writer loads its model from the
** database (mixed.c), then runs random transactions of mixed operations
** (inserts, updates, cascading deletes, restores, hard deletes, purges,
** INSERT OR REPLACE, savepoints, rollbacks; now and then a transaction that
** creates a wrapped "tag table" and writes through it, so that the marker
** columns are added inside it, or drops one) and writes records to a pipe:
**
**   READY    the checksum of the model it loaded
**   BEGIN    a transaction started           (a moment to kill in)
**   HINT     a statement touching 8+ rows follows (a cascade to kill in)
**   PENDING  the checksum the database will have if the next commit lands,
**            sent just before COMMIT (or before an autocommit statement)
**   COMMIT   COMMIT returned SQLITE_OK: the database now has that checksum
**   FAIL     the writer found a difference itself (it also compares its
**            whole model with the database inside some transactions)
**
** A record is one write() of fewer than PIPE_BUF bytes, so it arrives whole
** or not at all. The checksum covers every row of the three base tables:
** values, live or deleted, the deletion time, and which rows share an
** operation id (ids are numbered by first appearance, so the model's own
** symbols and the extension's random ids compare), and the list of tag
** tables, each of which must be whole (virtual table, base, marker columns,
** rows).
**
** The parent kills the writer after a random delay, or a few microseconds
** after the n-th BEGIN, HINT or PENDING record, or after the BEGIN of a
** schema transaction; then it opens the database
** itself (recovering the hot journal or the WAL) and checks:
**
**   - PRAGMA integrity_check is "ok";
**   - the checksum is the one of the last COMMIT record, or, if a PENDING
**     record came after it, the pending one: the transaction in flight
**     either committed whole or left no trace. Nothing else is allowed,
**     so no committed transaction is lost and no part of an uncommitted one
**     survives (a later commit cannot "explain" anything here: the state
**     must equal one of the two exactly);
**   - the invariants of mixed.c: no live post of a deleted user, no live
**     comment of a deleted post, deleted_at and deleted_at_op both set or
**     both NULL, each virtual table shows exactly the live rows.
**
** The next writer then starts on the same file.
**
** synchronous: NORMAL by default. A SIGKILL ends the process but not the
** kernel: everything write() handed to the page cache survives, so the
** durability of a commit against a kill does not depend on fsync (OFF would
** do as well; FULL only adds protection against power loss, which a kill
** cannot simulate). NORMAL is what WAL users run, and keeps the run fast.
**
** --unsafe checks the checker: the rollback-journal writer then keeps its
** journal in memory with a one-page cache, so that pages spill into the
** database mid-transaction and a kill leaves half a transaction behind.
** The run must then fail (it does, within a few dozen kills).
**
** Prints where the kills landed (the last record before each), then one
** summary line: kills, committed transactions checked (those whose COMMIT
** record arrived; the state checked after each kill contains them all),
** how the commits in flight at a kill ended, failures. Exits 1 on the
** first failure, with the seed, the kill number and the last record; the
** files as the writer left them are kept as DIR/crash-*.db.crashed*.
** Every wait is bounded: the parent kills a writer within 1.5 s, reaps it
** within 10 s, and a writer whose parent is gone dies by alarm() after 60 s.
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

/* Record types. */
#define CR_READY   1
#define CR_BEGIN   2
#define CR_HINT    3
#define CR_PENDING 4
#define CR_COMMIT  5
#define CR_FAIL    6
#define CR_NTYPE   7
static const char *const azType[CR_NTYPE] = {
  "none", "READY", "BEGIN", "HINT", "PENDING", "COMMIT", "FAIL"
};

typedef struct CrRec {
  unsigned int magic;
  int eType;
  u64 sum;                  /* Checksum (READY, PENDING, COMMIT) */
  int nTxn;                 /* Transactions the writer committed so far */
  char zWhat[200];          /* Statement, or the failure (FAIL) */
} CrRec;
#define CR_MAGIC 0x63727368

/* Kill plans. */
#define CR_PLAN_DELAY   0   /* after a random delay */
#define CR_PLAN_BEGIN   1   /* just after the n-th BEGIN: mid-transaction */
#define CR_PLAN_HINT    2   /* just after the n-th HINT: mid-cascade */
#define CR_PLAN_PENDING 3   /* just after the n-th PENDING: mid-commit */
#define CR_PLAN_SCHEMA  4   /* just after a schema transaction began */
static const char *const azPlan[] = {
  "delay", "begin", "cascade", "commit", "schema"
};

typedef struct CrOpt {
  u64 seed;
  int nKill;
  const char *zDir;
  const char *zSync;
  int msMaxDelay;
  int verifyPct;
  int sTimeout;
  int bUnsafe;
} CrOpt;

/* ---- The writer (child) ------------------------------------------------ */

static int crFd = -1;

static void crSend(int eType, u64 sum, int nTxn, const char *zWhat){
  CrRec r;
  const char *p = (const char*)&r;
  size_t n = sizeof(r);
  memset(&r, 0, sizeof(r));
  r.magic = CR_MAGIC;
  r.eType = eType;
  r.sum = sum;
  r.nTxn = nTxn;
  snprintf(r.zWhat, sizeof(r.zWhat), "%s", zWhat ? zWhat : "");
  while( n>0 ){
    ssize_t k = write(crFd, p, n);
    if( k<0 && errno==EINTR ) continue;
    if( k<=0 ) _exit(4);      /* the parent is gone */
    p += k;
    n -= (size_t)k;
  }
}

static void crHookPending(void *p, u64 sum, const char *z){
  crSend(CR_PENDING, sum, ((MxWorker*)p)->nTxn, z);
}
static void crHookCommit(void *p, u64 sum, const char *z){
  crSend(CR_COMMIT, sum, ((MxWorker*)p)->nTxn, z);
}
static void crHookHint(void *p, int eType, const char *z){
  crSend(eType==MX_HINT_BEGIN ? CR_BEGIN : CR_HINT, 0, ((MxWorker*)p)->nTxn, z);
}

static void crWriterFail(const char *zMsg){
  crSend(CR_FAIL, 0, 0, zMsg);
  _exit(3);
}

/* Runs until killed (or, as a safety net, until alarm() fires). */
static void crWriter(const char *zDb, int bWal, int iRound, const char *zSync,
                     u64 seed, int verifyPct, int sAlarm, int bUnsafe){
  static const char *const azJournal[] = { "delete", "truncate", "persist" };
  const char *zJournal = bWal ? "wal" : bUnsafe ? "memory" : azJournal[iRound % 3];
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0, *zSql;
  MxWorker w;
  int rc;
  alarm((unsigned)sAlarm);
  if( mxOpen(zDb, 5000, &db, &zErr) ) crWriterFail(zErr);
  zSql = sqlite3_mprintf("PRAGMA journal_mode=%s", zJournal);
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc || sqlite3_step(pStmt)!=SQLITE_ROW
   || strcmp((const char*)sqlite3_column_text(pStmt, 0), zJournal)!=0 ){
    crWriterFail(sqlite3_mprintf("cannot set journal_mode=%s: %s", zJournal,
                                 sqlite3_errmsg(db)));
  }
  sqlite3_finalize(pStmt);
  zSql = sqlite3_mprintf("PRAGMA synchronous=%s", zSync);
  rc = sqlite3_exec(db, zSql, 0, 0, &zErr);
  sqlite3_free(zSql);
  if( rc ) crWriterFail(zErr);
  if( bUnsafe && !bWal ){
    /* Self-test: with the journal in memory and a tiny page cache, pages
    ** spill into the database file mid-transaction, which a kill then
    ** leaves behind. The parent must notice. */
    if( sqlite3_exec(db, "PRAGMA cache_size=1", 0, 0, &zErr) ) crWriterFail(zErr);
  }

  mxWorkerInit(&w, db, 0, 1, seed);
  w.verifyPct = verifyPct;
  w.schemaPerMille = 20;
  w.pHook = &w;
  if( mxModelLoad(&w) ) crWriterFail(w.zFail);
  crSend(CR_READY, mxModelSum(&w), 0, "");
  w.xPending = crHookPending;
  w.xCommit = crHookCommit;
  w.xHint = crHookHint;
  for(;;){
    if( mxTransaction(&w) || w.nFail ) crWriterFail(w.zFail);
  }
}

/* ---- The parent -------------------------------------------------------- */

static i64 crNowUs(void){ return mxNowNs()/1000; }

static void crSleepUs(i64 us){
  struct timespec ts;
  if( us<=0 ) return;
  ts.tv_sec = (time_t)(us/1000000);
  ts.tv_nsec = (long)(us%1000000)*1000;
  while( nanosleep(&ts, &ts)<0 && errno==EINTR ){}
}

static int crCopy(const char *zFrom, const char *zTo){
  char buf[65536];
  int in = open(zFrom, O_RDONLY), out, ok = 1;
  ssize_t n;
  unlink(zTo);
  if( in<0 ) return 0;                 /* no such file: nothing to keep */
  out = open(zTo, O_WRONLY|O_CREAT|O_TRUNC, 0644);
  if( out<0 ){ close(in); return 1; }
  while( (n = read(in, buf, sizeof(buf)))>0 ){
    if( write(out, buf, (size_t)n)!=n ){ ok = 0; break; }
  }
  close(in);
  close(out);
  return !ok;
}

static void crUnlinkDb(const char *zDb){
  static const char *const azSuffix[] = { "", "-wal", "-shm", "-journal" };
  int i;
  for(i=0; i<4; i++){
    char *z = sqlite3_mprintf("%s%s", zDb, azSuffix[i]);
    unlink(z);
    sqlite3_free(z);
  }
}

/* Keep the files exactly as the killed writer left them. */
static void crKeepCrashed(const char *zDb){
  static const char *const azSuffix[] = { "", "-wal", "-journal" };
  int i;
  for(i=0; i<3; i++){
    char *zFrom = sqlite3_mprintf("%s%s", zDb, azSuffix[i]);
    char *zTo = sqlite3_mprintf("%s.crashed%s", zDb, azSuffix[i]);
    crCopy(zFrom, zTo);
    sqlite3_free(zFrom);
    sqlite3_free(zTo);
  }
}

/* Open zDb, check it and return its checksum. 0 on success; otherwise
** *pzErr says what is wrong. */
static int crCheckDb(const char *zDb, u64 *pSum, char **pzErr){
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  char *zBroken = 0;
  int rc;
  *pzErr = 0;
  if( mxOpen(zDb, 5000, &db, pzErr) ) return 1;
  rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_step(pStmt);
    if( rc!=SQLITE_ROW ){
      *pzErr = sqlite3_mprintf("integrity_check: %s", sqlite3_errmsg(db));
    }else if( strcmp((const char*)sqlite3_column_text(pStmt, 0), "ok")!=0 ){
      *pzErr = sqlite3_mprintf("integrity_check: %s", sqlite3_column_text(pStmt, 0));
    }
    sqlite3_finalize(pStmt);
  }else{
    *pzErr = sqlite3_mprintf("integrity_check: %s", sqlite3_errmsg(db));
  }
  if( *pzErr==0 ) mxDbSum(db, pSum, pzErr);
  if( *pzErr==0 ){
    char *zErr = 0;
    rc = mxCheckInvariants(db, &zBroken, &zErr);
    if( zBroken ) *pzErr = sqlite3_mprintf("invariant broken: %s", zBroken);
    else if( rc ) *pzErr = zErr, zErr = 0;
    sqlite3_free(zBroken);
    sqlite3_free(zErr);
  }
  if( sqlite3_close(db)!=SQLITE_OK && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("sqlite3_close: %s", sqlite3_errmsg(db));
  }
  return *pzErr!=0;
}

static int crCreate(const char *zDb, int bWal, u64 *pSum){
  sqlite3 *db = 0;
  char *zErr = 0;
  int rc;
  crUnlinkDb(zDb);
  rc = mxOpen(zDb, 5000, &db, &zErr);
  if( rc==SQLITE_OK && bWal ) rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", 0, 0, &zErr);
  if( rc==SQLITE_OK ) rc = mxCreateSchema(db, &zErr);
  if( rc==SQLITE_OK ) rc = mxDbSum(db, pSum, &zErr);
  if( rc ) fprintf(stderr, "crash: cannot create %s: %s\n", zDb, zErr ? zErr : "?");
  sqlite3_free(zErr);
  if( db && sqlite3_close(db)!=SQLITE_OK ){
    fprintf(stderr, "crash: sqlite3_close: %s\n", sqlite3_errmsg(db));
    rc = 1;
  }
  return rc;
}

static void crUsage(void){
  fprintf(stderr, "usage: crash [--seed N] [--kills N] [--dir DIR] "
          "[--sync NORMAL|FULL|OFF] [--max-delay MS] [--verify PCT] [--timeout S]"
          " [--unsafe]\n");
  exit(2);
}

/* The state of one database between kills. */
typedef struct CrDb {
  char *zPath;
  int bWal;
  u64 sum;                  /* The checksum it must have now */
  int nKill;
} CrDb;

int main(int argc, char **argv){
  CrOpt o;
  CrDb aDb[2];
  u64 rng;
  i64 tStart = crNowUs();
  int i, k, nFail = 0;
  int nCommitted = 0, nPendCommitted = 0, nPendLost = 0, nBeforeReady = 0;
  int aAt[CR_NTYPE], aPlan[5];
  memset(&o, 0, sizeof(o));
  memset(aAt, 0, sizeof(aAt));
  memset(aPlan, 0, sizeof(aPlan));
  o.seed = (u64)time(0) ^ ((u64)getpid()<<16);
  o.nKill = 300;
  o.zDir = "build/stress";
  o.zSync = "NORMAL";
  o.msMaxDelay = 60;
  o.verifyPct = 10;
  o.sTimeout = 280;
  for(i=1; i<argc; i++){
    const char *z = argv[i];
    if( strcmp(z, "--unsafe")==0 ){ o.bUnsafe = 1; continue; }
    if( i+1>=argc ) crUsage();
    if( strcmp(z, "--seed")==0 ) o.seed = strtoull(argv[++i], 0, 10);
    else if( strcmp(z, "--kills")==0 ) o.nKill = atoi(argv[++i]);
    else if( strcmp(z, "--dir")==0 ) o.zDir = argv[++i];
    else if( strcmp(z, "--sync")==0 ) o.zSync = argv[++i];
    else if( strcmp(z, "--max-delay")==0 ) o.msMaxDelay = atoi(argv[++i]);
    else if( strcmp(z, "--verify")==0 ) o.verifyPct = atoi(argv[++i]);
    else if( strcmp(z, "--timeout")==0 ) o.sTimeout = atoi(argv[++i]);
    else crUsage();
  }
  if( o.nKill<1 || o.msMaxDelay<1 ) crUsage();
  printf("crash: seed %llu, %d kills, synchronous=%s, in %s\n",
         (unsigned long long)o.seed, o.nKill, o.zSync, o.zDir);
  fflush(stdout);
  signal(SIGPIPE, SIG_IGN);
  sqlite3_auto_extension((void(*)(void))sqlite3_softdelete_init);
  if( mkdir(o.zDir, 0755) && errno!=EEXIST ){
    fprintf(stderr, "crash: cannot create %s\n", o.zDir);
    return 1;
  }
  for(i=0; i<2; i++){
    aDb[i].bWal = i==0;
    aDb[i].nKill = 0;
    aDb[i].zPath = sqlite3_mprintf("%s/crash-%s.db", o.zDir, i==0 ? "wal" : "rollback");
    if( crCreate(aDb[i].zPath, aDb[i].bWal, &aDb[i].sum) ) return 1;
  }
  rng = o.seed;

  for(k=0; k<o.nKill && nFail==0; k++){
    CrDb *pDb = &aDb[k%2];
    u64 childSeed = mxRand(&rng);
    int ePlan, nth, fds[2], status = 0, bKilled = 0, bEof = 0, bPending = 0;
    int nSeen[CR_NTYPE], eLast = 0, nTxnLast = 0;
    i64 usDelay, usAfter, t0, tKill = 0, usDeadline;
    u64 sumPending = 0;
    char zBuf[sizeof(CrRec)*4];
    size_t nBuf = 0;
    char zLastWhat[200] = "";
    char zFailMsg[200] = "";
    pid_t pid;

    if( (crNowUs()-tStart)/1000000 > o.sTimeout ){
      fprintf(stderr, "crash: time is up (--timeout %d s) after %d kills\n",
              o.sTimeout, k);
      nFail++;
      break;
    }
    memset(nSeen, 0, sizeof(nSeen));
    ePlan = mxRandInt(&rng, 20);
    ePlan = ePlan<8 ? CR_PLAN_DELAY : ePlan<11 ? CR_PLAN_BEGIN
          : ePlan<15 ? CR_PLAN_HINT : ePlan<18 ? CR_PLAN_PENDING : CR_PLAN_SCHEMA;
    nth = 1 + mxRandInt(&rng, 4);
    usDelay = 500 + (i64)mxRandInt(&rng, o.msMaxDelay*1000);
    usAfter = mxRandInt(&rng, ePlan==CR_PLAN_PENDING ? 400 : 3000);
    aPlan[ePlan]++;

    if( pipe(fds) ){ perror("pipe"); return 1; }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if( pid<0 ){ perror("fork"); return 1; }
    if( pid==0 ){
      close(fds[0]);
      crFd = fds[1];
      crWriter(pDb->zPath, pDb->bWal, pDb->nKill, o.zSync, childSeed,
               o.verifyPct, 60, o.bUnsafe);
      _exit(0);
    }
    close(fds[1]);
    pDb->nKill++;
    t0 = crNowUs();
    /* Read records until it is time to kill; then drain what is left. */
    usDeadline = t0 + (ePlan==CR_PLAN_DELAY ? usDelay : 1500000);
    while( !bEof ){
      i64 now = crNowUs();
      int msWait;
      struct pollfd pfd;
      if( !bKilled && now>=usDeadline ){
        kill(pid, SIGKILL);
        bKilled = 1;
        tKill = now;
      }
      if( bKilled && now-tKill>10000000 ){
        fprintf(stderr, "crash: the writer's pipe stayed open 10 s after SIGKILL\n");
        nFail++;
        break;
      }
      msWait = bKilled ? 100 : (int)((usDeadline-now+999)/1000);
      pfd.fd = fds[0];
      pfd.events = POLLIN;
      pfd.revents = 0;
      if( poll(&pfd, 1, msWait)<0 ){
        if( errno==EINTR ) continue;
        perror("poll");
        return 1;
      }
      if( pfd.revents==0 ) continue;
      {
        ssize_t n = read(fds[0], zBuf+nBuf, sizeof(zBuf)-nBuf);
        if( n<0 && errno==EINTR ) continue;
        if( n<=0 ){ bEof = 1; break; }
        nBuf += (size_t)n;
      }
      while( nBuf>=sizeof(CrRec) ){
        CrRec r;
        memcpy(&r, zBuf, sizeof(r));
        memmove(zBuf, zBuf+sizeof(r), nBuf-sizeof(r));
        nBuf -= sizeof(r);
        if( r.magic!=CR_MAGIC || r.eType<1 || r.eType>=CR_NTYPE ){
          fprintf(stderr, "crash: garbled record from the writer\n");
          nFail++;
          continue;
        }
        nSeen[r.eType]++;
        eLast = r.eType;
        snprintf(zLastWhat, sizeof(zLastWhat), "%s", r.zWhat);
        switch( r.eType ){
          case CR_READY:
            if( r.sum!=pDb->sum ){
              fprintf(stderr, "crash: kill %d: the writer loaded a model whose "
                      "checksum %016llx differs from the database's %016llx\n",
                      k, (unsigned long long)r.sum, (unsigned long long)pDb->sum);
              nFail++;
            }
            break;
          case CR_PENDING:
            bPending = 1;
            sumPending = r.sum;
            break;
          case CR_COMMIT:
            bPending = 0;
            pDb->sum = r.sum;
            if( r.nTxn>nTxnLast ){ nCommitted += r.nTxn-nTxnLast; nTxnLast = r.nTxn; }
            break;
          case CR_FAIL:
            snprintf(zFailMsg, sizeof(zFailMsg), "%s", r.zWhat);
            break;
        }
        if( !bKilled && r.eType!=CR_FAIL
         && ((ePlan==CR_PLAN_BEGIN && r.eType==CR_BEGIN && nSeen[CR_BEGIN]>=nth)
          || (ePlan==CR_PLAN_HINT && r.eType==CR_HINT && nSeen[CR_HINT]>=nth)
          || (ePlan==CR_PLAN_PENDING && r.eType==CR_PENDING && nSeen[CR_PENDING]>=nth)
          || (ePlan==CR_PLAN_SCHEMA && r.eType==CR_BEGIN
              && (strncmp(r.zWhat, "CREATE", 6)==0 || strncmp(r.zWhat, "DROP", 4)==0))) ){
          crSleepUs(usAfter);
          kill(pid, SIGKILL);
          bKilled = 1;
          tKill = crNowUs();
        }
      }
    }
    close(fds[0]);
    if( !bKilled ){
      kill(pid, SIGKILL);   /* it closed the pipe: reap it all the same */
    }
    /* Reap, bounded. */
    {
      i64 tWait = crNowUs();
      pid_t got;
      while( (got = waitpid(pid, &status, WNOHANG))==0 ){
        if( crNowUs()-tWait>10000000 ){
          fprintf(stderr, "crash: writer %d did not die within 10 s of SIGKILL\n",
                  (int)pid);
          return 1;
        }
        crSleepUs(1000);
      }
      if( got<0 ){ perror("waitpid"); return 1; }
    }
    if( !bKilled || !WIFSIGNALED(status) || WTERMSIG(status)!=SIGKILL ){
      fprintf(stderr, "crash: kill %d: the writer ended by itself (%s %d): %s\n",
              k, WIFSIGNALED(status) ? "signal" : "exit status",
              WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
              zFailMsg[0] ? zFailMsg : "(no message)");
      nFail++;
    }
    if( nSeen[CR_READY]==0 ) nBeforeReady++;
    aAt[eLast]++;

    /* The database as the writer left it. */
    if( nFail==0 ){
      u64 sum = 0;
      char *zErr = 0;
      crKeepCrashed(pDb->zPath);
      if( crCheckDb(pDb->zPath, &sum, &zErr) ){
        fprintf(stderr, "crash: kill %d (%s, plan %s): %s\n", k,
                pDb->bWal ? "WAL" : "rollback journal", azPlan[ePlan], zErr);
        nFail++;
      }else if( sum==pDb->sum ){
        if( bPending && sumPending!=pDb->sum ) nPendLost++;
      }else if( bPending && sum==sumPending ){
        pDb->sum = sum;
        nPendCommitted++;
      }else{
        fprintf(stderr, "crash: kill %d (%s, plan %s): the database's checksum "
                "%016llx is neither the last committed state %016llx nor the "
                "pending one %s%016llx (if a run with --verify 100, where the "
                "writer compares its model with the database before every "
                "commit, reports a difference first, the extension and the "
                "model disagree even without a kill)\n", k,
                pDb->bWal ? "WAL" : "rollback journal", azPlan[ePlan],
                (unsigned long long)sum, (unsigned long long)pDb->sum,
                bPending ? "" : "(none) ", (unsigned long long)sumPending);
        nFail++;
      }
      sqlite3_free(zErr);
    }
    if( nFail ){
      fprintf(stderr, "crash: FAILED at kill %d of seed %llu (writer seed %llu,"
              " %s, journal round %d, plan %s): last record %s \"%s\"; the files"
              " as the writer left them are %s.crashed*; rerun with --seed %llu\n",
              k, (unsigned long long)o.seed, (unsigned long long)childSeed,
              pDb->bWal ? "WAL" : "rollback journal", pDb->nKill-1,
              azPlan[ePlan], azType[eLast], zLastWhat, pDb->zPath,
              (unsigned long long)o.seed);
    }
  }

  printf("crash: kills landed after: nothing (before the writer was ready) %d,"
         " BEGIN %d, HINT (a cascade) %d, PENDING (commit in flight) %d,"
         " COMMIT %d; plans delay %d, begin %d, cascade %d, commit %d, schema %d\n",
         nBeforeReady, aAt[CR_BEGIN], aAt[CR_HINT], aAt[CR_PENDING],
         aAt[CR_COMMIT], aPlan[0], aPlan[1], aPlan[2], aPlan[3], aPlan[4]);
  printf("crash: %d kills (%d WAL, %d rollback journal), %d committed "
         "transactions checked, commit in flight at the kill: %d found "
         "committed, %d found rolled back; %d failures (seed %llu, %.1f s)\n",
         k, aDb[0].nKill, aDb[1].nKill, nCommitted, nPendCommitted, nPendLost,
         nFail, (unsigned long long)o.seed, (double)(crNowUs()-tStart)/1e6);
  for(i=0; i<2; i++) sqlite3_free(aDb[i].zPath);
  return nFail ? 1 : 0;
}
