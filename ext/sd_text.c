/*
** sd_text.c: reading SQL text the way SQLite's tokenizer does.
**
** The extension reads SQL that others wrote: the module arguments of
** CREATE VIRTUAL TABLE (as SQLite passes them to xCreate, and as the schema
** keeps the whole statement), the WHERE clause of a partial index, and, to
** keep a database file from calling the sd_* functions, every statement in
** a schema. All of it goes through one tokenizer, sdToken(), which knows
** SQLite's white space, comments, quotes and identifiers, so that a comment
** or a quoted name means here what it means to SQLite.
*/
#include "softdelete.h"

/* Does c belong to a word (identifier, keyword, number) as SQLite sees it? */
static int sdIsWordChar(char c){
  unsigned char u = (unsigned char)c;
  return (u>='a' && u<='z') || (u>='A' && u<='Z') || (u>='0' && u<='9')
      || u=='_' || u=='$' || u>=0x80;
}

/* White space as SQLite's tokenizer knows it. */
int sdIsSpace(char c){
  return c==' ' || c=='\t' || c=='\n' || c=='\f' || c=='\r';
}

/*
** The length of the token that starts at z (z[0] is not 0), and its type in
** *peType (SD_TK_*). An unterminated comment or quote runs to the end.
*/
int sdToken(const char *z, int *peType){
  int i;
  char q;
  if( sdIsSpace(z[0]) ){
    for(i=1; sdIsSpace(z[i]); i++){}
    *peType = SD_TK_SPACE;
    return i;
  }
  if( z[0]=='-' && z[1]=='-' ){
    for(i=2; z[i] && z[i]!='\n'; i++){}
    *peType = SD_TK_SPACE;
    return i;
  }
  if( z[0]=='/' && z[1]=='*' ){
    for(i=2; z[i] && !(z[i]=='*' && z[i+1]=='/'); i++){}
    *peType = SD_TK_SPACE;
    return z[i] ? i+2 : i;
  }
  if( z[0]=='\'' || z[0]=='"' || z[0]=='`' ){
    q = z[0];
    for(i=1; z[i]; i++){
      if( z[i]==q ){
        if( z[i+1]!=q ){ i++; break; }
        i++;
      }
    }
    *peType = q=='\'' ? SD_TK_STRING : SD_TK_QUOTED;
    return i;
  }
  if( z[0]=='[' ){
    for(i=1; z[i] && z[i]!=']'; i++){}
    *peType = SD_TK_QUOTED;
    return z[i] ? i+1 : i;
  }
  if( sdIsWordChar(z[0]) ){
    for(i=1; sdIsWordChar(z[i]); i++){}
    *peType = SD_TK_WORD;
    return i;
  }
  *peType = SD_TK_PUNCT;
  return 1;
}

/*
** The next token of z[*pi..n) that is not white space or a comment: its
** start in *piTok, its length in *pnTok, its type returned (0 at the end).
** *pi moves past it.
*/
int sdNextToken(const char *z, int n, int *pi, int *piTok, int *pnTok){
  while( *pi<n ){
    int eType, nTok = sdToken(&z[*pi], &eType);
    if( *pi+nTok>n ) nTok = n-*pi;
    *piTok = *pi;
    *pnTok = nTok;
    *pi += nTok;
    if( eType!=SD_TK_SPACE ) return eType;
  }
  return 0;
}

/*
** Copy the n bytes at z, removing surrounding white space and one level of
** SQL quoting ('x', "x", `x`, [x]). Returns NULL on OOM.
*/
char *sdDequote(const char *z, int n){
  char *zOut;
  int i, j;
  while( n>0 && sdIsSpace(z[0]) ){ z++; n--; }
  while( n>0 && sdIsSpace(z[n-1]) ) n--;
  zOut = sqlite3_malloc64((sqlite3_uint64)n+1);
  if( zOut==0 ) return 0;
  if( n>=2 && (z[0]=='\'' || z[0]=='"' || z[0]=='`' || z[0]=='[') ){
    char q = z[0]=='[' ? ']' : z[0];
    if( z[n-1]==q ){
      for(i=1, j=0; i<n-1; i++){
        zOut[j++] = z[i];
        if( z[i]==q && q!=']' && i+1<n-1 && z[i+1]==q ) i++;
      }
      zOut[j] = 0;
      return zOut;
    }
  }
  memcpy(zOut, z, n);
  zOut[n] = 0;
  return zOut;
}

/*
** Is the token z[0..n) the word or name zWord (ASCII case folded), however
** it is quoted? Compared in place: no allocation that could fail and be
** taken for "no".
*/
static int sdTokenIs(const char *z, int n, int eType, const char *zWord){
  int i, j;
  char q;
  if( eType==SD_TK_WORD ){
    return (int)strlen(zWord)==n && sqlite3_strnicmp(z, zWord, n)==0;
  }
  if( eType!=SD_TK_QUOTED || n<2 ) return 0;
  q = z[0]=='[' ? ']' : z[0];
  if( z[n-1]!=q ) return 0;
  for(i=1, j=0; i<n-1; i++, j++){
    char c = z[i];
    if( c==q && q!=']' ) i++;             /* a doubled quote is one */
    if( zWord[j]==0 ) return 0;
    if( sqlite3_strnicmp(&c, &zWord[j], 1)!=0 ) return 0;
  }
  return zWord[j]==0;
}

/* Is the token the bare keyword zWord (a quoted one is a name)? */
static int sdIsKeyword(const char *z, int n, int eType, const char *zWord){
  return eType==SD_TK_WORD && sdTokenIs(z, n, eType, zWord);
}

/*
** The value of a module argument after its '=', or all of it: white space
** and comments between tokens fold into one space, and a value that is one
** quoted token is dequoted. Returns NULL on OOM.
*/
char *sdArgText(const char *z, int n){
  sqlite3_str *s = sqlite3_str_new(0);
  int i = 0, iTok, nTok, eType, nToken = 0, iEnd = -1, rc = SQLITE_OK;
  int iFirst = 0, nFirst = 0;
  while( (eType = sdNextToken(z, n, &i, &iTok, &nTok))!=0 ){
    if( nToken==0 ){ iFirst = iTok; nFirst = nTok; }
    if( iEnd>=0 && iTok>iEnd ) sqlite3_str_appendchar(s, 1, ' ');
    sqlite3_str_append(s, &z[iTok], nTok);
    iEnd = iTok+nTok;
    nToken++;
  }
  if( nToken<=1 ){
    sqlite3_free(sqlite3_str_finish(s));
    return sdDequote(&z[iFirst], nFirst);
  }
  return sdMprintfStr(s, &rc);
}

/*
** Split module argument z at its first '=' outside quotes and comments:
** *pbEq says whether there is one; *pzKey is the key when it is exactly one
** name (else NULL) and *pzValue the value (sdArgText). SQLITE_NOMEM on OOM.
*/
int sdArgSplit(const char *z, char **pzKey, char **pzValue, int *pbEq){
  int n = (int)strlen(z), i = 0, iTok, nTok, eType;
  int nKey = 0, iKey = 0, nKeyLen = 0, eKey = 0;
  *pzKey = *pzValue = 0;
  *pbEq = 0;
  while( (eType = sdNextToken(z, n, &i, &iTok, &nTok))!=0 ){
    if( eType==SD_TK_PUNCT && z[iTok]=='=' ){
      *pbEq = 1;
      if( nKey==1 && eKey!=SD_TK_PUNCT ){
        *pzKey = sdDequote(&z[iKey], nKeyLen);
        if( *pzKey==0 ) return SQLITE_NOMEM;
      }
      *pzValue = sdArgText(&z[i], n-i);
      if( *pzValue==0 ){ sqlite3_free(*pzKey); *pzKey = 0; return SQLITE_NOMEM; }
      return SQLITE_OK;
    }
    if( nKey++==0 ){ iKey = iTok; nKeyLen = nTok; eKey = eType; }
  }
  return SQLITE_OK;
}

/*
** The base-table argument: one name, bare or quoted. *pzName is NULL when
** the argument is not a single name; *pbDot is set when it holds a '.'
** (schema.table) outside quotes.
*/
int sdArgName(const char *z, char **pzName, int *pbDot){
  int n = (int)strlen(z), i = 0, iTok, nTok, eType, nToken = 0, iName = 0, nName = 0;
  *pzName = 0;
  *pbDot = 0;
  while( (eType = sdNextToken(z, n, &i, &iTok, &nTok))!=0 ){
    if( eType==SD_TK_PUNCT && z[iTok]=='.' ) *pbDot = 1;
    if( nToken==0 && eType!=SD_TK_PUNCT ){ iName = iTok; nName = nTok; }
    nToken++;
  }
  if( nToken!=1 || nName==0 ) return SQLITE_OK;
  *pzName = sdDequote(&z[iName], nName);
  return *pzName ? SQLITE_OK : SQLITE_NOMEM;
}

/*
** Split a CREATE VIRTUAL TABLE statement as stored in the schema. On success
** *pzModule is the module name and *pazArg holds *pnArg argument strings (one
** allocation), each the text from its first token to its last, as SQLite
** passes module arguments to xCreate. SQLITE_ERROR if zSql is not a
** CREATE VIRTUAL TABLE statement. With pnArg NULL, only that is checked.
*/
int sdSplitCreate(const char *zSql, int *pnArg, char ***pazArg, char **pzModule){
  int n = (int)strlen(zSql), i = 0, iTok, nTok, eType, nArg = 0, depth = 0;
  int iFirst = -1, iLast = 0;
  char **azArg, *zOut;
  if( pnArg ){ *pnArg = 0; *pazArg = 0; *pzModule = 0; }
  eType = sdNextToken(zSql, n, &i, &iTok, &nTok);
  if( !sdIsKeyword(&zSql[iTok], nTok, eType, "create") ) return SQLITE_ERROR;
  eType = sdNextToken(zSql, n, &i, &iTok, &nTok);
  if( !sdIsKeyword(&zSql[iTok], nTok, eType, "virtual") ) return SQLITE_ERROR;
  /* The first bare USING: a table named "using" must be quoted. */
  while( (eType = sdNextToken(zSql, n, &i, &iTok, &nTok))!=0 ){
    if( sdIsKeyword(&zSql[iTok], nTok, eType, "using") ) break;
  }
  if( eType==0 ) return SQLITE_ERROR;
  eType = sdNextToken(zSql, n, &i, &iTok, &nTok);
  if( eType!=SD_TK_WORD && eType!=SD_TK_QUOTED && eType!=SD_TK_STRING ){
    return SQLITE_ERROR;
  }
  if( pnArg==0 ) return SQLITE_OK;      /* only asked: is it one? */
  *pzModule = sdDequote(&zSql[iTok], nTok);
  if( *pzModule==0 ) return SQLITE_NOMEM;
  eType = sdNextToken(zSql, n, &i, &iTok, &nTok);
  if( eType!=SD_TK_PUNCT || zSql[iTok]!='(' ) return SQLITE_OK;
  azArg = sqlite3_malloc64(sizeof(char*)*(n+1) + n + 1);
  if( azArg==0 ) return SQLITE_NOMEM;
  zOut = (char*)&azArg[n+1];
  while( (eType = sdNextToken(zSql, n, &i, &iTok, &nTok))!=0 ){
    char c = eType==SD_TK_PUNCT ? zSql[iTok] : 0;
    if( depth==0 && (c==',' || c==')') ){
      if( iFirst>=0 || c==',' || nArg>0 ){
        int nA = iFirst>=0 ? iLast-iFirst : 0;
        azArg[nArg++] = zOut;
        if( nA ) memcpy(zOut, &zSql[iFirst], nA);
        zOut += nA;
        *zOut++ = 0;
      }
      iFirst = -1;
      if( c==')' ) break;
      continue;
    }
    if( c=='(' ) depth++;
    if( c==')' ) depth--;
    if( iFirst<0 ) iFirst = iTok;
    iLast = iTok+nTok;
  }
  *pnArg = nArg;
  *pazArg = azArg;
  return SQLITE_OK;
}

/*
** The WHERE clause of a CREATE INDEX statement: a new string holding what
** follows the top-level WHERE keyword, or NULL if there is none (or on OOM,
** which sets *pRc).
*/
char *sdFindWhere(const char *zSql, int *pRc){
  int n, i = 0, iTok, nTok, eType, depth = 0;
  if( zSql==0 ) return 0;
  n = (int)strlen(zSql);
  while( (eType = sdNextToken(zSql, n, &i, &iTok, &nTok))!=0 ){
    if( eType==SD_TK_PUNCT && zSql[iTok]=='(' ) depth++;
    if( eType==SD_TK_PUNCT && zSql[iTok]==')' ) depth--;
    if( depth==0 && sdIsKeyword(&zSql[iTok], nTok, eType, "where") ){
      char *z = sqlite3_mprintf("%s", &zSql[i]);
      if( z==0 ) *pRc = SQLITE_NOMEM;
      return z;
    }
  }
  return 0;
}

/*
** Is zWhere the WHERE clause of an index over live rows: "<marker> IS NULL"
** (or ISNULL), the marker quoted any way SQLite allows or not at all, with
** any white space, comments and parentheses around?
*/
static int sdIsNullTest(const char *zWhere, const char *zCol, int bNot){
  int n, i = 0, iTok = 0, nTok = 0, eType, nOpen = 0;
  if( zWhere==0 ) return 0;
  n = (int)strlen(zWhere);
  while( (eType = sdNextToken(zWhere, n, &i, &iTok, &nTok))==SD_TK_PUNCT
      && zWhere[iTok]=='(' ){
    nOpen++;
  }
  if( !sdTokenIs(&zWhere[iTok], nTok, eType, zCol) ) return 0;
  eType = sdNextToken(zWhere, n, &i, &iTok, &nTok);
  if( !sdIsKeyword(&zWhere[iTok], nTok, eType, bNot ? "notnull" : "isnull") ){
    if( sdIsKeyword(&zWhere[iTok], nTok, eType, "is") ){
      eType = sdNextToken(zWhere, n, &i, &iTok, &nTok);
    }else if( !bNot ){
      return 0;
    }
    if( bNot ){
      if( !sdIsKeyword(&zWhere[iTok], nTok, eType, "not") ) return 0;
      eType = sdNextToken(zWhere, n, &i, &iTok, &nTok);
    }
    if( !sdIsKeyword(&zWhere[iTok], nTok, eType, "null") ) return 0;
  }
  while( (eType = sdNextToken(zWhere, n, &i, &iTok, &nTok))==SD_TK_PUNCT
      && zWhere[iTok]==')' && nOpen>0 ){
    nOpen--;
  }
  return eType==0 && nOpen==0;
}

/*
** With a live value other than NULL: is zWhere "<marker> IS <zLiveSql>",
** the literal spelt as the extension spells it (so that SQLite, which
** compares the two expressions as written, uses the index for the queries
** the extension generates)?
*/
int sdIsLiveWhere(const char *zWhere, const char *zMarker, const char *zLiveSql){
  int n, i = 0, iTok = 0, nTok = 0, eType, nOpen = 0, nLit, j = 0;
  if( zLiveSql==0 || sqlite3_stricmp(zLiveSql, "NULL")==0 ){
    return sdIsNullTest(zWhere, zMarker, 0);
  }
  if( zWhere==0 ) return 0;
  n = (int)strlen(zWhere);
  nLit = (int)strlen(zLiveSql);
  while( (eType = sdNextToken(zWhere, n, &i, &iTok, &nTok))==SD_TK_PUNCT
      && zWhere[iTok]=='(' ){
    nOpen++;
  }
  if( !sdTokenIs(&zWhere[iTok], nTok, eType, zMarker) ) return 0;
  eType = sdNextToken(zWhere, n, &i, &iTok, &nTok);
  if( !sdIsKeyword(&zWhere[iTok], nTok, eType, "is") ) return 0;
  /* The literal's tokens, then only closing parentheses. */
  while( j<nLit && (eType = sdNextToken(zWhere, n, &i, &iTok, &nTok))!=0 ){
    if( nTok>nLit-j || memcmp(&zWhere[iTok], &zLiveSql[j], nTok)!=0 ) return 0;
    j += nTok;
  }
  if( j<nLit ) return 0;
  while( (eType = sdNextToken(zWhere, n, &i, &iTok, &nTok))==SD_TK_PUNCT
      && zWhere[iTok]==')' && nOpen>0 ){
    nOpen--;
  }
  return eType==0 && nOpen==0;
}

/*
** The value of option live= in module argument z (after its '='), checked
** and written as an SQL literal: NULL, an integer or real with an optional
** sign, or a quoted text ('x'). *pzSql is set to it, or left NULL if the
** value is none of these. Returns SQLITE_NOMEM on OOM.
*/
int sdArgLiteral(const char *z, char **pzSql){
  int n = (int)strlen(z), i = 0, iTok, nTok, eType, bEq = 0, k;
  int nDigit = 0, bDot = 0, bExp = 0, bOk = 1, iEnd = -1, bSign = 0;
  sqlite3_str *s = sqlite3_str_new(0);
  char *zOut;
  *pzSql = 0;
  while( (eType = sdNextToken(z, n, &i, &iTok, &nTok))!=0 ){
    if( !bEq ){
      bEq = eType==SD_TK_PUNCT && z[iTok]=='=';
      continue;
    }
    if( eType==SD_TK_STRING ){
      /* A quoted text, alone: re-quoted the one way. */
      char *zText = sdDequote(&z[iTok], nTok);
      if( zText==0 || sqlite3_str_length(s)>0
       || sdNextToken(z, n, &i, &iTok, &nTok)!=0 ){
        bOk = zText!=0 ? 0 : -1;
      }else{
        sqlite3_str_appendf(s, "%Q", zText);
      }
      sqlite3_free(zText);
      break;
    }
    /* One number: white space or a comment only after its sign. */
    if( (eType!=SD_TK_WORD && eType!=SD_TK_PUNCT)
     || (iEnd>=0 && iTok>iEnd && !bSign) ){
      bOk = 0;
      break;
    }
    bSign = iEnd<0 && eType==SD_TK_PUNCT && (z[iTok]=='-' || z[iTok]=='+');
    iEnd = iTok+nTok;
    sqlite3_str_append(s, &z[iTok], nTok);
  }
  k = sqlite3_str_errcode(s);
  zOut = sqlite3_str_finish(s);
  if( bOk<0 || k ){
    sqlite3_free(zOut);
    return SQLITE_NOMEM;
  }
  if( zOut==0 ) return SQLITE_OK;       /* nothing after the '=' */
  if( bOk && sqlite3_stricmp(zOut, "NULL")==0 ){
    *pzSql = zOut;
    memcpy(zOut, "NULL", 4);
    return SQLITE_OK;
  }
  if( bOk && zOut && zOut[0]=='\'' ){
    *pzSql = zOut;
    return SQLITE_OK;
  }
  /* A number: [+-] digits [. digits] [e [+-] digits], or [+-] . digits ... */
  k = 0;
  if( bOk && zOut && (zOut[0]=='-' || zOut[0]=='+') ) k = 1;
  for(; bOk && zOut && zOut[k]; k++){
    char c = zOut[k];
    if( c>='0' && c<='9' ){
      nDigit++;
    }else if( c=='.' && !bDot && !bExp ){
      bDot = 1;
    }else if( (c=='e' || c=='E') && nDigit>0 && !bExp ){
      bExp = 1;
      nDigit = 0;
      if( zOut[k+1]=='-' || zOut[k+1]=='+' ) k++;
    }else{
      bOk = 0;
    }
  }
  if( bOk && zOut && nDigit>0 ){
    /* One spelling of each value, so that two texts compare: no '+', and
    ** an integer without leading zeros (nor a sign on 0). */
    if( zOut[0]=='+' ) memmove(zOut, zOut+1, strlen(zOut));
    if( !bDot && !bExp ){
      int iDig = zOut[0]=='-';
      while( zOut[iDig]=='0' && zOut[iDig+1] ){
        memmove(&zOut[iDig], &zOut[iDig+1], strlen(&zOut[iDig]));
      }
      if( strcmp(zOut, "-0")==0 ) memmove(zOut, zOut+1, 2);
    }
    *pzSql = zOut;
  }else{
    sqlite3_free(zOut);
  }
  return SQLITE_OK;
}

/* Is zWhere "zCol IS NOT NULL" (or NOTNULL, NOT NULL), however written? */
int sdIsNotNullWhere(const char *zWhere, const char *zCol){
  return sdIsNullTest(zWhere, zCol, 1);
}

/*
** Does zSql call one of the functions azName[0..nName) (a name, however
** quoted, followed by "(")? Returns the index of the first one found, or -1.
*/
int sdFindCall(const char *zSql, const char *const *azName, int nName){
  int n, i = 0, iTok, nTok, eType, k;
  int iPrev = -1;            /* index in azName of the previous token, or -1 */
  if( zSql==0 ) return -1;
  n = (int)strlen(zSql);
  while( (eType = sdNextToken(zSql, n, &i, &iTok, &nTok))!=0 ){
    if( iPrev>=0 && eType==SD_TK_PUNCT && zSql[iTok]=='(' ) return iPrev;
    iPrev = -1;
    if( eType!=SD_TK_WORD && eType!=SD_TK_QUOTED ) continue;
    for(k=0; k<nName; k++){
      if( sdTokenIs(&zSql[iTok], nTok, eType, azName[k]) ){ iPrev = k; break; }
    }
  }
  return -1;
}

/* Is zSql a CREATE TABLE statement ending in WITHOUT ROWID? */
int sdIsWithoutRowid(const char *zSql){
  int n, i = 0, iTok, nTok, eType, depth = 0, bWithout = 0;
  if( zSql==0 ) return 0;
  n = (int)strlen(zSql);
  while( (eType = sdNextToken(zSql, n, &i, &iTok, &nTok))!=0 ){
    if( eType==SD_TK_PUNCT && zSql[iTok]=='(' ) depth++;
    if( eType==SD_TK_PUNCT && zSql[iTok]==')' ) depth--;
    if( depth==0 ){
      if( bWithout && sdIsKeyword(&zSql[iTok], nTok, eType, "rowid") ) return 1;
      bWithout = sdIsKeyword(&zSql[iTok], nTok, eType, "without");
    }
  }
  return 0;
}
