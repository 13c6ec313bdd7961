/*
** bench.c -- the softdelete benchmark.
**
** The same data is read and written three ways in one run:
**
**   base  the ordinary tables, every query written with "deleted_at IS NULL"
**         and every soft delete written by hand as UPDATE statements;
**   view  ordinary tables behind views that show the live rows, with
**         INSTEAD OF INSERT/UPDATE/DELETE triggers (DELETE sets deleted_at on
**         the row and, by hand, on the rows that cascade from it);
**   vtab  the same tables wrapped by CREATE VIRTUAL TABLE ... USING
**         softdelete(...), queried with the same SQL as the view.
**
** Each target has its own database (and connection) holding identical rows
** and identical indexes, first in memory, then as WAL files. For every
** workload the targets run interleaved: R rounds, each running every target
** for N operations (the starting target rotates), with prepared statements
** reused (bind, step, reset). The table shows the median ns/op of each target
** and the ratios of the medians. Results are checked: read workloads compare a
** checksum of the rows each target returned, write workloads compare the
** state of the tables afterwards.
**
** Usage: bench LIBPATH [--quick] [--only W[,W...]] [--file PREFIX]
**                      [--rounds R] [--cpu] [--live0] [--guard]
**                      [--callgrind [--target T] [--full]]
**
**   LIBPATH      the softdelete extension, loaded with sqlite3_load_extension
**   --quick      1/20 of the data, fewer operations and rounds (CI smoke run)
**   --only       run only these workloads (names in aWork[] below, or
**                "scaling")
**   --file       path prefix of the WAL databases (default /tmp/sd-bench-PID);
**                PREFIX-base.db, PREFIX-view.db, PREFIX-vtab.db are removed
**                at exit
**   --rounds     rounds per workload (default 9, 5 with --quick)
**   --cpu        time with the thread's CPU clock instead of CLOCK_MONOTONIC
**                (steadier on a busy machine; leaves out I/O waits)
**   --live0      markers as GORM keeps them: NOT NULL DEFAULT 0, live=0
**                (see live0_sql(); the main workloads only)
**   --guard      the vtab's tables with guard=on (the main workloads only)
**   --callgrind  build one target only (vtab unless --target), in memory, at
**                the --quick sizes unless --full, then run one workload (the
**                first of --only, default point_id) a fixed number of times
**                inside bench_ops(); for instruction counts:
**                  valgrind --tool=callgrind --toggle-collect=bench_ops \
**                    build/bench ./softdelete.so --callgrind --only join
**
** Build: cc -O2 -o build/bench bench/bench.c -lsqlite3 -lm   (make bench)
*/
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef long long i64;
typedef unsigned long long u64;

enum { K_BASE, K_VIEW, K_VTAB, N_KIND };
static const char *azKind[N_KIND] = { "base", "view", "vtab" };
/* Suffix of the data tables of each target. */
static const char *azSuffix[N_KIND] = { "_b", "_data_v", "_data_x" };

/* ---- Helpers ------------------------------------------------------------ */

/*
** --live0: every table keeps its marker DEFAULT 0, 0 when live (as GORM's
** soft_delete plugin does), and the vtab says so with live=0. A deletion
** still writes the same datetime text, and the column stays nullable (a
** NOT NULL column makes SQLite keep a statement journal for every UPDATE
** that may change several rows, the cascades' among them: a cost of the
** schema, measured apart in the README), so that a run with --live0 and one
** without differ in the live value alone: the SQL of all three targets is
** rewritten from the NULL-marker text by live0_sql(). The main workloads
** only.
**
** --guard: the vtab's live tables get guard=on (its triggers on the base),
** to measure what they cost.
*/
static int bLive0 = 0;
static int bGuardOn = 0;

static char *live0_sql(const char *z){
  static const char *const azGuard[][2] = {
    { "softdelete(users_data_x", "softdelete(users_data_x, guard=on" },
    { "softdelete(posts_data_x)", "softdelete(posts_data_x, guard=on" },
    { "softdelete(comments_data_x", "softdelete(comments_data_x, guard=on" },
  };
  static const char *const azRep[][2] = {
    { "deleted_at TEXT,", "deleted_at INTEGER DEFAULT 0," },
    { "deleted_at IS NOT NULL", "deleted_at IS NOT 0" },
    { "deleted_at IS NULL", "deleted_at IS 0" },
    { "deleted_at=NULL", "deleted_at=0" },
    { "?4,NULL,NULL)", "?4,0,NULL)" },
    { "softdelete(users_data_x", "softdelete(users_data_x, live=0" },
    { "softdelete(posts_data_x", "softdelete(posts_data_x, live=0" },
    { "softdelete(comments_data_x", "softdelete(comments_data_x, live=0" },
  };
  sqlite3_str *s = sqlite3_str_new(0);
  while( *z ){
    size_t k, n = 0, nRep = bLive0 ? sizeof(azRep)/sizeof(azRep[0]) : 0;
    size_t nGuard = bGuardOn ? sizeof(azGuard)/sizeof(azGuard[0]) : 0;
    for(k=0; k<nGuard; k++){
      n = strlen(azGuard[k][0]);
      if( strncmp(z, azGuard[k][0], n)==0 ) break;
    }
    if( k<nGuard ){
      /* Then the live0 rule for the same name, if any. */
      sqlite3_str_appendall(s, azGuard[k][1]);
      if( bLive0 ) sqlite3_str_appendall(s, ", live=0");
      if( azGuard[k][0][n-1]==')' ) sqlite3_str_appendchar(s, 1, ')');
      z += n;
      continue;
    }
    for(k=0; k<nRep; k++){
      n = strlen(azRep[k][0]);
      if( strncmp(z, azRep[k][0], n)==0 ) break;
    }
    if( k<nRep ){
      sqlite3_str_appendall(s, azRep[k][1]);
      z += n;
    }else{
      sqlite3_str_appendchar(s, 1, *z++);
    }
  }
  return sqlite3_str_finish(s);
}

static void fatal(sqlite3 *db, const char *zWhat){
  fprintf(stderr, "bench: %s: %s\n", zWhat, db ? sqlite3_errmsg(db) : "");
  exit(1);
}

static void execf(sqlite3 *db, const char *zFmt, ...){
  va_list ap;
  char *zSql, *zErr = 0;
  va_start(ap, zFmt);
  zSql = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( bLive0 || bGuardOn ){
    char *z = live0_sql(zSql);
    sqlite3_free(zSql);
    zSql = z;
  }
  if( sqlite3_exec(db, zSql, 0, 0, &zErr)!=SQLITE_OK ){
    fprintf(stderr, "bench: %s\n  in: %s\n", zErr, zSql);
    exit(1);
  }
  sqlite3_free(zSql);
}

static sqlite3_stmt *prep(sqlite3 *db, const char *zSql){
  sqlite3_stmt *p = 0;
  char *zLive0 = (bLive0 || bGuardOn) ? live0_sql(zSql) : 0;
  if( zLive0 ) zSql = zLive0;
  if( sqlite3_prepare_v3(db, zSql, -1, SQLITE_PREPARE_PERSISTENT, &p, 0) ){
    fprintf(stderr, "bench: cannot prepare: %s\n  %s\n", sqlite3_errmsg(db), zSql);
    exit(1);
  }
  sqlite3_free(zLive0);
  return p;
}

/* Run a statement that must succeed; reset it. */
static void step_done(sqlite3 *db, sqlite3_stmt *p){
  int rc;
  while( (rc = sqlite3_step(p))==SQLITE_ROW ){}
  if( rc!=SQLITE_DONE ){
    fprintf(stderr, "bench: %s\n  in: %s\n", sqlite3_errmsg(db), sqlite3_sql(p));
    exit(1);
  }
  sqlite3_reset(p);
}

/* Bind the marker of a row: its deletion time, or the live value (NULL,
** 0 with --live0). */
static void bind_marker(sqlite3_stmt *p, int iParam, const char *zDel){
  if( zDel ) sqlite3_bind_text(p, iParam, zDel, -1, SQLITE_STATIC);
  else if( bLive0 ) sqlite3_bind_int(p, iParam, 0);
  else sqlite3_bind_null(p, iParam);
}

/* Bind one post row to an INSERT INTO posts...(8 columns) statement; a
** deleted post (zDel not NULL) gets that deletion time and an op id. */
static void bind_post(sqlite3_stmt *p, int i, int iAuthor, const char *zSlug,
                      const char *zTitle, const char *zBody, const char *zDel){
  sqlite3_bind_int(p, 1, i);
  sqlite3_bind_int(p, 2, iAuthor);
  sqlite3_bind_text(p, 3, zSlug, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 4, zTitle, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 5, zBody, -1, SQLITE_STATIC);
  sqlite3_bind_int64(p, 6, 1700000000LL + i*37LL);
  bind_marker(p, 7, zDel);
  if( zDel ) sqlite3_bind_int64(p, 8, 1000000000LL + i);
  else sqlite3_bind_null(p, 8);
}

/* The text of the first column of a one-row query. */
static char *query_text(sqlite3 *db, const char *zSql){
  sqlite3_stmt *p = prep(db, zSql);
  char *z = 0;
  if( sqlite3_step(p)==SQLITE_ROW ){
    z = sqlite3_mprintf("%s", (const char*)sqlite3_column_text(p, 0));
  }else{
    fatal(db, zSql);
  }
  sqlite3_finalize(p);
  return z;
}

/* CLOCK_MONOTONIC; --cpu: this thread's CPU time, which leaves out the
** time other processes hold the CPU (on a busy machine). */
static clockid_t eClock = CLOCK_MONOTONIC;

/* Elapsed wall time, for the totals. */
static double wall_ns(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec*1e9 + (double)t.tv_nsec;
}

static double now_ns(void){
  struct timespec t;
  clock_gettime(eClock, &t);
  return (double)t.tv_sec*1e9 + (double)t.tv_nsec;
}

/* splitmix64: deterministic data and keys. */
static u64 rngState;
static void rng_seed(u64 s){ rngState = s; }
static u64 rng(void){
  u64 z = (rngState += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static int rng_below(int n){ return (int)(rng() % (u64)n); }

static const char *azWord[] = {
  "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
  "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
  "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey",
  "xray", "yankee", "zulu", "sqlite", "table", "index", "query", "planner",
  "cursor", "virtual", "module", "soft", "delete", "restore", "cascade",
  "page", "btree", "journal", "commit", "rollback", "savepoint", "trigger",
  "view", "column", "row", "schema", "vacuum", "analyze", "pragma",
};
#define N_WORD ((int)(sizeof(azWord)/sizeof(azWord[0])))

/* Random words into z[], about nLen bytes (nLen+1 < nBuf). */
static void rand_text(char *z, int nBuf, int nLen){
  int n = 0;
  while( n<nLen ){
    const char *w = azWord[rng_below(N_WORD)];
    int k = (int)strlen(w);
    if( n+k+2>=nBuf ) break;
    if( n ) z[n++] = ' ';
    memcpy(&z[n], w, k);
    n += k;
  }
  z[n] = 0;
}

static int cmp_double(const void *a, const void *b){
  double x = *(const double*)a, y = *(const double*)b;
  return x<y ? -1 : x>y;
}
static double median(double *a, int n){
  double *c = malloc(sizeof(double)*n);
  double m;
  memcpy(c, a, sizeof(double)*n);
  qsort(c, n, sizeof(double), cmp_double);
  m = (n&1) ? c[n/2] : (c[n/2-1]+c[n/2])/2;
  free(c);
  return m;
}

/* ---- Configuration ------------------------------------------------------ */

typedef struct Config Config;
struct Config {
  const char *zLib;         /* Path of the extension */
  const char *zPrefix;      /* Path prefix of the WAL databases */
  char *zOnly;              /* Comma-separated workloads, or NULL for all */
  int bQuick;               /* --quick */
  int bFull;                /* --full (with --callgrind) */
  int nRound;               /* Rounds per workload */
  int nUser, nPost;         /* Rows */
  int nComment;             /* Average comments per post */
  int nScaleSmall, nScaleLarge;  /* Posts in the scaling check */
  int bCallgrind;           /* --callgrind */
  int eTarget;              /* Target for --callgrind */
};
static Config cfg;

static int nMismatch = 0;   /* Correctness problems found */

/* ---- The data ----------------------------------------------------------- */

/*
** Per target: the data tables (suffix _b, _data_v, _data_x), then the
** target's own layer. Columns deleted_at/deleted_at_op exist in all three,
** so the vtab adds nothing. Foreign keys are declared everywhere (the vtab
** cascades along them); PRAGMA foreign_keys stays off in all three.
*/
static void create_tables(sqlite3 *db, int k){
  const char *s = azSuffix[k];
  execf(db,
    "CREATE TABLE users%s(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " email TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " deleted_at TEXT, deleted_at_op INTEGER);"
    "CREATE TABLE posts%s(id INTEGER PRIMARY KEY,"
    " author_id INTEGER NOT NULL REFERENCES users%s(id) ON DELETE CASCADE,"
    " slug TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, deleted_at TEXT, deleted_at_op INTEGER);"
    "CREATE TABLE comments%s(id INTEGER PRIMARY KEY,"
    " post_id INTEGER NOT NULL REFERENCES posts%s(id) ON DELETE CASCADE,"
    " body TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " deleted_at TEXT, deleted_at_op INTEGER);",
    s, s, s, s, s);
}

#define NOW "strftime('%Y-%m-%d %H:%M:%f','now')"

/* Views with INSTEAD OF triggers, as a careful developer writes them. */
static const char zViewDdl[] =
  "CREATE VIEW users AS SELECT id, name, email, created_at FROM users_data_v"
  " WHERE deleted_at IS NULL;"
  "CREATE VIEW posts AS SELECT id, author_id, slug, title, body, created_at"
  " FROM posts_data_v WHERE deleted_at IS NULL;"
  "CREATE VIEW comments AS SELECT id, post_id, body, created_at"
  " FROM comments_data_v WHERE deleted_at IS NULL;"
  "CREATE VIEW posts_trash AS SELECT id, author_id, slug, title, body,"
  " created_at, deleted_at, deleted_at_op FROM posts_data_v"
  " WHERE deleted_at IS NOT NULL;"

  "CREATE TRIGGER users_ins INSTEAD OF INSERT ON users BEGIN"
  " INSERT INTO users_data_v(id, name, email, created_at)"
  " VALUES(NEW.id, NEW.name, NEW.email, NEW.created_at); END;"
  "CREATE TRIGGER users_upd INSTEAD OF UPDATE ON users BEGIN"
  " UPDATE users_data_v SET name=NEW.name, email=NEW.email,"
  " created_at=NEW.created_at WHERE id=OLD.id; END;"
  "CREATE TRIGGER users_del INSTEAD OF DELETE ON users BEGIN"
  " UPDATE comments_data_v SET deleted_at=" NOW ", deleted_at_op=OLD.id"
  "  WHERE deleted_at IS NULL AND post_id IN (SELECT id FROM posts_data_v"
  "  WHERE author_id=OLD.id AND deleted_at IS NULL);"
  " UPDATE posts_data_v SET deleted_at=" NOW ", deleted_at_op=OLD.id"
  "  WHERE author_id=OLD.id AND deleted_at IS NULL;"
  " UPDATE users_data_v SET deleted_at=" NOW ", deleted_at_op=OLD.id"
  "  WHERE id=OLD.id;"
  " END;"

  "CREATE TRIGGER posts_ins INSTEAD OF INSERT ON posts BEGIN"
  " INSERT INTO posts_data_v(id, author_id, slug, title, body, created_at)"
  " VALUES(NEW.id, NEW.author_id, NEW.slug, NEW.title, NEW.body,"
  " NEW.created_at); END;"
  "CREATE TRIGGER posts_upd INSTEAD OF UPDATE ON posts BEGIN"
  " UPDATE posts_data_v SET author_id=NEW.author_id, slug=NEW.slug,"
  " title=NEW.title, body=NEW.body, created_at=NEW.created_at"
  " WHERE id=OLD.id; END;"
  "CREATE TRIGGER posts_del INSTEAD OF DELETE ON posts BEGIN"
  " UPDATE comments_data_v SET deleted_at=" NOW ", deleted_at_op=OLD.id"
  "  WHERE post_id=OLD.id AND deleted_at IS NULL;"
  " UPDATE posts_data_v SET deleted_at=" NOW ", deleted_at_op=OLD.id"
  "  WHERE id=OLD.id;"
  " END;"

  "CREATE TRIGGER comments_ins INSTEAD OF INSERT ON comments BEGIN"
  " INSERT INTO comments_data_v(id, post_id, body, created_at)"
  " VALUES(NEW.id, NEW.post_id, NEW.body, NEW.created_at); END;"
  "CREATE TRIGGER comments_upd INSTEAD OF UPDATE ON comments BEGIN"
  " UPDATE comments_data_v SET post_id=NEW.post_id, body=NEW.body,"
  " created_at=NEW.created_at WHERE id=OLD.id; END;"
  "CREATE TRIGGER comments_del INSTEAD OF DELETE ON comments BEGIN"
  " UPDATE comments_data_v SET deleted_at=" NOW ", deleted_at_op=OLD.id"
  "  WHERE id=OLD.id; END;";

static void load_extension(sqlite3 *db){
  char *zErr = 0;
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, (int*)0);
  if( sqlite3_load_extension(db, cfg.zLib, 0, &zErr) ){
    fprintf(stderr, "bench: cannot load %s: %s\n", cfg.zLib, zErr);
    exit(1);
  }
}

static sqlite3 *open_db(const char *zPath, int k, int bWal){
  sqlite3 *db = 0;
  if( sqlite3_open(zPath, &db) ) fatal(db, zPath);
  if( k==K_VTAB ) load_extension(db);
  execf(db, "PRAGMA cache_size=-262144");   /* 256 MiB: the data fits */
  if( bWal ){
    char *z = query_text(db, "PRAGMA journal_mode=WAL");
    if( strcmp(z, "wal") ) { fprintf(stderr, "bench: no WAL: %s\n", z); exit(1); }
    sqlite3_free(z);
    execf(db, "PRAGMA synchronous=NORMAL");
  }
  return db;
}

/* Whether initially-live post i is deleted: one bit per post. */
static unsigned char *aPostDeleted;
static int nLivePost;
static int *aLivePost;      /* Ids of the initially live posts */

/* A data set starts: its random sequence, and no live post listed yet. */
static void begin_posts(u64 seed, int nPost){
  rng_seed(seed);
  free(aLivePost);
  aLivePost = malloc(sizeof(int)*(nPost+1));
  nLivePost = 0;
}

/*
** Fill the databases aDb[k] (NULL: skip) with the same rows, then index
** them identically. 10% of the posts are deleted (with their comments, as
** one earlier operation); half of those carry the slug of the next post,
** as a row deleted and created again would. About 10% of the other comments
** are deleted on their own. Users are all live.
*/
static void build_data(sqlite3 **aDb, int nUser, int nPost, int nComPer){
  sqlite3_stmt *apU[N_KIND] = {0}, *apP[N_KIND] = {0}, *apC[N_KIND] = {0};
  char zName[32], zEmail[48], zSlug[32], zTitle[80], zBody[320];
  int k, i, j, iCom = 0;
  const char *zDel = "2024-01-02 03:04:05.678";

  begin_posts(0x5D5D2024ULL, nPost);
  free(aPostDeleted);
  aPostDeleted = calloc(nPost+2, 1);

  for(k=0; k<N_KIND; k++){
    const char *s = azSuffix[k];
    char *z;
    if( !aDb[k] ) continue;
    create_tables(aDb[k], k);
    execf(aDb[k], "BEGIN");
    z = sqlite3_mprintf("INSERT INTO users%s VALUES(?1,?2,?3,?4,NULL,NULL)", s);
    apU[k] = prep(aDb[k], z); sqlite3_free(z);
    z = sqlite3_mprintf("INSERT INTO posts%s VALUES(?1,?2,?3,?4,?5,?6,?7,?8)", s);
    apP[k] = prep(aDb[k], z); sqlite3_free(z);
    z = sqlite3_mprintf("INSERT INTO comments%s VALUES(?1,?2,?3,?4,?5,?6)", s);
    apC[k] = prep(aDb[k], z); sqlite3_free(z);
  }

  for(i=1; i<=nUser; i++){
    snprintf(zName, sizeof(zName), "user %d", i);
    snprintf(zEmail, sizeof(zEmail), "user%d@example.com", i);
    for(k=0; k<N_KIND; k++){
      if( !aDb[k] ) continue;
      sqlite3_bind_int(apU[k], 1, i);
      sqlite3_bind_text(apU[k], 2, zName, -1, SQLITE_STATIC);
      sqlite3_bind_text(apU[k], 3, zEmail, -1, SQLITE_STATIC);
      sqlite3_bind_int64(apU[k], 4, 1600000000LL + i*1000LL);
      step_done(aDb[k], apU[k]);
    }
  }

  for(i=1; i<=nPost; i++){
    int bDel = rng_below(10)==0;
    int iAuthor = 1 + rng_below(nUser);
    int nCom;
    aPostDeleted[i] = (unsigned char)bDel;
    if( !bDel ) aLivePost[nLivePost++] = i;
    snprintf(zSlug, sizeof(zSlug), "post-%07d",
             (bDel && i<nPost && rng_below(2)) ? i+1 : i);
    rand_text(zTitle, sizeof(zTitle), 30 + rng_below(20));
    rand_text(zBody, sizeof(zBody), 180 + rng_below(40));
    for(k=0; k<N_KIND; k++){
      if( !aDb[k] ) continue;
      bind_post(apP[k], i, iAuthor, zSlug, zTitle, zBody, bDel ? zDel : 0);
      step_done(aDb[k], apP[k]);
    }
    nCom = nComPer>0 ? nComPer-2 + rng_below(5) : 0;   /* nComPer on average */
    for(j=0; j<nCom; j++){
      int bCDel = bDel || rng_below(10)==0;
      iCom++;
      rand_text(zBody, sizeof(zBody), 30 + rng_below(20));
      for(k=0; k<N_KIND; k++){
        sqlite3_stmt *p = apC[k];
        if( !aDb[k] ) continue;
        sqlite3_bind_int(p, 1, iCom);
        sqlite3_bind_int(p, 2, i);
        sqlite3_bind_text(p, 3, zBody, -1, SQLITE_STATIC);
        sqlite3_bind_int64(p, 4, 1700000000LL + iCom*11LL);
        bind_marker(p, 5, bCDel ? zDel : 0);
        if( bCDel ){
          sqlite3_bind_int64(p, 6, bDel ? 1000000000LL + i : 2000000000LL + iCom);
        }else{
          sqlite3_bind_null(p, 6);
        }
        step_done(aDb[k], p);
      }
    }
  }

  for(k=0; k<N_KIND; k++){
    const char *s = azSuffix[k];
    sqlite3 *db = aDb[k];
    if( !db ) continue;
    sqlite3_finalize(apU[k]);
    sqlite3_finalize(apP[k]);
    sqlite3_finalize(apC[k]);
    execf(db, "CREATE INDEX posts%s_author ON posts%s(author_id);"
              "CREATE INDEX comments%s_post ON comments%s(post_id);", s, s, s, s);
    if( k==K_VTAB ){
      execf(db, "CREATE VIRTUAL TABLE users USING softdelete(users_data_x);"
                "CREATE VIRTUAL TABLE posts USING softdelete(posts_data_x);"
                "CREATE VIRTUAL TABLE comments USING softdelete(comments_data_x);"
                "CREATE VIRTUAL TABLE posts_trash USING softdelete(posts_data_x,"
                " show=deleted);");
      sqlite3_free(query_text(db, "SELECT sd_unique('posts','slug')"));
    }else{
      /* The same index sd_unique() creates. */
      execf(db, "CREATE UNIQUE INDEX posts%s_slug_live_unique ON posts%s(slug)"
                " WHERE deleted_at IS NULL", s, s);
      if( k==K_VIEW ) execf(db, "%s", zViewDdl);
    }
    execf(db, "COMMIT; ANALYZE;");
  }
}

/* ---- Workloads ---------------------------------------------------------- */

enum {
  W_POINT_ID, W_POINT_SLUG, W_ALTERNATE, W_BY_AUTHOR, W_SCAN_AGG, W_PAGE, W_JOIN,
  W_TRASH_AUTHOR, W_TRASH_SCAN, W_INSERT, W_UPDATE, W_SOFT_DELETE, W_CASCADE, N_WORK
};

typedef struct Work Work;
struct Work {
  const char *zName;        /* For --only and the table */
  const char *zDesc;        /* One line */
  int nOps, nQuickOps;      /* Operations per target per round */
  int bWrite;               /* Each round is one transaction */
  const char *zSql;         /* SQL of the view and the vtab */
  const char *azBase[3];    /* SQL of the base, run in order per operation */
  const char *zSql2;        /* W_ALTERNATE: the other statement, taking turns
                            ** with zSql (base: azBase[0] and azBase[1]) */
};

static const Work aWork[N_WORK] = {
  { "point_id", "point lookup by id (10% of ids are deleted rows)",
    20000, 5000, 0,
    "SELECT id, author_id, slug, title, body FROM posts WHERE id=?1",
    { "SELECT id, author_id, slug, title, body FROM posts_b"
      " WHERE id=?1 AND deleted_at IS NULL" } },
  { "point_slug", "point lookup by live-unique slug",
    20000, 5000, 0,
    "SELECT id, author_id, slug, title, body FROM posts WHERE slug=?1",
    { "SELECT id, author_id, slug, title, body FROM posts_b"
      " WHERE slug=?1 AND deleted_at IS NULL" } },
  { "alternate", "by id and by slug in turn, one table (two query shapes)",
    20000, 5000, 0,
    "SELECT id, author_id, slug, title, body FROM posts WHERE id=?1",
    { "SELECT id, author_id, slug, title, body FROM posts_b"
      " WHERE id=?1 AND deleted_at IS NULL",
      "SELECT id, author_id, slug, title, body FROM posts_b"
      " WHERE slug=?2 AND deleted_at IS NULL" },
    "SELECT id, author_id, slug, title, body FROM posts WHERE slug=?2" },
  { "by_author", "posts of one author (~20 rows, ~18 live)",
    2000, 500, 0,
    "SELECT id, slug, title FROM posts WHERE author_id=?1",
    { "SELECT id, slug, title FROM posts_b"
      " WHERE author_id=?1 AND deleted_at IS NULL" } },
  { "scan_agg", "full-scan aggregate over the live posts",
    3, 10, 0,
    "SELECT count(*), sum(length(body)), max(created_at) FROM posts",
    { "SELECT count(*), sum(length(body)), max(created_at) FROM posts_b"
      " WHERE deleted_at IS NULL" } },
  { "page", "ORDER BY id LIMIT 20 OFFSET ? (offsets < 10000)",
    200, 50, 0,
    "SELECT id, slug, title FROM posts ORDER BY id LIMIT 20 OFFSET ?1",
    { "SELECT id, slug, title FROM posts_b WHERE deleted_at IS NULL"
      " ORDER BY id LIMIT 20 OFFSET ?1" } },
  { "join", "10 users (outer) joined to their posts (inner loop)",
    1000, 250, 0,
    "SELECT u.id, u.name, p.id, p.title FROM users AS u"
    " JOIN posts AS p ON p.author_id=u.id WHERE u.id BETWEEN ?1 AND ?2",
    { "SELECT u.id, u.name, p.id, p.title FROM users_b AS u"
      " JOIN posts_b AS p ON p.author_id=u.id WHERE u.id BETWEEN ?1 AND ?2"
      " AND u.deleted_at IS NULL AND p.deleted_at IS NULL" } },
  { "trash_author", "deleted posts of one author, from the trash (~2 rows)",
    2000, 500, 0,
    "SELECT id, slug, title, deleted_at FROM posts_trash WHERE author_id=?1",
    { "SELECT id, slug, title, deleted_at FROM posts_b"
      " WHERE author_id=?1 AND deleted_at IS NOT NULL" } },
  { "trash_scan", "full-scan aggregate over the trash",
    3, 10, 0,
    "SELECT count(*), max(deleted_at), sum(length(title)) FROM posts_trash",
    { "SELECT count(*), max(deleted_at), sum(length(title)) FROM posts_b"
      " WHERE deleted_at IS NOT NULL" } },
  { "insert", "insert a post (one transaction per round)",
    5000, 1250, 1,
    "INSERT INTO posts(author_id, slug, title, body, created_at)"
    " VALUES(?1,?2,?3,?4,?5)",
    { "INSERT INTO posts_b(author_id, slug, title, body, created_at)"
      " VALUES(?1,?2,?3,?4,?5)" } },
  { "update", "update the title of a post by id",
    5000, 1250, 1,
    "UPDATE posts SET title=?2 WHERE id=?1",
    { "UPDATE posts_b SET title=?2 WHERE id=?1 AND deleted_at IS NULL" } },
  { "soft_delete", "soft delete a post by id (cascades to ~5 comments)",
    1000, 250, 1,
    "DELETE FROM posts WHERE id=?1",
    { "UPDATE comments_b SET deleted_at=" NOW ", deleted_at_op=?1"
      " WHERE post_id=?1 AND deleted_at IS NULL",
      "UPDATE posts_b SET deleted_at=" NOW ", deleted_at_op=?1"
      " WHERE id=?1 AND deleted_at IS NULL" } },
  { "cascade", "soft delete a user: ~20 posts, ~100 comments",
    200, 40, 1,
    "DELETE FROM users WHERE id=?1",
    { "UPDATE comments_b SET deleted_at=" NOW ", deleted_at_op=?1"
      " WHERE deleted_at IS NULL AND post_id IN (SELECT id FROM posts_b"
      " WHERE author_id=?1 AND deleted_at IS NULL)",
      "UPDATE posts_b SET deleted_at=" NOW ", deleted_at_op=?1"
      " WHERE author_id=?1 AND deleted_at IS NULL",
      "UPDATE users_b SET deleted_at=" NOW ", deleted_at_op=?1"
      " WHERE id=?1 AND deleted_at IS NULL" } },
};

/* The keys of one round, shared by every target. */
typedef struct Keys Keys;
struct Keys {
  int n;                    /* Operations */
  i64 *a1, *a2;             /* Integer parameters */
  char (*az)[24];           /* Text parameters */
};

#define N_BODY 64
static char azBodyPool[N_BODY][320];   /* Bodies for inserts */
static char azTitlePool[N_BODY][80];   /* Titles for inserts and updates */

/* Permutations consumed by destructive workloads. */
static int *aPermPost, nPermPost, iPermPost;
static int *aPermUser, nPermUser, iPermUser;
static int iNewSlug;

static void shuffle(int *a, int n){
  int i;
  for(i=n-1; i>0; i--){
    int j = rng_below(i+1), t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/* Prepare the keys of the next round of workload w. */
static void make_keys(int w, int iRound, int nPost, int nUser, Keys *k){
  int i;
  rng_seed(0xB00C0000ULL + (u64)w*1000 + (u64)iRound);
  for(i=0; i<k->n; i++){
    switch( w ){
      case W_POINT_ID: case W_UPDATE:
        k->a1[i] = w==W_UPDATE ? aLivePost[rng_below(nLivePost)]
                               : 1 + rng_below(nPost);
        k->a2[i] = rng_below(N_BODY);
        break;
      case W_POINT_SLUG:
        snprintf(k->az[i], sizeof(k->az[i]), "post-%07d", 1 + rng_below(nPost));
        break;
      case W_ALTERNATE:
        k->a1[i] = 1 + rng_below(nPost);
        snprintf(k->az[i], sizeof(k->az[i]), "post-%07d", 1 + rng_below(nPost));
        break;
      case W_BY_AUTHOR: case W_TRASH_AUTHOR:
        k->a1[i] = 1 + rng_below(nUser);
        break;
      case W_PAGE: {
        int nMax = nLivePost<10000 ? nLivePost : 10000;
        k->a1[i] = rng_below(nMax);
        break;
      }
      case W_JOIN:
        k->a1[i] = 1 + rng_below(nUser>10 ? nUser-9 : 1);
        k->a2[i] = k->a1[i] + 9;
        break;
      case W_INSERT:
        k->a1[i] = 1 + rng_below(nUser);
        k->a2[i] = rng_below(N_BODY);
        snprintf(k->az[i], sizeof(k->az[i]), "new-%07d", ++iNewSlug);
        break;
      case W_SOFT_DELETE:
        if( iPermPost>=nPermPost ){ fprintf(stderr, "bench: out of posts\n"); exit(1); }
        k->a1[i] = aPermPost[iPermPost++];
        break;
      case W_CASCADE:
        if( iPermUser>=nPermUser ){ fprintf(stderr, "bench: out of users\n"); exit(1); }
        k->a1[i] = aPermUser[iPermUser++];
        break;
      default:
        break;
    }
  }
}

/* The statements of one target for the current workload. */
typedef struct Tgt Tgt;
struct Tgt {
  int k;                    /* K_BASE, K_VIEW, K_VTAB */
  sqlite3 *db;              /* Its connection */
  int nStmt;                /* Statements per operation */
  sqlite3_stmt *ap[3];      /* The statements */
  sqlite3_stmt *pBegin, *pCommit;
};

static void tgt_prepare(Tgt *t, int w){
  const Work *pW = &aWork[w];
  int i;
  t->nStmt = 0;
  if( t->k==K_BASE ){
    for(i=0; i<3 && pW->azBase[i]; i++) t->ap[t->nStmt++] = prep(t->db, pW->azBase[i]);
  }else{
    t->ap[t->nStmt++] = prep(t->db, pW->zSql);
    if( pW->zSql2 ) t->ap[t->nStmt++] = prep(t->db, pW->zSql2);
  }
  t->pBegin = prep(t->db, "BEGIN");
  t->pCommit = prep(t->db, "COMMIT");
}

static void tgt_finalize(Tgt *t){
  int i;
  for(i=0; i<t->nStmt; i++) sqlite3_finalize(t->ap[i]);
  sqlite3_finalize(t->pBegin);
  sqlite3_finalize(t->pCommit);
  t->nStmt = 0;
}

/* A checksum of the current row: the same rows give the same sum. */
static i64 row_sum(sqlite3_stmt *p){
  int i, n = sqlite3_column_count(p);
  i64 s = 0;
  for(i=0; i<n; i++){
    switch( sqlite3_column_type(p, i) ){
      case SQLITE_INTEGER: s += sqlite3_column_int64(p, i)*(i+1); break;
      case SQLITE_FLOAT:   s += (i64)sqlite3_column_double(p, i); break;
      case SQLITE_NULL:    s += 7; break;
      default: {
        const unsigned char *z = sqlite3_column_text(p, i);
        int nb = sqlite3_column_bytes(p, i);
        s += (i64)nb*31 + (nb ? z[0] + z[nb-1]*3 + z[nb/2]*5 : 0);
        break;
      }
    }
  }
  return s;
}

/*
** Run n operations of workload w on target t; return a checksum of the
** rows read. Everything between bind and reset is what is measured.
*/
__attribute__((noinline))
static i64 run_ops(Tgt *t, int w, Keys *k, int n){
  i64 sum = 0;
  int i, j, rc;
  for(i=0; i<n; i++){
    for(j=0; j<t->nStmt; j++){
      sqlite3_stmt *p = t->ap[j];
      if( w==W_ALTERNATE && j!=i%2 ) continue;    /* the statements take turns */
      switch( w ){
        case W_ALTERNATE:
          sqlite3_bind_int64(p, 1, k->a1[i]);
          sqlite3_bind_text(p, 2, k->az[i], -1, SQLITE_STATIC);
          break;
        case W_POINT_ID: case W_BY_AUTHOR: case W_PAGE: case W_TRASH_AUTHOR:
        case W_SOFT_DELETE: case W_CASCADE:
          sqlite3_bind_int64(p, 1, k->a1[i]);
          break;
        case W_POINT_SLUG:
          sqlite3_bind_text(p, 1, k->az[i], -1, SQLITE_STATIC);
          break;
        case W_JOIN:
          sqlite3_bind_int64(p, 1, k->a1[i]);
          sqlite3_bind_int64(p, 2, k->a2[i]);
          break;
        case W_INSERT:
          sqlite3_bind_int64(p, 1, k->a1[i]);
          sqlite3_bind_text(p, 2, k->az[i], -1, SQLITE_STATIC);
          sqlite3_bind_text(p, 3, azTitlePool[k->a2[i]], -1, SQLITE_STATIC);
          sqlite3_bind_text(p, 4, azBodyPool[k->a2[i]], -1, SQLITE_STATIC);
          sqlite3_bind_int64(p, 5, 1800000000LL + i);
          break;
        case W_UPDATE:
          sqlite3_bind_int64(p, 1, k->a1[i]);
          sqlite3_bind_text(p, 2, azTitlePool[k->a2[i]], -1, SQLITE_STATIC);
          break;
        default:
          break;
      }
      while( (rc = sqlite3_step(p))==SQLITE_ROW ) sum += row_sum(p);
      if( rc!=SQLITE_DONE ){
        fprintf(stderr, "bench: %s on %s: %s\n", aWork[w].zName, azKind[t->k],
                sqlite3_errmsg(t->db));
        exit(1);
      }
      sqlite3_reset(p);
    }
  }
  return sum;
}

/* The measured calls of run_ops(): a function of their own, so that
** valgrind --tool=callgrind --toggle-collect=bench_ops counts them alone. */
__attribute__((noinline))
i64 bench_ops(Tgt *t, int w, Keys *k, int n){
  return run_ops(t, w, k, n);
}

/* One timed run: returns ns/op, stores the checksum. */
static double measure(Tgt *t, int w, Keys *k, int n, i64 *pSum){
  double t0 = now_ns(), t1;
  if( aWork[w].bWrite ) step_done(t->db, t->pBegin);
  *pSum = bench_ops(t, w, k, n);
  if( aWork[w].bWrite ) step_done(t->db, t->pCommit);
  t1 = now_ns();
  return (t1 - t0) / n;
}

/* State of the data tables after writes: equal across targets if correct. */
static char *table_state(sqlite3 *db, int k){
  const char *s = azSuffix[k];
  char *zSql = sqlite3_mprintf(
    "SELECT (SELECT printf('users %%d/%%d live, ids %%lld', count(*),"
    "  sum(deleted_at IS NULL), sum(id*(deleted_at IS NULL))) FROM users%s)"
    " || '; ' || (SELECT printf('posts %%d/%%d live, ids %%lld, author %%lld,"
    "  slug %%lld, title %%lld, ops %%d', count(*), sum(deleted_at IS NULL),"
    "  sum(id*(deleted_at IS NULL)), sum(author_id), sum(length(slug)),"
    "  sum(length(title)), sum(deleted_at_op IS NOT NULL)) FROM posts%s)"
    " || '; ' || (SELECT printf('comments %%d/%%d live, ids %%lld, ops %%d',"
    "  count(*), sum(deleted_at IS NULL), sum(id*(deleted_at IS NULL)),"
    "  sum(deleted_at_op IS NOT NULL)) FROM comments%s)", s, s, s);
  char *z = query_text(db, zSql);
  sqlite3_free(zSql);
  return z;
}

/* ---- Query plans -------------------------------------------------------- */

/*
** EXPLAIN QUERY PLAN of zSql into pOut, one line per node. For a softdelete
** scan the idxStr carries the SQL forwarded to the base ("header|SQL"):
** print it and its own plan below.
*/
static void plan_into(sqlite3_str *pOut, sqlite3 *db, const char *zSql, int nIndent){
  char *zEqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", zSql);
  sqlite3_stmt *p = 0;
  int aId[64], aDepth[64], nNode = 0, nRow = 0;
  if( sqlite3_prepare_v2(db, zEqp, -1, &p, 0) ){
    sqlite3_str_appendf(pOut, "%*s(no plan: %s)\n", nIndent, "", sqlite3_errmsg(db));
    sqlite3_free(zEqp);
    return;
  }
  sqlite3_free(zEqp);
  while( sqlite3_step(p)==SQLITE_ROW ){
    nRow++;
    int iId = sqlite3_column_int(p, 0), iParent = sqlite3_column_int(p, 1);
    const char *zDetail = (const char*)sqlite3_column_text(p, 3);
    const char *zBar = strchr(zDetail, '|');
    int d = 0, i;
    for(i=0; i<nNode; i++) if( aId[i]==iParent ) d = aDepth[i] + 1;
    if( nNode<64 ){ aId[nNode] = iId; aDepth[nNode] = d; nNode++; }
    if( zBar && strstr(zDetail, "VIRTUAL TABLE INDEX") ){
      sqlite3_str_appendf(pOut, "%*s%.*s\n", nIndent+2*d, "",
                          (int)(zBar-zDetail), zDetail);
      sqlite3_str_appendf(pOut, "%*s-> %s\n", nIndent+2*d+2, "", zBar+1);
      plan_into(pOut, db, zBar+1, nIndent+2*d+5);
    }else{
      sqlite3_str_appendf(pOut, "%*s%s\n", nIndent+2*d, "", zDetail);
    }
  }
  if( nRow==0 ) sqlite3_str_appendf(pOut, "%*s(no table read)\n", nIndent, "");
  sqlite3_finalize(p);
}

static void plans_of(sqlite3_str *pOut, Tgt *aT, int w){
  int k, i;
  sqlite3_str_appendf(pOut, "\n%s: %s\n", aWork[w].zName, aWork[w].zDesc);
  for(k=0; k<N_KIND; k++){
    if( k==K_BASE ){
      for(i=0; i<3 && aWork[w].azBase[i]; i++){
        sqlite3_str_appendf(pOut, "  base: %s\n", aWork[w].azBase[i]);
        plan_into(pOut, aT[k].db, aWork[w].azBase[i], 8);
      }
    }else{
      if( k==K_VIEW ) sqlite3_str_appendf(pOut, "  view/vtab: %s\n", aWork[w].zSql);
      sqlite3_str_appendf(pOut, "  %s:\n", azKind[k]);
      plan_into(pOut, aT[k].db, aWork[w].zSql, 8);
    }
  }
}

/* ---- Running ------------------------------------------------------------ */

static int selected(const char *zName){
  const char *z = cfg.zOnly;
  size_t n = strlen(zName);
  if( z==0 ) return 1;
  while( *z ){
    const char *e = strchr(z, ',');
    size_t m = e ? (size_t)(e-z) : strlen(z);
    if( m==n && strncmp(z, zName, n)==0 ) return 1;
    if( !e ) break;
    z = e+1;
  }
  return 0;
}

static int work_ops(int w){
  return cfg.bQuick ? aWork[w].nQuickOps : aWork[w].nOps;
}

static void alloc_keys(Keys *k, int n){
  k->n = n;
  k->a1 = calloc(n, sizeof(i64));
  k->a2 = calloc(n, sizeof(i64));
  k->az = calloc(n, sizeof(*k->az));
}
static void free_keys(Keys *k){
  free(k->a1); free(k->a2); free(k->az);
}

/* The permutations and pools; the same in every mode. */
static void reset_sequences(void){
  int i;
  rng_seed(0xFEED5EEDULL);
  free(aPermPost);
  free(aPermUser);
  nPermPost = nLivePost;
  aPermPost = malloc(sizeof(int)*(nPermPost+1));
  memcpy(aPermPost, aLivePost, sizeof(int)*nPermPost);
  shuffle(aPermPost, nPermPost);
  nPermUser = cfg.nUser;
  aPermUser = malloc(sizeof(int)*(nPermUser+1));
  for(i=0; i<nPermUser; i++) aPermUser[i] = i+1;
  shuffle(aPermUser, nPermUser);
  iPermPost = iPermUser = 0;
  iNewSlug = 0;
  for(i=0; i<N_BODY; i++){
    rand_text(azBodyPool[i], sizeof(azBodyPool[i]), 180 + rng_below(40));
    rand_text(azTitlePool[i], sizeof(azTitlePool[i]), 30 + rng_below(20));
  }
}

typedef struct Result Result;
struct Result {
  int bRun;
  int nOps;
  double aMed[N_KIND];      /* Median ns/op per target */
  double rSpread;           /* (max-min)/median of the per-round vtab/base */
};

/* Median of a[0..n-1] into *pMed; returns (max-min)/median. */
static double med_spread(double *a, int n, double *pMed){
  double lo = a[0], hi = a[0];
  int i;
  for(i=1; i<n; i++){ if( a[i]<lo ) lo = a[i]; if( a[i]>hi ) hi = a[i]; }
  *pMed = median(a, n);
  return *pMed>0 ? (hi-lo) / *pMed : 0;
}

/*
** Run workload w on the targets aT[]: a warm-up round, then cfg.nRound
** interleaved rounds. Checks the results and fills *pRes.
*/
static void run_workload(Tgt *aT, int w, const char *zMode, Result *pRes){
  int n = work_ops(w), nWarm = n/10 + 1, r, j, k;
  double *aNs[N_KIND];
  Keys keys;
  i64 aSum[N_KIND];
  for(k=0; k<N_KIND; k++){
    aNs[k] = calloc(cfg.nRound, sizeof(double));
    tgt_prepare(&aT[k], w);
  }
  alloc_keys(&keys, n);

  for(r=-1; r<cfg.nRound; r++){
    int nOp = r<0 ? nWarm : n;
    keys.n = nOp;
    make_keys(w, r+1, cfg.nPost, cfg.nUser, &keys);
    for(j=0; j<N_KIND; j++){
      k = (j + (r<0 ? 0 : r)) % N_KIND;        /* rotate who goes first */
      double ns = measure(&aT[k], w, &keys, nOp, &aSum[k]);
      if( r>=0 ) aNs[k][r] = ns;
    }
    if( !aWork[w].bWrite && (aSum[0]!=aSum[1] || aSum[0]!=aSum[2]) ){
      nMismatch++;
      printf("MISMATCH %s %s %s %d: checksum base %lld view %lld vtab %lld\n",
             zMode, aWork[w].zName, r<0 ? "warm-up" : "round", r+1,
             aSum[0], aSum[1], aSum[2]);
    }
  }
  if( aWork[w].bWrite ){
    char *az[N_KIND];
    for(k=0; k<N_KIND; k++) az[k] = table_state(aT[k].db, k);
    if( strcmp(az[0], az[1]) || strcmp(az[0], az[2]) ){
      nMismatch++;
      printf("MISMATCH %s after %s:\n  base %s\n  view %s\n  vtab %s\n",
             zMode, aWork[w].zName, az[0], az[1], az[2]);
    }
    for(k=0; k<N_KIND; k++) sqlite3_free(az[k]);
  }
  pRes->bRun = 1;
  pRes->nOps = n;
  {
    /* Rounds share the machine's state (checkpoints, other processes) across
    ** targets, so the per-round ratio shows how far the ratio can be trusted. */
    double *aRatio = calloc(cfg.nRound, sizeof(double)), m;
    for(r=0; r<cfg.nRound; r++) aRatio[r] = aNs[K_VTAB][r] / aNs[K_BASE][r];
    pRes->rSpread = med_spread(aRatio, cfg.nRound, &m);
    free(aRatio);
  }
  if( getenv("BENCH_ROUNDS") ){          /* every round's ns/op, to stderr */
    for(k=0; k<N_KIND; k++){
      fprintf(stderr, "%s %s %s:", zMode, aWork[w].zName, azKind[k]);
      for(r=0; r<cfg.nRound; r++) fprintf(stderr, " %.0f", aNs[k][r]);
      fprintf(stderr, "\n");
    }
  }
  for(k=0; k<N_KIND; k++){
    pRes->aMed[k] = median(aNs[k], cfg.nRound);
    free(aNs[k]);
    tgt_finalize(&aT[k]);
  }
  free_keys(&keys);
}

static void print_table(const char *zTitle, Result *aRes){
  int w;
  printf("\n== %s ==\n", zTitle);
  printf("%-12s %7s %11s %11s %11s %9s %9s %7s\n", "workload", "ops",
         "base ns/op", "view ns/op", "vtab ns/op", "vtab/view", "vtab/base",
         "spread");
  for(w=0; w<N_WORK; w++){
    Result *p = &aRes[w];
    if( !p->bRun ) continue;
    printf("%-12s %7d %11.0f %11.0f %11.0f %9.2f %9.2f %6.0f%%\n",
           aWork[w].zName, p->nOps, p->aMed[K_BASE], p->aMed[K_VIEW],
           p->aMed[K_VTAB], p->aMed[K_VTAB]/p->aMed[K_VIEW],
           p->aMed[K_VTAB]/p->aMed[K_BASE], p->rSpread*100);
  }
  fflush(stdout);
}

static void run_mode(Tgt *aT, const char *zMode, const char *zTitle,
                     sqlite3_str *pPlans){
  Result aRes[N_WORK];
  int w;
  memset(aRes, 0, sizeof(aRes));
  reset_sequences();
  for(w=0; w<N_WORK; w++){
    if( !selected(aWork[w].zName) ) continue;
    if( pPlans ) plans_of(pPlans, aT, w);
    run_workload(aT, w, zMode, &aRes[w]);
  }
  print_table(zTitle, aRes);
}

/* ---- Scaling check ------------------------------------------------------ */

/* Posts only, in memory, for the base and the vtab. */
static void build_scaling(sqlite3 **aDb, int nPost){
  int k;
  sqlite3_stmt *ap[N_KIND] = {0};
  char zSlug[32], zTitle[80], zBody[320];
  int i;
  begin_posts(0x5CA1E000ULL, nPost);
  for(k=0; k<N_KIND; k++){
    const char *s = azSuffix[k];
    char *z;
    if( !aDb[k] ) continue;
    execf(aDb[k], "CREATE TABLE posts%s(id INTEGER PRIMARY KEY,"
      " author_id INTEGER NOT NULL, slug TEXT NOT NULL, title TEXT NOT NULL,"
      " body TEXT NOT NULL, created_at INTEGER NOT NULL, deleted_at TEXT,"
      " deleted_at_op INTEGER); BEGIN;", s);
    z = sqlite3_mprintf("INSERT INTO posts%s VALUES(?1,?2,?3,?4,?5,?6,?7,?8)", s);
    ap[k] = prep(aDb[k], z);
    sqlite3_free(z);
  }
  for(i=1; i<=nPost; i++){
    int bDel = rng_below(10)==0;
    int iAuthor = 1 + rng_below(nPost/20 + 1);
    if( !bDel ) aLivePost[nLivePost++] = i;
    snprintf(zSlug, sizeof(zSlug), "post-%07d", i);
    rand_text(zTitle, sizeof(zTitle), 30 + rng_below(20));
    rand_text(zBody, sizeof(zBody), 180 + rng_below(40));
    for(k=0; k<N_KIND; k++){
      if( !aDb[k] ) continue;
      bind_post(ap[k], i, iAuthor, zSlug, zTitle, zBody,
                bDel ? "2024-01-02 03:04:05.678" : 0);
      step_done(aDb[k], ap[k]);
    }
  }
  for(k=0; k<N_KIND; k++){
    const char *s = azSuffix[k];
    if( !aDb[k] ) continue;
    sqlite3_finalize(ap[k]);
    execf(aDb[k], "CREATE INDEX posts%s_author ON posts%s(author_id);", s, s);
    if( k==K_VTAB ){
      execf(aDb[k], "CREATE VIRTUAL TABLE posts USING softdelete(posts_data_x)");
      sqlite3_free(query_text(aDb[k], "SELECT sd_unique('posts','slug')"));
    }else{
      execf(aDb[k], "CREATE UNIQUE INDEX posts%s_slug_live_unique ON posts%s(slug)"
                    " WHERE deleted_at IS NULL", s, s);
    }
    execf(aDb[k], "COMMIT; ANALYZE;");
  }
}

/* Point lookups by id and by slug at two sizes, base and vtab interleaved. */
static void run_scaling(void){
  static const int aW[2] = { W_POINT_ID, W_POINT_SLUG };
  int aSize[2];
  double aMed[2][2][N_KIND];       /* [workload][size][kind] */
  int s, iw, r, j, k;
  aSize[0] = cfg.nScaleSmall;
  aSize[1] = cfg.nScaleLarge;
  for(s=0; s<2; s++){
    sqlite3 *aDb[N_KIND] = {0};
    Tgt aT[N_KIND];
    aDb[K_BASE] = open_db(":memory:", K_BASE, 0);
    aDb[K_VTAB] = open_db(":memory:", K_VTAB, 0);
    build_scaling(aDb, aSize[s]);
    for(iw=0; iw<2; iw++){
      int w = aW[iw], n = work_ops(w), nWarm = n/10 + 1;
      double *aNs[N_KIND];
      Keys keys;
      i64 aSum[N_KIND];
      alloc_keys(&keys, n);
      for(k=0; k<N_KIND; k++){
        aT[k].k = k;
        aT[k].db = aDb[k];
        aNs[k] = calloc(cfg.nRound, sizeof(double));
        if( aDb[k] ) tgt_prepare(&aT[k], w);
      }
      for(r=-1; r<cfg.nRound; r++){
        int nOp = r<0 ? nWarm : n;
        keys.n = nOp;
        make_keys(w, r+1, aSize[s], aSize[s]/20 + 1, &keys);
        for(j=0; j<2; j++){
          k = ((j + (r<0 ? 0 : r)) % 2) ? K_VTAB : K_BASE;
          double ns = measure(&aT[k], w, &keys, nOp, &aSum[k]);
          if( r>=0 ) aNs[k][r] = ns;
        }
        if( aSum[K_BASE]!=aSum[K_VTAB] ){
          nMismatch++;
          printf("MISMATCH scaling %s %d rows round %d: base %lld vtab %lld\n",
                 aWork[w].zName, aSize[s], r, aSum[K_BASE], aSum[K_VTAB]);
        }
      }
      for(k=0; k<N_KIND; k++){
        if( aDb[k] ){
          aMed[iw][s][k] = median(aNs[k], cfg.nRound);
          tgt_finalize(&aT[k]);
        }
        free(aNs[k]);
      }
      free_keys(&keys);
    }
    sqlite3_close(aDb[K_BASE]);
    sqlite3_close(aDb[K_VTAB]);
  }
  printf("\n== scaling: point lookups, in memory, posts %d vs %d rows ==\n",
         aSize[0], aSize[1]);
  printf("%-12s %6s %11s %11s %8s %8s\n", "workload", "target", "small ns/op",
         "large ns/op", "added", "growth");
  for(iw=0; iw<2; iw++){
    double g[N_KIND];
    for(k=0; k<N_KIND; k++){
      if( k==K_VIEW ) continue;
      g[k] = aMed[iw][1][k] / aMed[iw][0][k];
      printf("%-12s %6s %11.0f %11.0f %8.0f %8.2f\n", aWork[aW[iw]].zName,
             azKind[k], aMed[iw][0][k], aMed[iw][1][k],
             aMed[iw][1][k] - aMed[iw][0][k], g[k]);
    }
    printf("%-12s vtab growth / base growth = %.2f\n", aWork[aW[iw]].zName,
           g[K_VTAB]/g[K_BASE]);
  }
  fflush(stdout);
}

/* ---- Memory: many tables, several query shapes each --------------------- */

/*
** An application with MEM_TABLES tables runs MEM_SHAPES query shapes on each
** (by id, by slug, by author), keeping its prepared statements. Reported per
** target: the memory of all the connection's prepared statements
** (SQLITE_DBSTATUS_STMT_USED: the application's own, the view's expansion,
** the virtual table's nested statements), then the time per query when the
** application runs every shape in turn, so that the vtab's budget of idle
** nested statements (sd_statement_memory()) is too small to keep them all.
** The vtab runs twice: with its default budget, and with no budget.
*/
#define MEM_TABLES 50
#define MEM_SHAPES 3
#define MEM_ROWS 200

static void build_memory(sqlite3 *db, int k){
  sqlite3_stmt *pIns;
  int t, i;
  execf(db, "BEGIN");
  for(t=0; t<MEM_TABLES; t++){
    const char *zData = k==K_BASE ? "" : "_data";
    execf(db, "CREATE TABLE m%d%s(id INTEGER PRIMARY KEY, author_id INTEGER,"
          " slug TEXT, title TEXT, body TEXT, created_at INTEGER,"
          " deleted_at TEXT, deleted_at_op INTEGER);"
          "CREATE INDEX m%d%s_author ON m%d%s(author_id);",
          t, zData, t, zData, t, zData);
    if( k==K_VTAB ){
      execf(db, "CREATE VIRTUAL TABLE m%d USING softdelete(m%d_data);"
            "SELECT sd_unique('m%d', 'slug');", t, t, t);
    }else{
      execf(db, "CREATE UNIQUE INDEX m%d%s_slug ON m%d%s(slug)"
            " WHERE deleted_at IS NULL", t, zData, t, zData);
    }
    if( k==K_VIEW ){
      execf(db,
        "CREATE VIEW m%d AS SELECT id, author_id, slug, title, body, created_at"
        " FROM m%d_data WHERE deleted_at IS NULL;"
        "CREATE TRIGGER m%d_ins INSTEAD OF INSERT ON m%d BEGIN"
        " INSERT INTO m%d_data(id, author_id, slug, title, body, created_at)"
        " VALUES(NEW.id, NEW.author_id, NEW.slug, NEW.title, NEW.body,"
        " NEW.created_at); END;"
        "CREATE TRIGGER m%d_upd INSTEAD OF UPDATE ON m%d BEGIN"
        " UPDATE m%d_data SET author_id=NEW.author_id, slug=NEW.slug,"
        " title=NEW.title, body=NEW.body, created_at=NEW.created_at"
        " WHERE id=OLD.id; END;"
        "CREATE TRIGGER m%d_del INSTEAD OF DELETE ON m%d BEGIN"
        " UPDATE m%d_data SET deleted_at=strftime('%%Y-%%m-%%d %%H:%%M:%%f',"
        "'now') WHERE id=OLD.id; END;",
        t, t, t, t, t, t, t, t, t, t, t);
    }
    {
      char *zSql = sqlite3_mprintf("INSERT INTO m%d%s(id, author_id, slug, title,"
          " body, created_at, deleted_at) VALUES(?1, ?1 %% 10, 's' || ?1,"
          " 'title ' || ?1, printf('%%.*c', 150, 'b'), ?1, CASE WHEN ?1 %% 10 = 3"
          " THEN '2024-01-01' END)", t, k==K_VTAB || k==K_VIEW ? "_data" : "");
      pIns = prep(db, zSql);
      sqlite3_free(zSql);
      for(i=1; i<=MEM_ROWS; i++){
        sqlite3_bind_int(pIns, 1, i);
        step_done(db, pIns);
      }
      sqlite3_finalize(pIns);
    }
  }
  execf(db, "COMMIT; ANALYZE");
}

/* The statement of shape h on table t, for target kind k. */
static sqlite3_stmt *memory_stmt(sqlite3 *db, int k, int t, int h){
  static const char *azWhere[MEM_SHAPES] = {
    "id=?1", "slug='s' || ?1", "author_id=?1 % 10"
  };
  char *zSql = sqlite3_mprintf("SELECT id, author_id, slug, title, body FROM m%d"
      " WHERE %s%s", t, azWhere[h], k==K_BASE ? " AND deleted_at IS NULL" : "");
  sqlite3_stmt *p = prep(db, zSql);
  sqlite3_free(zSql);
  return p;
}

/* Run each statement once per round, in turn, nRound times: ns per query. */
static double memory_cycle(sqlite3_stmt **ap, int n, int nRound, i64 *pSum){
  double t0 = now_ns();
  int r, i;
  i64 sum = 0;
  for(r=0; r<nRound; r++){
    for(i=0; i<n; i++){
      sqlite3_bind_int(ap[i], 1, 1 + (r*7 + i) % MEM_ROWS);
      while( sqlite3_step(ap[i])==SQLITE_ROW ) sum += row_sum(ap[i]);
      sqlite3_reset(ap[i]);
    }
  }
  *pSum = sum;
  return (now_ns() - t0) / ((double)n*nRound);
}

static void run_memory(void){
  enum { N_MEMT = 5 };
  static const char *azName[N_MEMT] = {
    "base", "view", "vtab", "vtab 256 KiB", "vtab 0 KiB"
  };
  static const int aBudget[N_MEMT] = { 0, 0, -1, 256*1024, 0 };
  int nStmt = MEM_TABLES*MEM_SHAPES;
  sqlite3 *aDb[N_MEMT];
  sqlite3_stmt **aap[N_MEMT];
  i64 aMem[N_MEMT], aSum[N_MEMT];
  double *aNs[N_MEMT];
  char *zBudget = 0;
  int m, r, i, nRound = cfg.bQuick ? 3 : 7, nCycle = cfg.bQuick ? 4 : 20;
  for(m=0; m<N_MEMT; m++){
    int k = m<K_VTAB ? m : K_VTAB;
    aDb[m] = open_db(":memory:", k, 0);
    build_memory(aDb[m], k);
    if( m>K_VTAB ) execf(aDb[m], "SELECT sd_statement_memory(%d)", aBudget[m]);
    aap[m] = calloc(nStmt, sizeof(sqlite3_stmt*));
    for(i=0; i<nStmt; i++){
      aap[m][i] = memory_stmt(aDb[m], k, i/MEM_SHAPES, i%MEM_SHAPES);
    }
    aNs[m] = calloc(nRound, sizeof(double));
  }
  zBudget = query_text(aDb[2], "SELECT sd_statement_memory() / 1024");
  /* Every shape once: the statements as an application keeps them. */
  for(m=0; m<N_MEMT; m++){
    int cur = 0, hi = 0;
    memory_cycle(aap[m], nStmt, 1, &aSum[m]);
    sqlite3_db_status(aDb[m], SQLITE_DBSTATUS_STMT_USED, &cur, &hi, 0);
    aMem[m] = cur;
  }
  for(r=0; r<nRound; r++){
    for(i=0; i<N_MEMT; i++){
      m = (i + r) % N_MEMT;
      aNs[m][r] = memory_cycle(aap[m], nStmt, nCycle, &aSum[m]);
    }
    for(m=1; m<N_MEMT; m++){
      if( aSum[m]!=aSum[0] ){
        nMismatch++;
        printf("MISMATCH memory round %d: base %lld %s %lld\n", r, aSum[0],
               azName[m], aSum[m]);
      }
    }
  }
  printf("\n== memory: %d tables, %d query shapes each (by id, by slug, by"
         " author), %d statements kept by the application ==\n",
         MEM_TABLES, MEM_SHAPES, nStmt);
  printf("vtab: budget for idle nested statements sd_statement_memory() %s KiB"
         " (default), 256 KiB, 0; idle nested KiB: the difference from 0\n",
         zBudget);
  printf("%-14s %14s %12s %10s %10s %10s\n", "target", "statements KiB",
         "idle nested", "ns/query", "vs view", "vs base");
  for(m=0; m<N_MEMT; m++){
    double med = median(aNs[m], nRound);
    double medView = median(aNs[1], nRound), medBase = median(aNs[0], nRound);
    char zNested[32] = "";
    if( m>=K_VTAB ){
      snprintf(zNested, sizeof(zNested), "%.0f", (aMem[m]-aMem[N_MEMT-1])/1024.0);
    }
    printf("%-14s %14.0f %12s %10.0f %10.2f %10.2f\n", azName[m],
           aMem[m]/1024.0, zNested, med, med/medView, med/medBase);
  }
  printf("(ns/query: all %d statements in turn, %d times per round; median of"
         " %d rounds)\n", nStmt, nCycle, nRound);
  fflush(stdout);
  sqlite3_free(zBudget);
  for(m=0; m<N_MEMT; m++){
    for(i=0; i<nStmt; i++) sqlite3_finalize(aap[m][i]);
    free(aap[m]);
    free(aNs[m]);
    sqlite3_close(aDb[m]);
  }
}

/* ---- Callgrind mode ----------------------------------------------------- */

static void run_callgrind(void){
  sqlite3 *aDb[N_KIND] = {0};
  Tgt t;
  Keys keys;
  int w, n;
  i64 sum;
  for(w=0; w<N_WORK && !selected(aWork[w].zName); w++){}
  if( w==N_WORK ){
    fprintf(stderr, "bench: --callgrind needs a workload (--only NAME)\n");
    exit(1);
  }
  aDb[cfg.eTarget] = open_db(":memory:", cfg.eTarget, 0);
  build_data(aDb, cfg.nUser, cfg.nPost, cfg.nComment);
  reset_sequences();
  t.k = cfg.eTarget;
  t.db = aDb[cfg.eTarget];
  tgt_prepare(&t, w);
  n = aWork[w].nQuickOps;
  alloc_keys(&keys, n);
  keys.n = n/10 + 1;                      /* warm-up, outside bench_ops() */
  make_keys(w, 0, cfg.nPost, cfg.nUser, &keys);
  if( aWork[w].bWrite ) step_done(t.db, t.pBegin);
  run_ops(&t, w, &keys, keys.n);
  if( aWork[w].bWrite ) step_done(t.db, t.pCommit);
  keys.n = n;
  make_keys(w, 1, cfg.nPost, cfg.nUser, &keys);
  measure(&t, w, &keys, n, &sum);
  printf("callgrind: %s on %s, %d ops, checksum %lld\n", aWork[w].zName,
         azKind[cfg.eTarget], n, sum);
  tgt_finalize(&t);
  free_keys(&keys);
  sqlite3_close(aDb[cfg.eTarget]);
}

/* ---- operations: sd_operations and undo by operation -------------------- */

/*
** Users deleted one by one: each DELETE is one operation that soft-deletes
** a user and OPS_POSTS posts, so nOps operations leave nOps*(OPS_POSTS+1)
** deleted rows. Two databases are built alike: the vtab one is read and
** written through sd_operations and the trash table; its twin by the
** hand-written SQL on the base tables that does the same work with the same
** index (the one the extension creates).
*/
#define OPS_POSTS 100
static void build_ops(sqlite3 *db, int nOps){
  sqlite3_stmt *pDel;
  int i;
  execf(db, "CREATE TABLE users_data(id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE posts_data(id INTEGER PRIMARY KEY, author_id INTEGER"
    " REFERENCES users_data(id) ON DELETE CASCADE, title TEXT);"
    "CREATE INDEX posts_author ON posts_data(author_id);"
    "CREATE VIRTUAL TABLE users USING softdelete(users_data, actor=deleted_by);"
    "CREATE VIRTUAL TABLE posts USING softdelete(posts_data, actor=deleted_by);"
    "CREATE VIRTUAL TABLE users_trash USING softdelete(users_data, show=deleted);");
  execf(db, "BEGIN;"
    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<%d)"
    " INSERT INTO users_data(id, name) SELECT i, 'user ' || i FROM c;"
    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<%d)"
    " INSERT INTO posts_data(id, author_id, title)"
    " SELECT i, 1 + (i-1) / %d, printf('post %%d', i) FROM c;",
    nOps + 100, (nOps + 100)*OPS_POSTS, OPS_POSTS);
  execf(db, "SELECT sd_actor('bench'), sd_clock('2024-01-01 00:00:00')");
  pDel = prep(db, "DELETE FROM users WHERE id=?1");
  for(i=1; i<=nOps; i++){
    sqlite3_bind_int(pDel, 1, i);
    step_done(db, pDel);
  }
  sqlite3_finalize(pDel);
  execf(db, "COMMIT; ANALYZE;");
}

/* Step every row of p; the number of rows. */
static int ops_rows(sqlite3 *db, sqlite3_stmt *p){
  int n = 0, rc;
  while( (rc = sqlite3_step(p))==SQLITE_ROW ) n++;
  if( rc!=SQLITE_DONE ) fatal(db, "operations");
  sqlite3_reset(p);
  return n;
}

static void run_operations(void){
  static const int aOps[2] = { 200, 2000 };
  static const char zBaseList[] =
    "SELECT deleted_at_op, 'users', min(deleted_at), min(deleted_by), count(*)"
    " FROM users_data WHERE deleted_at_op IS NOT NULL AND deleted_at IS NOT NULL"
    " GROUP BY 1 UNION ALL "
    "SELECT deleted_at_op, 'posts', min(deleted_at), min(deleted_by), count(*)"
    " FROM posts_data WHERE deleted_at_op IS NOT NULL AND deleted_at IS NOT NULL"
    " GROUP BY 1";
  int s, r, i, nRound = cfg.bQuick ? 5 : 9, nUndo = 50;
  printf("\n== operations: sd_operations over the deleted rows, and undoing one"
         " operation (a user and its %d posts) ==\n", OPS_POSTS);
  printf("vtab: SELECT * FROM sd_operations; UPDATE users_trash SET deleted_at ="
         " NULL WHERE deleted_at_op = ?\nbase: the same by hand on the base tables"
         " (GROUP BY over each; two UPDATEs by operation in one transaction)\n");
  printf("%-8s %12s %12s %12s %8s %12s %12s %8s\n", "ops", "deleted rows",
         "list vtab ms", "list base ms", "ratio", "undo vtab us", "undo base us",
         "ratio");
  for(s=0; s<2; s++){
    int nOps = aOps[s];
    sqlite3 *dbV = open_db(":memory:", K_VTAB, 0);
    sqlite3 *dbB = open_db(":memory:", K_VTAB, 0);
    sqlite3_stmt *pListV, *pListB, *pUndoV, *pUndoB1, *pUndoB2, *pOpV, *pOpB;
    sqlite3_stmt *pBegin, *pCommit;
    double *aListV = calloc(nRound, sizeof(double));
    double *aListB = calloc(nRound, sizeof(double));
    double *aUndoV = calloc(nUndo, sizeof(double));
    double *aUndoB = calloc(nUndo, sizeof(double));
    char *zV, *zB;
    int nV = 0, nB = 0;
    build_ops(dbV, nOps);
    build_ops(dbB, nOps);
    pListV = prep(dbV, "SELECT * FROM sd_operations");
    pListB = prep(dbB, zBaseList);
    for(r=0; r<nRound; r++){
      double t0 = now_ns();
      nV = ops_rows(dbV, pListV);
      aListV[r] = now_ns() - t0;
      t0 = now_ns();
      nB = ops_rows(dbB, pListB);
      aListB[r] = now_ns() - t0;
      if( nV!=nB || nV!=2*nOps ){
        nMismatch++;
        printf("MISMATCH operations: %d rows listed (vtab), %d (base), want %d\n",
               nV, nB, 2*nOps);
      }
    }
    /* Undo the operations of users 1..nUndo, in that order, on both. */
    pOpV = prep(dbV, "SELECT deleted_at_op FROM users_data WHERE id=?1");
    pOpB = prep(dbB, "SELECT deleted_at_op FROM users_data WHERE id=?1");
    pUndoV = prep(dbV, "UPDATE users_trash SET deleted_at = NULL"
                       " WHERE deleted_at_op = ?1");
    pUndoB1 = prep(dbB, "UPDATE posts_data SET deleted_at=NULL, deleted_at_op=NULL,"
                        " deleted_by=NULL WHERE deleted_at_op=?1");
    pUndoB2 = prep(dbB, "UPDATE users_data SET deleted_at=NULL, deleted_at_op=NULL,"
                        " deleted_by=NULL WHERE deleted_at_op=?1");
    pBegin = prep(dbB, "BEGIN");
    pCommit = prep(dbB, "COMMIT");
    for(i=0; i<nUndo; i++){
      i64 opV, opB;
      double t0;
      sqlite3_bind_int(pOpV, 1, i+1);
      sqlite3_bind_int(pOpB, 1, i+1);
      if( sqlite3_step(pOpV)!=SQLITE_ROW || sqlite3_step(pOpB)!=SQLITE_ROW ){
        fatal(dbV, "operations: no such user");
      }
      opV = sqlite3_column_int64(pOpV, 0);
      opB = sqlite3_column_int64(pOpB, 0);
      sqlite3_reset(pOpV);
      sqlite3_reset(pOpB);
      t0 = now_ns();
      sqlite3_bind_int64(pUndoV, 1, opV);
      step_done(dbV, pUndoV);
      aUndoV[i] = now_ns() - t0;
      t0 = now_ns();
      step_done(dbB, pBegin);
      sqlite3_bind_int64(pUndoB1, 1, opB);
      step_done(dbB, pUndoB1);
      sqlite3_bind_int64(pUndoB2, 1, opB);
      step_done(dbB, pUndoB2);
      step_done(dbB, pCommit);
      aUndoB[i] = now_ns() - t0;
    }
    zV = query_text(dbV, "SELECT (SELECT count(*) FROM users_data WHERE deleted_at"
        " IS NULL) || ' ' || (SELECT count(*) FROM posts_data WHERE deleted_at IS NULL)");
    zB = query_text(dbB, "SELECT (SELECT count(*) FROM users_data WHERE deleted_at"
        " IS NULL) || ' ' || (SELECT count(*) FROM posts_data WHERE deleted_at IS NULL)");
    if( strcmp(zV, zB) ){
      nMismatch++;
      printf("MISMATCH operations: live users and posts after the undos: vtab %s,"
             " base %s\n", zV, zB);
    }
    {
      double lv = median(aListV, nRound), lb = median(aListB, nRound);
      double uv = median(aUndoV, nUndo), ub = median(aUndoB, nUndo);
      printf("%-8d %12d %12.2f %12.2f %8.2f %12.1f %12.1f %8.2f\n", nOps,
             nOps*(OPS_POSTS+1), lv/1e6, lb/1e6, lv/lb, uv/1e3, ub/1e3, uv/ub);
    }
    sqlite3_free(zV);
    sqlite3_free(zB);
    sqlite3_finalize(pListV); sqlite3_finalize(pListB);
    sqlite3_finalize(pUndoV); sqlite3_finalize(pUndoB1); sqlite3_finalize(pUndoB2);
    sqlite3_finalize(pOpV); sqlite3_finalize(pOpB);
    sqlite3_finalize(pBegin); sqlite3_finalize(pCommit);
    free(aListV); free(aListB); free(aUndoV); free(aUndoB);
    sqlite3_close(dbV);
    sqlite3_close(dbB);
  }
  printf("(list: median of %d scans, every row; undo: median of %d operations,"
         " each in its own transaction)\n", nRound, nUndo);
  fflush(stdout);
}

/* ---- Main --------------------------------------------------------------- */

static void usage(void){
  int w;
  fprintf(stderr, "usage: bench LIBPATH [--quick] [--only W[,W...]] [--file PREFIX]"
          " [--rounds R] [--cpu] [--live0] [--guard] [--callgrind [--target base|view|vtab]"
          " [--full]]\n"
          "workloads:");
  for(w=0; w<N_WORK; w++) fprintf(stderr, " %s", aWork[w].zName);
  fprintf(stderr, " scaling memory operations\n");
  exit(2);
}

static void remove_db(const char *zPath){
  char *z;
  unlink(zPath);
  z = sqlite3_mprintf("%s-wal", zPath); unlink(z); sqlite3_free(z);
  z = sqlite3_mprintf("%s-shm", zPath); unlink(z); sqlite3_free(z);
}

int main(int argc, char **argv){
  int i, k, w, bAny = 0;
  char *zLib = 0, *zPrefix = 0;
  char *azPath[N_KIND];
  sqlite3 *aMem[N_KIND] = {0};
  Tgt aT[N_KIND];
  sqlite3_str *pPlans;
  double tStart = wall_ns();

  memset(&cfg, 0, sizeof(cfg));
  cfg.eTarget = K_VTAB;
  for(i=1; i<argc; i++){
    const char *z = argv[i];
    if( strcmp(z, "--quick")==0 ) cfg.bQuick = 1;
    else if( strcmp(z, "--full")==0 ) cfg.bFull = 1;
    else if( strcmp(z, "--callgrind")==0 ) cfg.bCallgrind = 1;
    else if( strcmp(z, "--cpu")==0 ) eClock = CLOCK_THREAD_CPUTIME_ID;
    else if( strcmp(z, "--live0")==0 ) bLive0 = 1;
    else if( strcmp(z, "--guard")==0 ) bGuardOn = 1;
    else if( strcmp(z, "--version")==0 ){ puts(sqlite3_libversion()); return 0; }
    else if( strcmp(z, "--only")==0 && i+1<argc ) cfg.zOnly = argv[++i];
    else if( strcmp(z, "--file")==0 && i+1<argc ) cfg.zPrefix = argv[++i];
    else if( strcmp(z, "--rounds")==0 && i+1<argc ) cfg.nRound = atoi(argv[++i]);
    else if( strcmp(z, "--target")==0 && i+1<argc ){
      const char *t = argv[++i];
      for(k=0; k<N_KIND && strcmp(t, azKind[k]); k++){}
      if( k==N_KIND ) usage();
      cfg.eTarget = k;
    }
    else if( z[0]=='-' ) usage();
    else if( cfg.zLib==0 ) cfg.zLib = z;
    else usage();
  }
  if( cfg.zLib==0 ) usage();
  if( cfg.zOnly ){
    /* Every name must be known. */
    char *z = cfg.zOnly;
    while( *z ){
      char *e = strchr(z, ',');
      size_t m = e ? (size_t)(e-z) : strlen(z);
      int bOk = (m==7 && strncmp(z, "scaling", 7)==0)
             || (m==6 && strncmp(z, "memory", 6)==0)
             || (m==10 && strncmp(z, "operations", 10)==0);
      for(w=0; w<N_WORK && !bOk; w++){
        bOk = strlen(aWork[w].zName)==m && strncmp(z, aWork[w].zName, m)==0;
      }
      if( !bOk ){ fprintf(stderr, "bench: unknown workload %.*s\n", (int)m, z); usage(); }
      if( !e ) break;
      z = e+1;
    }
  }
  /* A path without '/' would be searched for on the library path. */
  if( strchr(cfg.zLib, '/')==0 ){
    zLib = sqlite3_mprintf("./%s", cfg.zLib);
    cfg.zLib = zLib;
  }
  if( cfg.bCallgrind && !cfg.bFull ) cfg.bQuick = 1;
  if( cfg.nRound<=0 ) cfg.nRound = cfg.bQuick ? 5 : 9;
  cfg.nUser = cfg.bQuick ? 500 : 10000;
  cfg.nPost = cfg.bQuick ? 10000 : 200000;
  cfg.nComment = 5;
  cfg.nScaleSmall = cfg.bQuick ? 500 : 10000;
  cfg.nScaleLarge = cfg.bQuick ? 50000 : 1000000;
  if( cfg.zPrefix==0 ){
    zPrefix = sqlite3_mprintf("/tmp/sd-bench-%d", (int)getpid());
    cfg.zPrefix = zPrefix;
  }

  if( cfg.bCallgrind ){
    run_callgrind();
    sqlite3_free(zLib);
    sqlite3_free(zPrefix);
    return 0;
  }

  for(w=0; w<N_WORK; w++) if( selected(aWork[w].zName) ) bAny = 1;

  printf("softdelete benchmark: SQLite %s, extension %s\n", sqlite3_libversion(),
         cfg.zLib);
  printf("users %d, posts %d (10%% deleted, ~200-byte bodies), ~%d comments/post;"
         " %d rounds, median ns/op (%s)%s\n", cfg.nUser, cfg.nPost, cfg.nComment,
         cfg.nRound, eClock==CLOCK_MONOTONIC ? "wall clock" : "thread CPU time",
         cfg.bQuick ? "; --quick" : "");
  fflush(stdout);

  pPlans = sqlite3_str_new(0);
  for(k=0; k<N_KIND; k++){
    azPath[k] = sqlite3_mprintf("%s-%s.db", cfg.zPrefix, azKind[k]);
  }
  if( bAny ){
    double t0 = wall_ns();
    char *zVer;
    for(k=0; k<N_KIND; k++) aMem[k] = open_db(":memory:", k, 0);
    build_data(aMem, cfg.nUser, cfg.nPost, cfg.nComment);
    zVer = query_text(aMem[K_VTAB], "SELECT sd_version()");
    /* The WAL databases start as copies of the fresh ones. */
    for(k=0; k<N_KIND; k++){
      remove_db(azPath[k]);
      execf(aMem[k], "VACUUM INTO %Q", azPath[k]);
    }
    printf("sd_version() %s; data built in %.1f s\n", zVer, (wall_ns()-t0)/1e9);
    sqlite3_free(zVer);
    fflush(stdout);

    for(k=0; k<N_KIND; k++){ aT[k].k = k; aT[k].db = aMem[k]; }
    run_mode(aT, "memory", "in memory", pPlans);
    for(k=0; k<N_KIND; k++) sqlite3_close(aMem[k]);

    for(k=0; k<N_KIND; k++){
      aT[k].k = k;
      aT[k].db = open_db(azPath[k], k, 1);
    }
    {
      char *zTitle = sqlite3_mprintf("WAL files %s-*.db (synchronous=NORMAL)",
                                     cfg.zPrefix);
      run_mode(aT, "wal", zTitle, 0);
      sqlite3_free(zTitle);
    }
    for(k=0; k<N_KIND; k++){
      sqlite3_close(aT[k].db);
      remove_db(azPath[k]);
    }

    printf("\n== query plans (in memory; a softdelete scan shows the SQL it"
           " forwards, then that SQL's own plan on the base) ==");
    fputs(sqlite3_str_value(pPlans) ? sqlite3_str_value(pPlans) : "\n", stdout);
  }
  sqlite3_free(sqlite3_str_finish(pPlans));
  for(k=0; k<N_KIND; k++) sqlite3_free(azPath[k]);

  /* Their own tables keep NULL markers: not with --live0. */
  if( !bLive0 && !bGuardOn && selected("scaling") ) run_scaling();
  if( !bLive0 && !bGuardOn && selected("memory") ) run_memory();
  if( !bLive0 && !bGuardOn && selected("operations") ) run_operations();

  printf("\n%s; total %.1f s\n", nMismatch ? "RESULTS DIFFER (see MISMATCH above)"
         : "results identical across targets", (wall_ns()-tStart)/1e9);
  sqlite3_free(zLib);
  sqlite3_free(zPrefix);
  return nMismatch ? 1 : 0;
}
