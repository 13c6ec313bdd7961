/*
** sd_plan.c: the planner (xBestIndex) and the cursors (xOpen .. xRowid).
**
** Every scan of the virtual table is one SELECT on the base table:
**
**   SELECT <rowid>, <used columns> FROM "db"."base" AS "sd"
**    WHERE "sd"."marker" IS NULL [AND <term>]... [ORDER BY ...]
**
** so SQLite plans it with the base's own indexes. xBestIndex writes that SQL
** into idxStr, behind a header that xFilter reads:
**
**   idxStr := COLUSED ';' { ['*'] FLAG START ',' END ',' LEFT ';' }* '|' SQL
**
**   COLUSED   colUsed in hex: which columns the SELECT list carries.
**   '*'       the value is a whole IN list (sqlite3_vtab_in(), 3.38+): the
**             term is written "<column> IN (?N)" and xFilter expands ?N into
**             one parameter per value, in lists of 1, 2, 4, 8 ... parameters
**             (padded with NULL) so that few statements are prepared.
**             SQLite checks the list again (omit=0), so a list longer than
**             the parameter limit is simply not forwarded.
**   FLAG      one per argv[] value, in order, saying how xFilter binds it:
**     'e'  exact: bind as ?N (N = argv index + 1)
**     'x'  no value needed (IS NULL, IS NOT NULL): not bound
**     'n'  equality on a TEXT column whose right-hand side may carry an
**          affinity: dropped if the value is numeric
**     'r'  range on a TEXT column (BINARY/NOCASE/RTRIM): dropped if the
**          value is numeric or text that can sort below a digit
**     'R'  range on a TEXT column with another collation: dropped unless
**          the value is NULL or a BLOB
**     'b'  comparison on a column without affinity: dropped unless the
**          value is NULL or a BLOB
**     'o'  the OFFSET of a LIMIT that SQLite applies itself, taken as a
**          hint (sdHintStart): bound to the SQL's ":sd_skip"
**   START,END the byte range " AND <term>" of the term in SQL, cut out when
**          the term is dropped.
**   LEFT   the length of the term's left-hand side (after " AND "): a
**          dropped term that never matches NULL (all but IS NOT) leaves
**          " AND <left> IS NOT NULL" behind. SQLite 3.31 (not 3.39) lets NULL
**          through its own check of an IN value taken one at a time.
**
** Why terms are dropped: SQLite hands xFilter the right-hand value without
** the affinity SQLite would have applied when comparing (for example a TEXT
** column against an INTEGER column of another table). Where the base could
** compare differently, the term is left out of the SQL for that value and,
** since such terms are never "omit", SQLite checks them itself. Even a
** constant right-hand side may carry an affinity (CAST(5 AS INTEGER)), so
** only numeric columns and the rowid are exact: SQLite applies their
** affinity to any right-hand side. Other terms SQLite also checks itself:
** != and IS NOT (sqlite3_vtab_collation() does not report their collation)
** and whole IN lists (a list too long for the parameter limit is dropped).
**
** LIMIT and OFFSET are consumed together, only when every other constraint
** and the ORDER BY are consumed too: "LIMIT ?N OFFSET ?M" ends the SQL.
** SQLite still counts the LIMIT itself, and skips its own OFFSET only when
** the OFFSET constraint is omitted, hence the pairing. Only on hosts from
** SD_LIMIT_VERSION (3.51.1) on: earlier ones also offer them when a WHERE
** term of the table is not offered, or for a compound SELECT. LIKE, GLOB
** and REGEXP are forwarded from SD_AUX_VERSION (3.52.0) on, for a similar
** reason, and so are !=, IS NOT and IS NOT NULL (see softdelete.h).
**
** idxNum bit 0: ORDER BY was consumed. Bit 1: LIMIT/OFFSET consumed.
** Bit 2: at most one row (rowid or unique key equality): xNext does not
** step again after it. Bit 3: one or two rows expected (a unique key that
** SQLite checks again): the first row's text is handed over in buffers of
** the pool, as for bit 2 (sdColumn).
*/
#include "softdelete.h"
#include <stdlib.h>

#define SD_POOL_MAX 32      /* Idle read statements kept per virtual table */
#define SD_PARKED_MAX 4     /* Plans parked per virtual table (sdPark) */

/* Ends the SQL of a plan with an OFFSET hint (flag 'o'). */
#define SD_HINT_SUFFIX " LIMIT -1 OFFSET :sd_skip"

/* A usable constraint with what the planner knows of it. */
typedef struct SdTerm SdTerm;
struct SdTerm {
  int iCons;                /* Index in aConstraint[] */
  int iCol;                 /* Vtab column, -1 rowid */
  int op;                   /* SQLITE_INDEX_CONSTRAINT_* */
  const char *zColl;        /* Collation SQLite asks for */
  char cFlag;               /* See the header comment */
  u8 bIn;                   /* A whole IN list */
  u8 bLike;                 /* May be a range SQLite derived from a LIKE */
};

/*
** From "x LIKE 'ab%'" SQLite derives two more terms, x >= 'AB' AND x < 'ac'
** (GLOB and case-sensitive LIKE: x >= 'ab' AND x < 'ac'), and offers them
** to the vtab, even when the LIKE itself is not offered. They are exact
** only for text:
**   - a host built without SQLITE_LIKE_DOESNT_MATCH_BLOBS (most are) lets
**     LIKE and GLOB match a blob, which sorts above every text: the base,
**     given the range, would never return it. Such a pair is not forwarded.
**   - a host built with it (Debian's libsqlite3) takes the pair, if
**     omitted, as doing the LIKE's work, and in the ON clause of a LEFT
**     JOIN then tests the LIKE after the NULL row, losing the rows of the
**     left table without a match. Such a pair is forwarded, never omitted.
** A pair is a >= and a < on one column whose right-hand sides are text of
** one length, equal but for case up to the last byte, which is one more in
** the upper bound. Without sqlite3_vtab_rhs_value() (before 3.38) any >=
** and < on one column is taken for such a pair.
*/
static int sdToLower(char c){
  unsigned char u = (unsigned char)c;
  return (u>='A' && u<='Z') ? u+32 : u;
}
static int sdRhsText(sqlite3_index_info *pInfo, int iCons, const char **pz, int *pn){
  sqlite3_value *pVal = 0;
  if( sqlite3_vtab_rhs_value(pInfo, iCons, &pVal)!=SQLITE_OK || pVal==0 ) return 0;
  if( sqlite3_value_type(pVal)!=SQLITE_TEXT ) return 0;
  *pz = (const char*)sqlite3_value_text(pVal);
  *pn = sqlite3_value_bytes(pVal);
  return *pz!=0 && *pn>0;
}
static int sdLikeRange(sqlite3_index_info *pInfo, int iCons){
  const struct sqlite3_index_constraint *aC = pInfo->aConstraint;
  int op = aC[iCons].op, opOther, j;
  if( op==SQLITE_INDEX_CONSTRAINT_GE ) opOther = SQLITE_INDEX_CONSTRAINT_LT;
  else if( op==SQLITE_INDEX_CONSTRAINT_LT ) opOther = SQLITE_INDEX_CONSTRAINT_GE;
  else return 0;
  for(j=0; j<pInfo->nConstraint; j++){
    const char *zLo, *zHi;
    int nLo, nHi, k;
    if( j==iCons || aC[j].op!=opOther || aC[j].iColumn!=aC[iCons].iColumn ) continue;
    if( !aC[j].usable ) continue;
    if( sqlite3_libversion_number()<SD_VTAB_IN_VERSION ) return 1;
    if( !sdRhsText(pInfo, op==SQLITE_INDEX_CONSTRAINT_GE ? iCons : j, &zLo, &nLo) ) continue;
    if( !sdRhsText(pInfo, op==SQLITE_INDEX_CONSTRAINT_GE ? j : iCons, &zHi, &nHi) ) continue;
    if( nLo!=nHi ) continue;
    for(k=0; k<nLo-1 && sdToLower(zLo[k])==sdToLower(zHi[k]); k++){}
    if( k<nLo-1 ) continue;
    if( (unsigned char)zHi[k]==(unsigned char)zLo[k]+1
     || (unsigned char)zHi[k]==sdToLower(zLo[k])+1 ){
      return 1;
    }
  }
  return 0;
}

/*
** Is term iCons exactly the condition SQLite checks? A row-value comparison
** ((a, b) > (5, 7)) is offered as a weaker a >= 5, which SQLite checks
** again whatever omit says; yet it offers LIMIT and OFFSET all the same
** (3.51.1, 3.52.0), and the base would stop early on rows SQLite then
** rejects. A >= or <= whose right-hand side is not a known value may be
** such a comparison: no LIMIT for it.
*/
static int sdTermIsWhole(sqlite3_index_info *pInfo, int iCons){
  int op = pInfo->aConstraint[iCons].op;
  sqlite3_value *pVal = 0;
  if( op!=SQLITE_INDEX_CONSTRAINT_GE && op!=SQLITE_INDEX_CONSTRAINT_LE ) return 1;
  if( sqlite3_libversion_number()<SD_VTAB_IN_VERSION ) return 0;
  return sqlite3_vtab_rhs_value(pInfo, iCons, &pVal)==SQLITE_OK && pVal!=0;
}

/* SQL for operator op with left side zLeft and parameter ?iArg. */
static void sdAppendTerm(sqlite3_str *s, const char *zLeft, int op, int iArg,
                         const char *zColl, int bIn){
  const char *zOp = 0;
  if( bIn ){
    if( zColl ){
      sqlite3_str_appendf(s, " AND %s COLLATE \"%w\" IN (?%d)", zLeft, zColl, iArg);
    }else{
      sqlite3_str_appendf(s, " AND %s IN (?%d)", zLeft, iArg);
    }
    return;
  }
  switch( op ){
    case SQLITE_INDEX_CONSTRAINT_EQ:    zOp = "=";  break;
    case SQLITE_INDEX_CONSTRAINT_GT:    zOp = ">";  break;
    case SQLITE_INDEX_CONSTRAINT_LE:    zOp = "<="; break;
    case SQLITE_INDEX_CONSTRAINT_LT:    zOp = "<";  break;
    case SQLITE_INDEX_CONSTRAINT_GE:    zOp = ">="; break;
    case SQLITE_INDEX_CONSTRAINT_NE:    zOp = "<>"; break;
    case SQLITE_INDEX_CONSTRAINT_IS:    zOp = "IS"; break;
    case SQLITE_INDEX_CONSTRAINT_ISNOT: zOp = "IS NOT"; break;
    case SQLITE_INDEX_CONSTRAINT_LIKE:
      sqlite3_str_appendf(s, " AND %s LIKE ?%d", zLeft, iArg);
      return;
    case SQLITE_INDEX_CONSTRAINT_GLOB:
      sqlite3_str_appendf(s, " AND %s GLOB ?%d", zLeft, iArg);
      return;
    case SQLITE_INDEX_CONSTRAINT_REGEXP:
      sqlite3_str_appendf(s, " AND %s REGEXP ?%d", zLeft, iArg);
      return;
    case SQLITE_INDEX_CONSTRAINT_ISNULL:
      sqlite3_str_appendf(s, " AND %s IS NULL", zLeft);
      return;
    case SQLITE_INDEX_CONSTRAINT_ISNOTNULL:
      sqlite3_str_appendf(s, " AND %s IS NOT NULL", zLeft);
      return;
  }
  if( zColl ){
    sqlite3_str_appendf(s, " AND %s %s ?%d COLLATE \"%w\"", zLeft, zOp, iArg, zColl);
  }else{
    sqlite3_str_appendf(s, " AND %s %s ?%d", zLeft, zOp, iArg);
  }
}

static int sdIsRange(int op){
  return op==SQLITE_INDEX_CONSTRAINT_GT || op==SQLITE_INDEX_CONSTRAINT_GE
      || op==SQLITE_INDEX_CONSTRAINT_LT || op==SQLITE_INDEX_CONSTRAINT_LE;
}
static int sdIsEq(int op){
  return op==SQLITE_INDEX_CONSTRAINT_EQ || op==SQLITE_INDEX_CONSTRAINT_IS;
}

/* Can the forwarded term compare differently from SQLite? Pick a flag. */
static char sdTermFlag(SdVtab *p, SdTerm *t){
  char eAff;
  int op = t->op;
  if( op==SQLITE_INDEX_CONSTRAINT_ISNULL || op==SQLITE_INDEX_CONSTRAINT_ISNOTNULL ){
    return 'x';
  }
  if( op==SQLITE_INDEX_CONSTRAINT_LIKE || op==SQLITE_INDEX_CONSTRAINT_GLOB
   || op==SQLITE_INDEX_CONSTRAINT_REGEXP ){
    return 'e';      /* The same function, in the same connection */
  }
  eAff = t->iCol<0 ? SD_AFF_INTEGER : p->aCol[t->iCol].eAff;
  if( eAff==SD_AFF_INTEGER || eAff==SD_AFF_REAL || eAff==SD_AFF_NUMERIC ) return 'e';
  /* Not even a constant right-hand side is known to lack affinity:
  ** sqlite3_vtab_rhs_value() folds CAST(5 AS INTEGER) into a plain 5. */
  if( eAff==SD_AFF_TEXT ){
    if( !sdIsRange(op) ) return 'n';
    if( t->zColl==0 || sdStrICmp(t->zColl, "BINARY")==0
     || sdStrICmp(t->zColl, "NOCASE")==0 || sdStrICmp(t->zColl, "RTRIM")==0 ){
      return 'r';
    }
    return 'R';
  }
  return 'b';
}

/* Is column iCol one whose terms xFilter may drop for some values? */
static int sdIsLooseCol(SdVtab *p, int iCol){
  char eAff = p->aCol[iCol].eAff;
  if( iCol==p->iPk ) return 0;
  return eAff!=SD_AFF_INTEGER && eAff!=SD_AFF_REAL && eAff!=SD_AFF_NUMERIC;
}

/* May SQLite leave term t to the base alone (aConstraintUsage.omit)? */
static int sdTermOmit(SdVtab *p, SdTerm *t){
  if( t->cFlag!='e' && t->cFlag!='x' ) return 0;
  if( t->bIn || t->bLike ) return 0;
  if( (t->op==SQLITE_INDEX_CONSTRAINT_NE || t->op==SQLITE_INDEX_CONSTRAINT_ISNOT)
   && t->iCol>=0 && t->iCol!=p->iPk ){
    return 0;
  }
  return 1;
}

/* Should a term with flag c be left out for value v? */
static int sdDropTerm(char c, sqlite3_value *v){
  int t = sqlite3_value_type(v);
  switch( c ){
    case 'n':
      return t==SQLITE_INTEGER || t==SQLITE_FLOAT;
    case 'r':
      if( t==SQLITE_INTEGER || t==SQLITE_FLOAT ) return 1;
      if( t==SQLITE_TEXT ){
        const unsigned char *z = sqlite3_value_text(v);
        return z==0 || z[0]<=(unsigned char)'9';
      }
      return 0;
    case 'R': case 'b':
      return t!=SQLITE_NULL && t!=SQLITE_BLOB;
  }
  return 0;
}

/* Estimated cost and rows of reaching the rows through pIdx (NULL: rowid). */
static void sdCostIndex(SdVtab *p, SdIndex *pIdx, SdTerm *aTerm, int nTerm,
                        double *pCost, double *pRows, int *pbUnique){
  double N = (double)p->nRowEst;
  double rows;
  int nEq = 0, nInEq = 0, bRange = 0, i, k;
  *pbUnique = 0;
  if( pIdx==0 ){
    for(i=0; i<nTerm; i++){
      if( aTerm[i].iCol==-1 || aTerm[i].iCol==p->iPk ){
        if( aTerm[i].bIn ){
          /* A list of keys: several rows, never a "unique" scan (a one-pass
          ** DELETE would stop after the first row). */
          *pRows = 4; *pCost = 40; return;
        }
        if( sdIsEq(aTerm[i].op) ){ *pbUnique = 1; *pRows = 1; *pCost = 10; return; }
        if( sdIsRange(aTerm[i].op) ) bRange++;
      }
    }
    rows = bRange ? N / (bRange>1 ? 16 : 4) : N;
    *pRows = rows;
    *pCost = 10 + rows;     /* a scan is never cheaper than a lookup */
    return;
  }
  /* A partial index serves only when its WHERE holds for every row shown:
  ** one over the live rows in a live table; the one over the rows with an
  ** operation when the key's first term (on the operation) excludes NULL. */
  if( pIdx->bPartial && !(p->eShow==SD_SHOW_LIVE ? pIdx->bLive : pIdx->bOpIdx) ){
    *pCost = 1e99; *pRows = N; return;
  }
  for(k=0; k<pIdx->nCol; k++){
    int iCol = pIdx->aiCol[k], bEq = 0, nRange = 0, bIn = 0;
    int bExact = 0;
    if( iCol<-1 ) break;
    for(i=0; i<nTerm; i++){
      SdTerm *t = &aTerm[i];
      int bColl;
      if( t->iCol!=iCol && !(iCol==-1 && t->iCol==p->iPk && p->iPk>=0) ) continue;
      bColl = iCol<0 || p->aCol[iCol].eAff!=SD_AFF_TEXT
           || sdStrICmp(t->zColl ? t->zColl : "BINARY", pIdx->azColl[k])==0;
      if( !bColl ) continue;
      if( sdIsEq(t->op) ){
        bEq = 1;
        /* A list of keys, or IS (which matches any number of NULLs in a
        ** UNIQUE index), finds more than one row. */
        if( t->bIn || t->op==SQLITE_INDEX_CONSTRAINT_IS ) bIn = 1;
        if( t->cFlag=='e' && !t->bIn ) bExact = 1;
      }
      else if( sdIsRange(t->op) ) nRange++;
    }
    if( bIn || (bEq && !bExact) ) nInEq++;
    if( bEq ){ nEq++; continue; }
    if( nRange ) bRange = nRange;
    break;
  }
  if( nEq==0 && !bRange ){ *pCost = 1e99; *pRows = N; return; }
  if( nEq==pIdx->nCol && pIdx->bUnique ){
    /* A unique scan only when every key term reaches the base exactly: a
    ** term SQLite checks again may be dropped for some values, and then
    ** the base returns more rows, of which a one-pass DELETE or UPDATE
    ** (no xNext after the first row) would see only the first. */
    if( nInEq ){ *pRows = 2; *pCost = 20; return; }
    *pbUnique = 1; *pRows = 1; *pCost = 15; return;
  }
  if( nEq>0 ){
    rows = pIdx->aiRowEq[nEq-1]>0 ? (double)pIdx->aiRowEq[nEq-1] : (nEq==1 ? 10.0 : 5.0);
    if( rows>N ) rows = N;
  }else{
    rows = N;
  }
  if( bRange ) rows = rows / (bRange>1 ? 16 : 4);
  if( rows<1 ) rows = 1;
  *pRows = rows;
  *pCost = 15 + rows*1.5;
}

/* Is column iCol read from result column 0 (the rowid)? */
static int sdIsRowidCol(SdVtab *p, int iCol){
  return iCol<0 || iCol==p->iPk;
}

int sdBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  SdVtab *p = (SdVtab*)pVtab;
  SdTerm aTerm[SD_MAX_ARG];
  int nTerm = 0, i, nArg = 0, rc = SQLITE_OK;
  double bestCost, bestRows;
  int bUnique = 0, bOrder = 0, bAllOmit = 1, bFew;
  int iLimit = -1, iOffset = -1;
  int bNew = sqlite3_libversion_number()>=SD_VTAB_IN_VERSION;
  sqlite3_uint64 colUsed = pInfo->colUsed;
  sqlite3_str *pHdr, *pSql;
  char *zHdr, *zSql;

  if( p->zMissing ){
    sdVtabError(p, "%s", p->zMissing);
    return SQLITE_ERROR;
  }
  /* New indexes since connect? A connection whose schema is stale cannot
  ** reload it during a prepare: then plan with what is known; the
  ** statement meets the schema change when it runs, and is prepared again.
  ** Any other failure fails the prepare: an I/O error or out of memory in
  ** a nested statement may have rolled the transaction back, which the
  ** caller must learn. */
  rc = sdRefreshIndexes(p);
  if( rc && rc!=SQLITE_SCHEMA && p->rcDeferred==SQLITE_OK ){
    /* SQLite turns any code xBestIndex returns into SQLITE_ERROR: keep
    ** this one for xOpen and xUpdate, which the statement reaches first. */
    sdBaseError(p, "read", rc);
    p->rcDeferred = rc;
    p->zDeferred = p->base.zErrMsg;
    p->base.zErrMsg = 0;
  }
  rc = SQLITE_OK;

  /* Collect the constraints the base can evaluate. */
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    SdTerm *t;
    int bLike;
    if( pC->op==SQLITE_INDEX_CONSTRAINT_LIMIT ){ iLimit = i; continue; }
    if( pC->op==SQLITE_INDEX_CONSTRAINT_OFFSET ){ iOffset = i; continue; }
    /* Room is kept for LIMIT and OFFSET; further terms are left to SQLite. */
    if( !pC->usable || nTerm>=SD_MAX_ARG-2 ){ bAllOmit = 0; continue; }
    if( pC->iColumn>=0 && (pC->iColumn>=p->nCol || p->aCol[pC->iColumn].bHidden) ){
      bAllOmit = 0;
      continue;
    }
    switch( pC->op ){
      case SQLITE_INDEX_CONSTRAINT_EQ: case SQLITE_INDEX_CONSTRAINT_GT:
      case SQLITE_INDEX_CONSTRAINT_LE: case SQLITE_INDEX_CONSTRAINT_LT:
      case SQLITE_INDEX_CONSTRAINT_GE: case SQLITE_INDEX_CONSTRAINT_IS:
      case SQLITE_INDEX_CONSTRAINT_ISNULL:
        break;
      case SQLITE_INDEX_CONSTRAINT_NE: case SQLITE_INDEX_CONSTRAINT_ISNOT:
      case SQLITE_INDEX_CONSTRAINT_ISNOTNULL:
      case SQLITE_INDEX_CONSTRAINT_LIKE: case SQLITE_INDEX_CONSTRAINT_GLOB:
      case SQLITE_INDEX_CONSTRAINT_REGEXP:
        /* The "auxiliary" operators: see SD_AUX_VERSION. */
        if( sqlite3_libversion_number()>=SD_AUX_VERSION ) break;
        bAllOmit = 0;
        continue;
      default:
        bAllOmit = 0;
        continue;   /* MATCH, functions: SQLite does them */
    }
    bLike = sdLikeRange(pInfo, i);
    if( bLike && !p->bLikeNoBlob ){ bAllOmit = 0; continue; }
    if( pC->op==SQLITE_INDEX_CONSTRAINT_EQ && !bNew && pC->iColumn>=0
     && sdIsLooseCol(p, pC->iColumn) ){
      /* Before 3.38 an IN list comes one value at a time as "=", and when
      ** the vtab takes it SQLite checks each row again with a plain
      ** "col = value", without the IN's affinity: on a TEXT or untyped
      ** column that keeps or loses rows for values of another type (the
      ** ones xFilter would leave out). Such an "=" is left to SQLite. */
      bAllOmit = 0;
      continue;
    }
    t = &aTerm[nTerm++];
    t->iCons = i;
    t->iCol = pC->iColumn;
    t->op = pC->op;
    t->zColl = (pC->iColumn>=0) ? sqlite3_vtab_collation(pInfo, i) : 0;
    t->bIn = 0;
    if( bNew && pC->op==SQLITE_INDEX_CONSTRAINT_EQ && sqlite3_vtab_in(pInfo, i, -1) ){
      /* Take the whole IN list at once: keeps ORDER BY and LIMIT usable. */
      t->bIn = 1;
      sqlite3_vtab_in(pInfo, i, 1);
    }
    t->bLike = (u8)bLike;
    t->cFlag = sdTermFlag(p, t);
    if( !sdTermOmit(p, t) || !sdTermIsWhole(pInfo, i) ) bAllOmit = 0;
  }

  /* Cost: the cheapest way the base can reach the rows. */
  sdCostIndex(p, 0, aTerm, nTerm, &bestCost, &bestRows, &bUnique);
  for(i=0; i<p->nIdx; i++){
    double c, r;
    int u;
    sdCostIndex(p, &p->aIdx[i], aTerm, nTerm, &c, &r, &u);
    if( c<bestCost ){ bestCost = c; bestRows = r; bUnique = u; }
  }
  bFew = bestRows<=2;
  /* Each forwarded term filters rows, whether or not an index serves it. */
  for(i=0; i<nTerm && !bUnique; i++){
    switch( aTerm[i].op ){
      case SQLITE_INDEX_CONSTRAINT_EQ: case SQLITE_INDEX_CONSTRAINT_IS:
      case SQLITE_INDEX_CONSTRAINT_ISNULL:
        bestRows *= aTerm[i].bIn ? 0.3 : 0.1; break;
      case SQLITE_INDEX_CONSTRAINT_NE: case SQLITE_INDEX_CONSTRAINT_ISNOT:
      case SQLITE_INDEX_CONSTRAINT_ISNOTNULL:
        bestRows *= 0.9; break;
      default:
        bestRows *= 0.3; break;
    }
  }
  if( bestRows<1 ) bestRows = 1;

  /* ORDER BY: consumed whenever every term is a column of the base. */
  if( pInfo->nOrderBy>0 ){
    bOrder = 1;
    for(i=0; i<pInfo->nOrderBy; i++){
      int iCol = pInfo->aOrderBy[i].iColumn;
      if( iCol>=p->nCol || (iCol>=0 && p->aCol[iCol].bHidden) ) bOrder = 0;
    }
    if( bOrder && !bUnique ){
      /* Sorting in the base costs what SQLite's sorter would, unless the
      ** order is the rowid's. */
      int bRowidOrder = pInfo->nOrderBy==1
                     && sdIsRowidCol(p, pInfo->aOrderBy[0].iColumn);
      if( !bRowidOrder ) bestCost += bestRows * 0.2;
    }
    if( !bOrder ) bAllOmit = 0;
  }

  /* Build the header and the SQL. */
  pHdr = sqlite3_str_new(p->db);
  pSql = sqlite3_str_new(p->db);
  sqlite3_str_appendf(pHdr, "%llx;", colUsed);
  sqlite3_str_appendf(pSql, "SELECT \"sd\".%s", p->zRowid);
  for(i=0; i<p->nCol; i++){
    if( p->aCol[i].bHidden || i==p->iPk ) continue;
    if( (colUsed & (((sqlite3_uint64)1) << (i<63 ? i : 63)))==0 ) continue;
    sqlite3_str_appendf(pSql, ", \"sd\".\"%w\"", p->aCol[i].zName);
  }
  /* The rows the table shows: live, deleted (the trash) or all. */
  if( p->eShow==SD_SHOW_ALL ){
    sqlite3_str_appendf(pSql, " FROM \"%w\".\"%w\" AS \"sd\" WHERE 1",
                        p->zDb, p->zBase);
  }else{
    sqlite3_str_appendf(pSql, " FROM \"%w\".\"%w\" AS \"sd\" WHERE \"sd\".\"%w\" %s%s",
                        p->zDb, p->zBase, p->zMarker,
                        p->eShow==SD_SHOW_LIVE ? "IS " : "IS NOT ", p->zLiveSql);
  }
  for(i=0; i<nTerm; i++){
    SdTerm *t = &aTerm[i];
    char *zLeft;
    int iStart = sqlite3_str_length(pSql);
    nArg++;
    pInfo->aConstraintUsage[t->iCons].argvIndex = nArg;
    pInfo->aConstraintUsage[t->iCons].omit = sdTermOmit(p, t);
    if( sdIsRowidCol(p, t->iCol) ){
      zLeft = sqlite3_mprintf("\"sd\".%s", p->zRowid);
    }else{
      zLeft = sqlite3_mprintf("\"sd\".\"%w\"", p->aCol[t->iCol].zName);
    }
    if( zLeft==0 ){ rc = SQLITE_NOMEM; break; }
    /* Collation matters for text; the rowid is an integer. */
    sdAppendTerm(pSql, zLeft, t->op, nArg,
                 (!sdIsRowidCol(p, t->iCol) && t->cFlag!='x') ? t->zColl : 0, t->bIn);
    sqlite3_str_appendf(pHdr, "%s%c%d,%d,%d;", t->bIn ? "*" : "", t->cFlag, iStart,
                        sqlite3_str_length(pSql),
                        t->op==SQLITE_INDEX_CONSTRAINT_ISNOT ? 0 : (int)strlen(zLeft));
    sqlite3_free(zLeft);
  }
  if( bOrder ){
    for(i=0; i<pInfo->nOrderBy; i++){
      int iCol = pInfo->aOrderBy[i].iColumn;
      sqlite3_str_appendall(pSql, i ? ", " : " ORDER BY ");
      if( sdIsRowidCol(p, iCol) ){
        sqlite3_str_appendf(pSql, "\"sd\".%s", p->zRowid);
      }else{
        sqlite3_str_appendf(pSql, "\"sd\".\"%w\"", p->aCol[iCol].zName);
      }
      if( pInfo->aOrderBy[i].desc ) sqlite3_str_appendall(pSql, " DESC");
    }
    pInfo->orderByConsumed = 1;
  }
  /* LIMIT and OFFSET: only together, only when nothing is left to SQLite. */
  if( iLimit>=0 && bAllOmit && sqlite3_libversion_number()>=SD_LIMIT_VERSION ){
    int iStart = sqlite3_str_length(pSql);
    pInfo->aConstraintUsage[iLimit].argvIndex = ++nArg;
    pInfo->aConstraintUsage[iLimit].omit = 1;
    /* "+0": SQLite 3.52 plans with the value of a bare LIMIT parameter, so
    ** binding it again would prepare the statement again at every filter. */
    sqlite3_str_appendf(pSql, " LIMIT ?%d+0", nArg);
    sqlite3_str_appendf(pHdr, "e%d,%d,0;", iStart, sqlite3_str_length(pSql));
    if( iOffset>=0 ){
      iStart = sqlite3_str_length(pSql);
      pInfo->aConstraintUsage[iOffset].argvIndex = ++nArg;
      pInfo->aConstraintUsage[iOffset].omit = 1;
      sqlite3_str_appendf(pSql, " OFFSET ?%d", nArg);
      sqlite3_str_appendf(pHdr, "e%d,%d,0;", iStart, sqlite3_str_length(pSql));
    }
    pInfo->idxNum |= 2;
    if( bestRows>20 ) bestRows = 20;
  }else if( iOffset>=0 && pInfo->aConstraint[iOffset].usable && bAllOmit
         && !bUnique ){
    /* LIMIT and OFFSET stay with SQLite (hosts before SD_LIMIT_VERSION),
    ** which then steps the cursor through every row it skips. The OFFSET
    ** value is taken as a hint, never omitted: see sdHintStart(). */
    pInfo->aConstraintUsage[iOffset].argvIndex = ++nArg;
    sqlite3_str_appendall(pHdr, "o0,0,0;");
    sqlite3_str_appendall(pSql, SD_HINT_SUFFIX);
  }
  zSql = sdMprintfStr(pSql, &rc);
  zHdr = sdMprintfStr(pHdr, &rc);
  if( rc ){
    sqlite3_free(zSql);
    sqlite3_free(zHdr);
    return rc;
  }
  pInfo->idxStr = sqlite3_mprintf("%s|%s", zHdr, zSql);
  sqlite3_free(zSql);
  sqlite3_free(zHdr);
  if( pInfo->idxStr==0 ) return SQLITE_NOMEM;
  pInfo->needToFreeIdxStr = 1;
  pInfo->idxNum |= bOrder;
  pInfo->estimatedCost = bestCost;
  pInfo->estimatedRows = (sqlite3_int64)bestRows;
  if( bUnique ){
    /* Not for the trash: a one-pass DELETE runs without a statement
    ** journal, and a purge makes several nested writes. */
    if( p->eShow!=SD_SHOW_DELETED ) pInfo->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
    pInfo->idxNum |= 4;
  }else if( bFew ){
    pInfo->idxNum |= 8;
  }
  return SQLITE_OK;
}

/* ---- The statement pool ------------------------------------------------ */

/*
** Idle read statements, and the memory budget.
**
** Each table keeps the statements of its recent plans: in its pool, in its
** spare cursor, in its parked plans. Across all tables of the connection
** their memory is bounded by a budget (SdConn.nKeptMax, set with
** sd_statement_memory()), not by a count per table: every idle statement is
** in one list, most recently kept first, and when the total passes the
** budget the least recently kept are finalized. A cursor holding one that
** goes simply has no statement and prepares again when its plan next runs.
*/

/* Take pS out of the idle list (it is about to run, or to be finalized). */
static void sdUnkeep(SdStmt *pS){
  SdConn *pConn;
  if( !pS->bKept ) return;
  pConn = pS->pTab->pConn;
  if( pS->pKeptPrev ) pS->pKeptPrev->pKeptNext = pS->pKeptNext;
  else pConn->pKeptFirst = pS->pKeptNext;
  if( pS->pKeptNext ) pS->pKeptNext->pKeptPrev = pS->pKeptPrev;
  else pConn->pKeptLast = pS->pKeptPrev;
  pS->pKeptPrev = pS->pKeptNext = 0;
  pS->bKept = 0;
  pS->pHolder = 0;
  pConn->nKept -= pS->nMem;
}

static void sdStmtFree(SdStmt *pS){
  sqlite3_finalize(pS->pStmt);
  sqlite3_free(pS->zSql);
  sqlite3_free(pS);
}

/* Finalize idle statements, least recently kept first, to the budget. */
void sdKeptTrim(SdConn *pConn){
  while( pConn->nKept>pConn->nKeptMax && pConn->pKeptLast ){
    SdStmt *pS = pConn->pKeptLast;
    SdCursor *pHolder = pS->pHolder;
    SdVtab *p = pS->pTab;
    sdUnkeep(pS);
    if( pHolder ){
      pHolder->pS = 0;
    }else{
      SdStmt **pp = &p->pPool;
      while( *pp!=pS ) pp = &(*pp)->pNext;
      *pp = pS->pNext;
      p->nPool--;
    }
    sdStmtFree(pS);
  }
}

/*
** pS (reset) is idle, held by pHolder or in its table's pool: put it first
** in the idle list, then trim to the budget, which may finalize pS itself
** (then pHolder->pS is cleared, or pS leaves the pool). The caller must not
** use pS afterwards.
*/
static void sdKeep(SdStmt *pS, SdCursor *pHolder){
  SdConn *pConn = pS->pTab->pConn;
  sdUnkeep(pS);
  pS->pHolder = pHolder;
  pS->bKept = 1;
  pS->pKeptNext = pConn->pKeptFirst;
  if( pConn->pKeptFirst ) pConn->pKeptFirst->pKeptPrev = pS;
  else pConn->pKeptLast = pS;
  pConn->pKeptFirst = pS;
  pConn->nKept += pS->nMem;
  if( pConn->nKept>pConn->nKeptMax ) sdKeptTrim(pConn);
}

/* Take an idle statement for zSql out of the pool, or prepare one. */
static int sdPoolGet(SdVtab *p, const char *zSql, SdStmt **ppS){
  SdStmt **pp, *pS;
  int rc;
  for(pp=&p->pPool; *pp; pp=&(*pp)->pNext){
    if( strcmp((*pp)->zSql, zSql)==0 ){
      pS = *pp;
      *pp = pS->pNext;
      pS->pNext = 0;
      p->nPool--;
      sdUnkeep(pS);
      *ppS = pS;
      return SQLITE_OK;
    }
  }
  pS = sqlite3_malloc64(sizeof(*pS));
  if( pS==0 ) return SQLITE_NOMEM;
  memset(pS, 0, sizeof(*pS));
  pS->pTab = p;
  pS->zSql = sqlite3_mprintf("%s", zSql);
  if( pS->zSql==0 ){ sqlite3_free(pS); return SQLITE_NOMEM; }
  rc = sqlite3_prepare_v3(p->db, zSql, -1, SQLITE_PREPARE_PERSISTENT, &pS->pStmt, 0);
  if( rc ){
    sdBaseError(p, "read", rc);
    sqlite3_free(pS->zSql);
    sqlite3_free(pS);
    return rc;
  }
  pS->iSkip = sqlite3_bind_parameter_index(pS->pStmt, ":sd_skip");
  pS->nMem = sqlite3_stmt_status(pS->pStmt, SQLITE_STMTSTATUS_MEMUSED, 0)
           + (sqlite3_int64)sizeof(*pS) + (sqlite3_int64)strlen(zSql) + 1;
  *ppS = pS;
  return SQLITE_OK;
}

/* Return a statement to the pool, finalizing the oldest beyond SD_POOL_MAX
** (the pool is searched by text: a bound on the search). */
static void sdPoolPut(SdVtab *p, SdStmt *pS){
  sqlite3_reset(pS->pStmt);
  sdUnkeep(pS);
  if( p->nPool>=SD_POOL_MAX ){
    SdStmt **pp = &p->pPool, *pOld;
    while( (*pp)->pNext ) pp = &(*pp)->pNext;
    pOld = *pp;
    *pp = 0;
    p->nPool--;
    sdUnkeep(pOld);
    sdStmtFree(pOld);
  }
  pS->pNext = p->pPool;
  p->pPool = pS;
  p->nPool++;
  sdKeep(pS, 0);
}

void sdPoolClear(SdVtab *p){
  SdCursor *pSpare = p->pSpare;
  sdIdSetClear(&p->matched);
  p->pSpare = 0;
  sdCursorFree(p, pSpare);
  while( p->pParked ){
    SdCursor *q = p->pParked;
    p->pParked = q->pNextParked;
    sdCursorFree(p, q);
  }
  p->nParked = 0;
  while( p->pPool ){
    SdStmt *pS = p->pPool;
    p->pPool = pS->pNext;
    sdUnkeep(pS);
    sdStmtFree(pS);
  }
  p->nPool = 0;
}

/* ---- Cursors ----------------------------------------------------------- */

/*
** Report an error kept from xBestIndex (a nested statement that failed
** there, perhaps rolling the transaction back). Returns it, once.
*/
int sdDeferredError(SdVtab *p){
  int rc = p->rcDeferred;
  if( rc ){
    sqlite3_free(p->base.zErrMsg);
    p->base.zErrMsg = p->zDeferred;
    p->zDeferred = 0;
    p->rcDeferred = SQLITE_OK;
  }
  return rc;
}

int sdOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  SdVtab *p = (SdVtab*)pVtab;
  SdCursor *pCur;
  int rc;
  if( p->zMissing ){
    sdVtabError(p, "%s", p->zMissing);
    return SQLITE_ERROR;
  }
  if( (rc = sdDeferredError(p))!=SQLITE_OK ) return rc;
  if( p->bPending && (rc = sdEnsureColumns(p))!=SQLITE_OK ) return rc;
  if( p->pSpare && p->pSpare->nOut>=p->nCol ){
    /* The cursor of the last scan, with its statement and parsed plan: a
    ** prepared statement run again finds everything as it left it. */
    pCur = p->pSpare;
    p->pSpare = 0;
    if( pCur->pS ) sdUnkeep(pCur->pS);
    memset(&pCur->base, 0, sizeof(pCur->base));
  }else{
    pCur = sqlite3_malloc64(sizeof(*pCur) + sizeof(int)*(p->nCol+1));
    if( pCur==0 ) return SQLITE_NOMEM;
    memset(pCur, 0, sizeof(*pCur));
    pCur->aiOut = (int*)&pCur[1];
    pCur->nOut = p->nCol+1;
  }
  pCur->bEof = 1;
  pCur->bFresh = 1;
  pCur->eText = p->bUtf8;
  /* A new scan starts: a soft delete from here on is a new operation. */
  p->pConn->iGen++;
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

/* Free a cursor and what it holds. */
void sdCursorFree(SdVtab *p, SdCursor *pCur){
  if( pCur==0 ) return;
  if( pCur->pS ) sdPoolPut(p, pCur->pS);
  if( pCur->pCatch ) sdPoolPut(p, pCur->pCatch);
  sqlite3_free(pCur->zPlanCopy);
  sqlite3_free(pCur);
}

/* End the cursor's scan: its statement reset, the OFFSET hint's released. */
static void sdCursorIdle(SdVtab *p, SdCursor *pCur){
  if( pCur->pS && !pCur->bReset ){
    sqlite3_reset(pCur->pS->pStmt);
    pCur->bReset = 1;
  }
  if( pCur->pCatch ){
    sdPoolPut(p, pCur->pCatch);
    pCur->pCatch = 0;
  }
  pCur->nSkip = 0;
  pCur->iRow = 0;
}

int sdClose(sqlite3_vtab_cursor *cur){
  SdCursor *pCur = (SdCursor*)cur;
  SdVtab *p = (SdVtab*)cur->pVtab;
  sdCursorIdle(p, pCur);
  /* The plan pointer is only meaningful within one statement: forget it,
  ** the copy recognises the plan when the statement runs again. */
  pCur->zPlan = 0;
  if( p->pSpare==0 ){
    p->pSpare = pCur;
    if( pCur->pS ) sdKeep(pCur->pS, pCur);
  }else{
    sdCursorFree(p, pCur);
  }
  return SQLITE_OK;
}

static int sdBindPlan(SdCursor*, sqlite3_stmt*, sqlite3_value**, const int*);

/* At the end of the rows: reset the statements now, so that read locks end
** with the scan. */
static int sdCursorEnd(SdCursor *pCur){
  int rc;
  pCur->bEof = 1;
  pCur->bReset = 1;
  if( pCur->pCatch ){
    sqlite3_reset(pCur->pCatch->pStmt);
    pCur->iCatch = -1;
  }
  rc = sqlite3_reset(pCur->pS->pStmt);
  if( rc ) sdBaseError((SdVtab*)pCur->base.pVtab, "read", rc);
  return rc;
}

int sdNext(sqlite3_vtab_cursor *cur){
  SdCursor *pCur = (SdCursor*)cur;
  int rc;
  if( pCur->iRow<pCur->nSkip ){
    /* A stand-in row of the OFFSET hint: the real rows are further on. */
    pCur->iRow++;
    if( pCur->iRow==pCur->nSkip && pCur->bMainDone ) return sdCursorEnd(pCur);
    return SQLITE_OK;
  }
  if( !pCur->bOne ){
    rc = sqlite3_step(pCur->pS->pStmt);
    if( rc==SQLITE_ROW ) return SQLITE_OK;
  }
  /* At the end, or after the one row a unique plan can give. */
  return sdCursorEnd(pCur);
}

/* First row of a filter: as sdNext, but a unique plan may have a row. */
static int sdFirst(SdCursor *pCur, int idxNum){
  int rc;
  pCur->bEof = 0;
  pCur->bOne = 0;
  /* The first filter since xOpen: the registers SQLite hands to sdColumn
  ** hold no memory of their own yet. A plan that expects a row or two
  ** keeps to the pool for the rest of the filter. */
  {
    int eUtf8 = ((SdVtab*)pCur->base.pVtab)->bUtf8;
    pCur->eText = (idxNum & 12) && pCur->bFresh && eUtf8 ? SD_TEXT_POOL : eUtf8;
  }
  pCur->bFresh = 0;
  pCur->bReset = 0;
  rc = sqlite3_step(pCur->pS->pStmt);
  if( rc==SQLITE_ROW ){
    pCur->bOne = (idxNum & 4)!=0;
    return SQLITE_OK;
  }
  return sdCursorEnd(pCur);
}

/*
** The OFFSET hint (flag 'o'). On hosts where LIMIT and OFFSET stay with
** SQLite, SQLite steps the cursor through every row it skips, each one a
** nested step. Given the OFFSET value, the base skips them instead (the
** plan's SQL ends in "LIMIT -1 OFFSET :sd_skip") and the cursor first hands
** SQLite nSkip stand-in rows, which SQLite counts off without reading. A
** stand-in that SQLite does read (a term it checks itself, the arm of a
** compound SELECT that the OFFSET does not belong to) is loaded then, from
** a second run of the same statement with :sd_skip 0 that advances in step
** with SQLite (sdHintRow): a hint that does not match what SQLite skips
** costs time, never a wrong row. Past the end of the rows the stand-ins are
** exactly the rows there are (counted), so that SQLite's count stays right.
** Called with pS bound but for :sd_skip.
*/
static int sdHintStart(SdCursor *pCur, sqlite3_value **argv, const int *anIn){
  SdVtab *p = (SdVtab*)pCur->base.pVtab;
  sqlite3_stmt *pStmt = pCur->pS->pStmt;
  const char *zSql = pCur->pS->zSql;
  sqlite3_value *pOffset = argv[pCur->iHint];
  i64 nHint = 0;
  int rc;
  if( sqlite3_value_numeric_type(pOffset)==SQLITE_INTEGER ){
    nHint = sqlite3_value_int64(pOffset);
    if( nHint<0 ) nHint = 0;
  }
  pCur->nSkip = 0;
  pCur->iRow = 0;
  pCur->bMainDone = 0;
  pCur->bEof = 0;
  pCur->bOne = 0;
  pCur->bReset = 0;
  rc = sqlite3_bind_int64(pStmt, pCur->pS->iSkip, nHint);
  if( rc ) return rc;
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_ROW ){
    pCur->nSkip = nHint;
    rc = SQLITE_OK;
  }else if( rc==SQLITE_DONE && nHint>0 ){
    /* Past the end: how many rows are there to stand in for? */
    sqlite3_stmt *pCount = 0;
    char *zCount = sqlite3_mprintf("SELECT count(*) FROM (%.*s LIMIT :sd_skip)",
        (int)(strlen(zSql) - sizeof(SD_HINT_SUFFIX) + 1), zSql);
    rc = zCount ? sqlite3_prepare_v2(p->db, zCount, -1, &pCount, 0) : SQLITE_NOMEM;
    sqlite3_free(zCount);
    if( rc==SQLITE_OK ) rc = sdBindPlan(pCur, pCount, argv, anIn);
    if( rc==SQLITE_OK ){
      rc = sqlite3_bind_int64(pCount, sqlite3_bind_parameter_index(pCount, ":sd_skip"),
                              nHint);
    }
    if( rc==SQLITE_OK && (rc = sqlite3_step(pCount))==SQLITE_ROW ){
      pCur->nSkip = sqlite3_column_int64(pCount, 0);
      rc = SQLITE_OK;
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pCount);
    else sqlite3_finalize(pCount);
    if( rc ){
      sdBaseError(p, "read", rc);
      return rc;
    }
    pCur->bMainDone = 1;
  }else if( rc!=SQLITE_DONE ){
    sqlite3_reset(pStmt);
    sdBaseError(p, "read", rc);
    return rc;
  }else{
    pCur->bMainDone = 1;
    rc = SQLITE_OK;
  }
  if( pCur->nSkip==0 && pCur->bMainDone ) return sdCursorEnd(pCur);
  if( pCur->nSkip>0 ){
    /* The statement that loads a stand-in if one is read: bound now, while
    ** the values are at hand; stepped only if needed. */
    if( pCur->pCatch==0 ){
      rc = sdPoolGet(p, pCur->pS->zSql, &pCur->pCatch);
      if( rc ) return rc;
    }else{
      sqlite3_reset(pCur->pCatch->pStmt);
    }
    pCur->iCatch = -1;
    rc = sdBindPlan(pCur, pCur->pCatch->pStmt, argv, anIn);
    if( rc==SQLITE_OK ) rc = sqlite3_bind_int64(pCur->pCatch->pStmt,
                                                pCur->pCatch->iSkip, 0);
  }
  return rc;
}

/* The statement holding the current row of a cursor on a stand-in row. */
static sqlite3_stmt *sdHintRow(SdCursor *pCur, int *pRc){
  sqlite3_stmt *pStmt = pCur->pCatch->pStmt;
  if( pCur->iCatch>pCur->iRow ){
    sqlite3_reset(pStmt);
    pCur->iCatch = -1;
  }
  while( pCur->iCatch<pCur->iRow ){
    int rc = sqlite3_step(pStmt);
    if( rc!=SQLITE_ROW ){
      SdVtab *p = (SdVtab*)pCur->base.pVtab;
      if( rc==SQLITE_DONE ){
        sdVtabError(p, "softdelete: the rows of %s changed during the scan",
                    p->zBase);
        rc = SQLITE_ERROR;
      }else{
        sdBaseError(p, "read", rc);
      }
      sqlite3_reset(pStmt);
      pCur->iCatch = -1;
      *pRc = rc;
      return 0;
    }
    pCur->iCatch++;
  }
  return pStmt;
}

/*
** Bind a value xFilter was given. Numbers by their type: SQLite 3.31 keeps
** an integral REAL (a constant propagated from "o.h = 5") with an internal
** flag that its sqlite3_bind_value() misreads, binding a tiny double; text
** and blobs are copied, since the statement runs on after xFilter returns.
*/
static int sdBindArg(sqlite3_stmt *pStmt, int i, sqlite3_value *v){
  switch( sqlite3_value_type(v) ){
    case SQLITE_INTEGER: return sqlite3_bind_int64(pStmt, i, sqlite3_value_int64(v));
    case SQLITE_FLOAT:   return sqlite3_bind_double(pStmt, i, sqlite3_value_double(v));
  }
  return sqlite3_bind_value(pStmt, i, v);
}

/* Parameters an IN list of n values is given: the next power of two. */
static int sdInBucket(int n){
  int b = 1;
  while( b<n ) b *= 2;
  return b;
}

/*
** Bind the values xFilter was given to pStmt, a statement of the cursor's
** plan for the terms kept (pCur->mDrop), whole IN lists (anIn[i] values
** each) expanded from parameter nArg+1 on; anIn NULL when there is none.
*/
static int sdBindPlan(SdCursor *pCur, sqlite3_stmt *pStmt, sqlite3_value **argv,
                      const int *anIn){
  int i, rc = SQLITE_OK, iNext = pCur->nArg+1;
  for(i=0; i<pCur->nArg && rc==SQLITE_OK; i++){
    unsigned int m = 1u<<i;
    if( pCur->aFlag[i]=='x' || pCur->aFlag[i]=='o' || (pCur->mDrop & m) ) continue;
    if( pCur->mIn & m ){
      sqlite3_value *pV = 0;
      int k = 0, nB = sdInBucket(anIn[i]);
      for(rc=sqlite3_vtab_in_first(argv[i], &pV); rc==SQLITE_OK && pV;
          rc=sqlite3_vtab_in_next(argv[i], &pV)){
        rc = sdBindArg(pStmt, iNext + k++, pV);
        if( rc ) break;
      }
      if( rc==SQLITE_DONE ) rc = SQLITE_OK;
      for(; rc==SQLITE_OK && k<nB; k++) rc = sqlite3_bind_null(pStmt, iNext + k);
      iNext += nB;
      continue;
    }
    rc = sdBindArg(pStmt, i+1, argv[i]);
  }
  return rc;
}

/* Parse the header of idxStr into the cursor (see the top of this file). */
static void sdParsePlan(SdVtab *p, SdCursor *pCur, const char *idxStr, int argc){
  const char *z;
  int i, iOut = 1;
  sqlite3_uint64 colUsed = strtoull(idxStr, (char**)&z, 16);
  /* An UPDATE marks every column used (3.31 to 3.52 checked): only then
  ** may sqlite3_vtab_nochange() say yes, so only then is it asked. */
  pCur->bUpdate = colUsed==~(sqlite3_uint64)0;
  pCur->nArg = argc<SD_MAX_ARG ? argc : SD_MAX_ARG;
  pCur->mIn = 0;
  pCur->bCheck = 0;
  pCur->iHint = -1;
  pCur->nSkip = 0;
  pCur->iRow = 0;
  for(i=0; i<pCur->nArg; i++){
    z++;                     /* ';' */
    if( *z=='*' ){ pCur->mIn |= (1u<<i); z++; }
    pCur->aFlag[i] = *z++;
    pCur->aStart[i] = (int)strtol(z, (char**)&z, 10);
    z++;                     /* ',' */
    pCur->aEnd[i] = (int)strtol(z, (char**)&z, 10);
    z++;                     /* ',' */
    pCur->aLeft[i] = (int)strtol(z, (char**)&z, 10);
    if( pCur->aFlag[i]=='o' ){
      pCur->iHint = i;
    }else if( pCur->aFlag[i]!='e' && pCur->aFlag[i]!='x' ){
      pCur->bCheck = 1;
    }
  }
  pCur->zSql = strchr(z, '|') + 1;
  pCur->zPlan = idxStr;
  for(i=0; i<p->nCol; i++){
    if( i==p->iPk ){
      pCur->aiOut[i] = 0;
    }else if( !p->aCol[i].bHidden
     && (colUsed & (((sqlite3_uint64)1) << (i<63 ? i : 63))) ){
      pCur->aiOut[i] = iOut++;
    }else{
      pCur->aiOut[i] = -1;
    }
  }
}

/*
** Parked plans. An application that runs several query shapes on one table
** in turn (by id, then by slug) would have its cursor re-parse a plan and
** change statements at every filter. So a cursor leaving a plan parks it
** (its parsed header and its statement) in a short most-recent-first list,
** and takes a parked one back when its plan comes again.
*/

/* Swap the plans (not the scan state) of cursors a and b. */
static void sdPlanSwap(SdVtab *p, SdCursor *a, SdCursor *b){
  int i, n = a->nArg>b->nArg ? a->nArg : b->nArg;
#define SD_SWAP(T, f) { T t_ = a->f; a->f = b->f; b->f = t_; }
  SD_SWAP(SdStmt*, pS);
  SD_SWAP(const char*, zPlan);
  SD_SWAP(const char*, zSql);
  SD_SWAP(int, nArg);
  SD_SWAP(unsigned int, mIn);
  SD_SWAP(int, bCheck);
  SD_SWAP(unsigned int, mDrop);
  SD_SWAP(int, iHint);
  SD_SWAP(int, bUpdate);
  SD_SWAP(char*, zPlanCopy);
  for(i=0; i<n; i++){
    SD_SWAP(char, aFlag[i]);
    SD_SWAP(int, aStart[i]);
    SD_SWAP(int, aEnd[i]);
    SD_SWAP(int, aLeft[i]);
  }
  for(i=0; i<p->nCol; i++) SD_SWAP(int, aiOut[i]);
#undef SD_SWAP
}

/* A cursor with no plan, for the parked list. */
static SdCursor *sdCursorNew(SdVtab *p){
  SdCursor *pCur = sqlite3_malloc64(sizeof(*pCur) + sizeof(int)*(p->nCol+1));
  if( pCur==0 ) return 0;
  memset(pCur, 0, sizeof(*pCur));
  pCur->aiOut = (int*)&pCur[1];
  pCur->nOut = p->nCol+1;
  pCur->iHint = -1;
  pCur->bReset = 1;
  pCur->bEof = 1;
  return pCur;
}

/*
** pCur is to run the plan idxStr. Take it back from the parked list, if it
** is there, parking the cursor's own plan in its place. Returns 1 if found.
*/
static int sdUnpark(SdVtab *p, SdCursor *pCur, const char *idxStr){
  SdCursor **pp;
  for(pp=&p->pParked; *pp; pp=&(*pp)->pNextParked){
    SdCursor *q = *pp;
    if( strcmp(q->zPlanCopy, idxStr)==0 ){
      if( q->pS ) sdUnkeep(q->pS);
      sdPlanSwap(p, pCur, q);
      *pp = q->pNextParked;
      if( q->zPlanCopy ){
        q->pNextParked = p->pParked;     /* now holds pCur's old plan */
        p->pParked = q;
        if( q->pS ) sdKeep(q->pS, q);
      }else{
        p->nParked--;
        sdCursorFree(p, q);
      }
      return 1;
    }
  }
  return 0;
}

/* Park the plan of pCur (reset), leaving the cursor without one. */
static void sdPark(SdVtab *p, SdCursor *pCur){
  SdCursor *q;
  if( p->nParked>=SD_PARKED_MAX ){
    /* Reuse the least recent. */
    SdCursor **pp = &p->pParked;
    while( (*pp)->pNextParked ) pp = &(*pp)->pNextParked;
    q = *pp;
    *pp = 0;
    p->nParked--;
    if( q->pS ){ sdPoolPut(p, q->pS); q->pS = 0; }
    sqlite3_free(q->zPlanCopy);
    q->zPlanCopy = 0;
  }else{
    q = sdCursorNew(p);
    if( q==0 ) return;         /* then the plan is simply dropped */
  }
  sdPlanSwap(p, pCur, q);
  q->pNextParked = p->pParked;
  p->pParked = q;
  p->nParked++;
  if( q->pS ) sdKeep(q->pS, q);
}

int sdFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
             int argc, sqlite3_value **argv){
  SdCursor *pCur = (SdCursor*)cur;
  SdVtab *p = (SdVtab*)cur->pVtab;
  const char *zSql;
  unsigned int mDrop = 0, mIn;
  const char *aFlag = pCur->aFlag;
  const int *aStart = pCur->aStart, *aEnd = pCur->aEnd;
  int anIn[SD_MAX_ARG];
  int i, rc, nIn = 0;
  int nMaxVar;
  char *zVar = 0;

  if( idxStr!=pCur->zPlan ){
    /* The idxStr of a plan lives as long as its statement, so within one
    ** statement its address identifies it; a kept cursor (sdClose) checks
    ** its copy of the text when a statement runs again. */
    if( pCur->zPlanCopy && strcmp(pCur->zPlanCopy, idxStr)==0 ){
      pCur->zPlan = idxStr;
    }else if( sdCursorIdle(p, pCur), sdUnpark(p, pCur, idxStr) ){
      pCur->zPlan = idxStr;
    }else{
      /* A new plan, parsed from the cursor's own copy, which zSql then
      ** points into; the old one is parked. */
      if( pCur->zPlanCopy ) sdPark(p, pCur);
      if( pCur->pS ){ sdPoolPut(p, pCur->pS); pCur->pS = 0; }
      sqlite3_free(pCur->zPlanCopy);
      pCur->zPlanCopy = sqlite3_mprintf("%s", idxStr);
      if( pCur->zPlanCopy==0 ){ pCur->zPlan = 0; return SQLITE_NOMEM; }
      sdParsePlan(p, pCur, pCur->zPlanCopy, argc);
      pCur->zPlan = idxStr;
    }
  }
  if( pCur->bUpdate && p->eShow==SD_SHOW_DELETED ){
    /* The scan of an UPDATE of the trash: sdColumn lists the rows it
    ** matches, which the restores then treat as coming back together. */
    sdIdSetClear(&p->matched);
  }
  if( pCur->pS && !pCur->bCheck && !pCur->mIn ){
    /* The same statement as last time (a join's inner loop, a statement
    ** run again): rebind and go. */
    sqlite3_stmt *pStmt = pCur->pS->pStmt;
    if( !pCur->bReset ) sqlite3_reset(pStmt);
    for(i=0; i<pCur->nArg; i++){
      if( aFlag[i]=='x' || aFlag[i]=='o' ) continue;
      rc = sdBindArg(pStmt, i+1, argv[i]);
      if( rc ) return rc;
    }
    if( pCur->iHint>=0 ) return sdHintStart(pCur, argv, 0);
    return sdFirst(pCur, idxNum);
  }
  argc = pCur->nArg;
  mIn = pCur->mIn;
  zSql = pCur->zSql;
  nMaxVar = sqlite3_limit(p->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1) - argc - 1;
  for(i=0; i<argc; i++){
    if( mIn & (1u<<i) ){
      /* Whole IN list: count the values, and drop the term if any value
      ** would be compared differently by the base. */
      sqlite3_value *pV = 0;
      int n = 0, bDrop = 0;
      for(rc=sqlite3_vtab_in_first(argv[i], &pV); rc==SQLITE_OK && pV;
          rc=sqlite3_vtab_in_next(argv[i], &pV)){
        n++;
        if( sdDropTerm(aFlag[i], pV) ) bDrop = 1;
      }
      if( rc!=SQLITE_OK && rc!=SQLITE_DONE ) return rc;
      anIn[i] = n;
      if( bDrop || nIn+sdInBucket(n)>nMaxVar ){
        mDrop |= (1u<<i);      /* SQLite checks IN lists itself (omit=0) */
      }else{
        nIn += sdInBucket(n);
      }
    }else if( sdDropTerm(aFlag[i], argv[i]) ){
      mDrop |= (1u<<i);
    }
  }

  if( mIn || mDrop ){
    /* Write the variant of the SQL for these values: dropped terms cut out,
    ** IN lists expanded into ?A, ?B, ... from parameter argc+1 on. */
    sqlite3_str *s = sqlite3_str_new(p->db);
    int iPos = 0, iNext = argc+1;
    rc = SQLITE_OK;
    for(i=0; i<argc; i++){
      unsigned int m = 1u<<i;
      if( (mDrop & m)==0 && (mIn & m)==0 ) continue;
      sqlite3_str_append(s, &zSql[iPos], aStart[i]-iPos);
      iPos = aEnd[i];
      if( (mDrop & m) && pCur->aLeft[i]>0 ){
        /* A weaker term that the base can still use: not NULL. */
        sqlite3_str_append(s, &zSql[aStart[i]], 5 + pCur->aLeft[i]);
        sqlite3_str_appendall(s, " IS NOT NULL");
      }
      if( (mDrop & m)==0 ){
        /* " AND <lhs> IN (?N)": keep up to the '(' and write the list. */
        int iParen = aEnd[i]-1;
        int k, nB = sdInBucket(anIn[i]);
        while( iParen>aStart[i] && zSql[iParen]!='(' ) iParen--;
        sqlite3_str_append(s, &zSql[aStart[i]], iParen+1-aStart[i]);
        for(k=0; k<nB; k++) sqlite3_str_appendf(s, "%s?%d", k ? "," : "", iNext++);
        sqlite3_str_appendall(s, ")");
      }
    }
    sqlite3_str_appendall(s, &zSql[iPos]);
    zVar = sdMprintfStr(s, &rc);
    if( rc ) return rc;
  }

  if( pCur->pS && pCur->mDrop==mDrop
   && (zVar==0 || strcmp(zVar, pCur->pS->zSql)==0) ){
    if( !pCur->bReset ) sqlite3_reset(pCur->pS->pStmt);
  }else{
    /* Another variant of the SQL: change statements. */
    SdStmt *pS = 0;
    if( pCur->pS ){ sdPoolPut(p, pCur->pS); pCur->pS = 0; }
    pCur->mDrop = mDrop;
    rc = sdPoolGet(p, zVar ? zVar : zSql, &pS);
    if( rc ){ sqlite3_free(zVar); return rc; }
    pCur->pS = pS;
  }
  sqlite3_free(zVar);

  rc = sdBindPlan(pCur, pCur->pS->pStmt, argv, anIn);
  if( rc ) return rc;
  if( pCur->iHint>=0 ) return sdHintStart(pCur, argv, anIn);
  return sdFirst(pCur, idxNum);
}

int sdEof(sqlite3_vtab_cursor *cur){
  return ((SdCursor*)cur)->bEof;
}

/*
** Buffers for the text and blob values xColumn hands to SQLite.
**
** sqlite3_result_text(..., SQLITE_TRANSIENT) makes SQLite allocate a copy of
** every value, and free it when the statement ends or the register is
** reused: for a point lookup that is most of the difference from a plain
** table, whose values point into the page. Instead the cursor copies the
** value into a buffer of this pool and hands it over with sdBufRelease()
** as the destructor, which SQLite calls, as documented, when it is done
** with the value; the buffer then goes back to the pool for the next one.
**
** Destructors run inside SQLite calls on this connection, which hold its
** mutex, as every other use of SdConn. The pool outlives the connection's
** module if a value is still out (sdBufPoolClose): the last buffer
** returned frees it.
*/
typedef struct SdBuf SdBuf;
struct SdBuf {
  SdBufPool *pPool;         /* Owner */
  SdBuf *pNext;             /* Next free buffer */
  sqlite3_int64 nAlloc;     /* Bytes of data that follow this header */
};
struct SdBufPool {
  SdBuf *pFree;             /* Free buffers */
  int nFree;                /* Number of them */
  int nOut;                 /* Buffers held by SQLite */
  int bClosed;              /* The connection's module is gone */
};
#define SD_BUF_KEEP   8     /* Most free buffers kept */
#define SD_BUF_BIG    4096  /* Larger buffers are not kept */
#define SD_BUF_MIN    240   /* Smallest data size allocated */

SdBufPool *sdBufPoolNew(void){
  SdBufPool *pPool = sqlite3_malloc(sizeof(*pPool));
  if( pPool ) memset(pPool, 0, sizeof(*pPool));
  return pPool;
}

static void sdBufPoolEmpty(SdBufPool *pPool){
  while( pPool->pFree ){
    SdBuf *b = pPool->pFree;
    pPool->pFree = b->pNext;
    sqlite3_free(b);
  }
  pPool->nFree = 0;
}

void sdBufPoolClose(SdBufPool *pPool){
  if( pPool==0 ) return;
  sdBufPoolEmpty(pPool);
  if( pPool->nOut==0 ){
    sqlite3_free(pPool);
  }else{
    pPool->bClosed = 1;
  }
}

/* The destructor SQLite calls for a value of the pool. */
static void sdBufRelease(void *pData){
  SdBuf *b = ((SdBuf*)pData) - 1;
  SdBufPool *pPool = b->pPool;
  pPool->nOut--;
  if( pPool->bClosed || pPool->nFree>=SD_BUF_KEEP || b->nAlloc>SD_BUF_BIG ){
    sqlite3_free(b);
    if( pPool->bClosed && pPool->nOut==0 ) sqlite3_free(pPool);
  }else{
    b->pNext = pPool->pFree;
    pPool->pFree = b;
    pPool->nFree++;
  }
}

/* A buffer of at least n bytes, or NULL if out of memory. */
static char *sdBufGet(SdBufPool *pPool, sqlite3_int64 n){
  SdBuf **pp, *b;
  for(pp=&pPool->pFree; (b = *pp)!=0; pp=&b->pNext){
    if( b->nAlloc>=n ){
      *pp = b->pNext;
      pPool->nFree--;
      break;
    }
  }
  if( b==0 ){
    sqlite3_int64 nAlloc = n<SD_BUF_MIN ? SD_BUF_MIN : n;
    b = sqlite3_malloc64(sizeof(SdBuf) + nAlloc);
    if( b==0 ) return 0;
    b->pPool = pPool;
    b->nAlloc = nAlloc;
  }
  pPool->nOut++;
  return (char*)&b[1];
}

/*
** sdColumn for text (bText) or a blob of the first row after xOpen of a
** plan that expects one or two rows: the registers SQLite passes hold no
** memory yet, so SQLITE_TRANSIENT would allocate. Given a buffer of the
** pool instead, SQLite keeps it until it is done (sdBufRelease).
*/
static SD_NOINLINE int sdColumnPooled(sqlite3_context *ctx, SdVtab *p,
                                          const void *z, int n, int bText){
  char *zCopy = sdBufGet(p->pConn->pBufs, (i64)n + bText);
  if( zCopy==0 ) return SQLITE_NOMEM;
  memcpy(zCopy, z, (size_t)n + bText);
  if( !bText ){
    sqlite3_result_blob(ctx, zCopy, n, sdBufRelease);
  }else if( p->bUtf8==SD_UTF8_ZT ){
    sqlite3_result_text64(ctx, zCopy, (sqlite3_uint64)n, sdBufRelease,
                          SQLITE_UTF8_ZT);
  }else{
    sqlite3_result_text(ctx, zCopy, (int)strlen(zCopy)==n ? -1 : n,
                        sdBufRelease);
  }
  return SQLITE_OK;
}

int sdColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  SdCursor *pCur = (SdCursor*)cur;
  sqlite3_value *pVal;
  int iOut;
  if( pCur->bUpdate && sqlite3_vtab_nochange(ctx) ){
    /* UPDATE: unchanged. An UPDATE of the trash notes the row it matched. */
    SdVtab *p = (SdVtab*)cur->pVtab;
    if( p->eShow==SD_SHOW_DELETED ){
      sqlite_int64 iRowid = 0;
      int rc = sdRowid(cur, &iRowid);
      return rc ? rc : sdIdSetAdd(&p->matched, iRowid);
    }
    return SQLITE_OK;
  }
  iOut = pCur->aiOut[i];
  if( iOut<0 ){
    /* The hidden marker of a live table reads the live value (NULL), the
    ** hidden actor NULL. */
    SdVtab *p = (SdVtab*)cur->pVtab;
    if( i==p->iMarker && p->pLiveVal ) sqlite3_result_value(ctx, p->pLiveVal);
    return SQLITE_OK;
  }
  if( pCur->iRow<pCur->nSkip ){
    /* A stand-in row of the OFFSET hint, read after all. */
    int rc = SQLITE_OK;
    sqlite3_stmt *pRow = sdHintRow(pCur, &rc);
    if( pRow==0 ) return rc;
    pVal = sqlite3_column_value(pRow, iOut);
  }else{
    /* One call that takes the statement's mutex; sqlite3_value_* take none. */
    pVal = sqlite3_column_value(pCur->pS->pStmt, iOut);
  }
  switch( sqlite3_value_type(pVal) ){
    case SQLITE_INTEGER:
      sqlite3_result_int64(ctx, sqlite3_value_int64(pVal));
      break;
    case SQLITE_FLOAT:
      sqlite3_result_double(ctx, sqlite3_value_double(pVal));
      break;
    case SQLITE_TEXT: {
      int eText = pCur->eText;
      if( eText ){
        /* UTF-8. A column value is stored with its terminator, so
        ** value_text costs nothing. The result is marked as terminated too
        ** (length -1, or SQLITE_UTF8_ZT): otherwise a client asking for
        ** the text (sqlite3_column_text) copies it once more to add one.
        ** Text with an embedded NUL keeps its length. */
        const char *z = (const char*)sqlite3_value_text(pVal);
        int n = sqlite3_value_bytes(pVal);
        if( z==0 ) return SQLITE_NOMEM;
        if( eText==SD_UTF8_ZT ){
          sqlite3_result_text64(ctx, z, (sqlite3_uint64)n, SQLITE_TRANSIENT,
                                SQLITE_UTF8_ZT);
        }else if( eText==1 ){
          sqlite3_result_text(ctx, z, (int)strlen(z)==n ? -1 : n,
                              SQLITE_TRANSIENT);
        }else{
          return sdColumnPooled(ctx, (SdVtab*)cur->pVtab, z, n, 1);
        }
      }else{
        const unsigned char *z = sqlite3_value_text(pVal);
        if( z==0 ) return SQLITE_NOMEM;
        sqlite3_result_text(ctx, (const char*)z, sqlite3_value_bytes(pVal),
                            SQLITE_TRANSIENT);
      }
      break;
    }
    case SQLITE_BLOB: {
      const void *z = sqlite3_value_blob(pVal);
      int n = sqlite3_value_bytes(pVal);
      if( n==0 ){
        sqlite3_result_zeroblob(ctx, 0);   /* x'': not NULL */
      }else if( pCur->eText==SD_TEXT_POOL ){
        return sdColumnPooled(ctx, (SdVtab*)cur->pVtab, z, n, 0);
      }else{
        sqlite3_result_blob(ctx, z, n, SQLITE_TRANSIENT);
      }
      break;
    }
    default:
      break;
  }
  return SQLITE_OK;
}

int sdRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  SdCursor *pCur = (SdCursor*)cur;
  if( pCur->iRow<pCur->nSkip ){
    int rc = SQLITE_OK;
    sqlite3_stmt *pRow = sdHintRow(pCur, &rc);
    if( pRow==0 ) return rc;
    *pRowid = sqlite3_column_int64(pRow, 0);
    return SQLITE_OK;
  }
  *pRowid = sqlite3_column_int64(pCur->pS->pStmt, 0);
  return SQLITE_OK;
}
