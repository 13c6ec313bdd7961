// Command check forms a 3-node dqlite cluster of sd-node processes on
// 127.0.0.1, runs softdelete's features through go-dqlite's database/sql
// driver, kills the leader, and checks that the new leader has every
// committed row and operation, that an operation done on the dead leader can
// be undone on the new one, and that the old node, restarted, catches up.
//
//	check -node PATH -bare PATH -dir DIR [-latency MS] [-timeout DURATION]
//
// Every wait is bounded. It prints one line per check, and the figures:
// the failover time (from SIGKILL of the leader to the first write the
// cluster commits), the rows and operations compared. Run by run.sh.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/canonical/go-dqlite/client"
	"github.com/canonical/go-dqlite/driver"
	_ "github.com/mattn/go-sqlite3"
)

// node is one sd-node process.
type node struct {
	id   uint64
	addr string
	dir  string
	bin  string // the program: sd-node, or bare-node (without softdelete)
	cmd  *exec.Cmd
	done chan struct{}
}

var (
	nodeBin = flag.String("node", "", "the sd-node program")
	bareBin = flag.String("bare", "", "sd-node built without softdelete")
	workDir = flag.String("dir", "", "a directory for the nodes' data")
	latency = flag.Int("latency", 20, "network latency given to the nodes, ms")
	limit   = flag.Duration("timeout", 200*time.Second, "fail if not done by then")

	nChecks int
	nodes   []*node
)

// failing lets one goroutine report and exit; any other waits for that.
var failing sync.Mutex

func fail(format string, a ...interface{}) {
	failing.Lock()
	fmt.Fprintf(os.Stderr, "dqlite check FAILED: "+format+"\n", a...)
	for _, n := range nodes {
		n.stop(syscall.SIGKILL)
		if b, err := os.ReadFile(n.dir + ".log"); err == nil && len(b) > 0 {
			fmt.Fprintf(os.Stderr, "--- node %d log ---\n%s", n.id, b)
		}
	}
	os.Exit(1)
}

func ok(format string, a ...interface{}) {
	nChecks++
	fmt.Printf("ok %d - "+format+"\n", append([]interface{}{nChecks}, a...)...)
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

// freeAddr returns a loopback address nobody listens on now.
func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(err, "listen")
	defer l.Close()
	return l.Addr().String()
}

// start runs the node and waits (10 s at most) for its "ready" line. The
// node dies with the checker (Pdeathsig), whatever ends the checker.
func (n *node) start() error {
	log, err := os.OpenFile(n.dir+".log", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0644)
	must(err, "node log")
	r, w, err := os.Pipe()
	must(err, "pipe")
	n.cmd = exec.Command(n.bin, fmt.Sprint(n.id), n.addr, n.dir, fmt.Sprint(*latency))
	n.cmd.Stdout = w
	n.cmd.Stderr = log
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = n.cmd.Start()
	w.Close()
	must(err, "start node")
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		ready <- line
		io.Copy(io.Discard, r)
		r.Close()
	}()
	n.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		cmd.Wait()
		log.Close()
		close(done)
	}(n.cmd, n.done)
	select {
	case line := <-ready:
		want := fmt.Sprintf("ready %d %s", n.id, n.addr)
		if strings.TrimSpace(line) != want {
			<-n.done
			return fmt.Errorf("node %d said %q, not %q", n.id, line, want)
		}
	case <-time.After(10 * time.Second):
		return fmt.Errorf("node %d not ready after 10 s", n.id)
	}
	return nil
}

// stop sends sig and waits 10 s at most; then SIGKILL.
func (n *node) stop(sig syscall.Signal) {
	if n.cmd == nil || n.done == nil {
		return
	}
	select {
	case <-n.done:
		return
	default:
	}
	n.cmd.Process.Signal(sig)
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
	}
}

func ctxFor(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// queryInt runs a one-value query through q.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...interface{}) *sql.Row
}

func queryInt(q querier, query string, args ...interface{}) int64 {
	ctx, cancel := ctxFor(10 * time.Second)
	defer cancel()
	var v int64
	must(q.QueryRowContext(ctx, query, args...).Scan(&v), query)
	return v
}

func queryText(q querier, query string, args ...interface{}) sql.NullString {
	ctx, cancel := ctxFor(10 * time.Second)
	defer cancel()
	var v sql.NullString
	must(q.QueryRowContext(ctx, query, args...).Scan(&v), query)
	return v
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...interface{}) (sql.Result, error)
}

func exec1(e execer, query string, args ...interface{}) int64 {
	ctx, cancel := ctxFor(10 * time.Second)
	defer cancel()
	r, err := e.ExecContext(ctx, query, args...)
	must(err, query)
	n, err := r.RowsAffected()
	must(err, "rows affected")
	return n
}

func expectInt(q querier, want int64, what, query string, args ...interface{}) {
	got := queryInt(q, query, args...)
	if got != want {
		fail("%s: %s gave %d, want %d", what, query, got, want)
	}
	ok("%s (%d)", what, got)
}

func expectErr(err error, want, what string) {
	if err == nil {
		fail("%s: no error, want %q", what, want)
	}
	// A softdelete message is compared whole; SQLite's own by its start.
	if err.Error() != want && (strings.HasPrefix(want, "softdelete:") ||
		!strings.HasPrefix(err.Error(), want)) {
		fail("%s: error %q, want %q", what, err.Error(), want)
	}
	ok("%s: %s", what, err.Error())
}

var baseTables = []string{"authors_data", "posts_data", "comments_data"}

// snapshot is every row of the base tables, every column quoted (deletion
// times, operation ids and actors included), and the operation list.
type snapshot struct {
	rows, ops int
	base, opl [32]byte
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...interface{}) (*sql.Rows, error)
}

func hashRows(q queryer, query string) ([32]byte, int) {
	ctx, cancel := ctxFor(20 * time.Second)
	defer cancel()
	rows, err := q.QueryContext(ctx, query)
	must(err, query)
	defer rows.Close()
	h := sha256.New()
	n := 0
	for rows.Next() {
		var s string
		must(rows.Scan(&s), "scan")
		h.Write([]byte(s))
		h.Write([]byte{'\n'})
		n++
	}
	must(rows.Err(), query)
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, n
}

// rowQuery is "SELECT quote(a)||'|'||quote(b)... FROM t ORDER BY rowid";
// an error if the table is not there (a node's copy not caught up yet).
func rowQuery(q queryer, table string) (string, error) {
	ctx, cancel := ctxFor(10 * time.Second)
	defer cancel()
	rows, err := q.QueryContext(ctx, "SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return "", err
		}
		cols = append(cols, `quote("`+c+`")`)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(cols) == 0 {
		return "", fmt.Errorf("no table %s", table)
	}
	return "SELECT " + strings.Join(cols, "||'|'||") + " FROM " + table + " ORDER BY rowid", nil
}

func baseHash(q queryer) ([32]byte, int, error) {
	h := sha256.New()
	total := 0
	for _, t := range baseTables {
		query, err := rowQuery(q, t)
		if err != nil {
			return [32]byte{}, 0, err
		}
		sum, n := hashRows(q, query)
		h.Write(sum[:])
		total += n
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, total, nil
}

func takeSnapshot(db *sql.DB) snapshot {
	var s snapshot
	var err error
	s.base, s.rows, err = baseHash(db)
	must(err, "base tables")
	s.opl, s.ops = hashRows(db, "SELECT quote(op)||'|'||tbl||'|'||quote(deleted_at)||'|'||"+
		"quote(actor)||'|'||rows FROM sd_operations WHERE tbl IN ('authors', 'posts', 'comments') "+
		"ORDER BY op, tbl")
	return s
}

// dumpHash reads node n's own copy of the database (Dump is answered by any
// node, from its local state) with plain SQLite, and hashes the base tables.
func dumpHash(n *node, tmp string) ([32]byte, int, error) {
	ctx, cancel := ctxFor(5 * time.Second)
	defer cancel()
	cli, err := client.New(ctx, n.addr)
	if err != nil {
		return [32]byte{}, 0, err
	}
	defer cli.Close()
	files, err := cli.Dump(ctx, "app.db")
	if err != nil {
		return [32]byte{}, 0, err
	}
	os.RemoveAll(tmp)
	must(os.MkdirAll(tmp, 0755), "dump dir")
	for _, f := range files {
		must(os.WriteFile(filepath.Join(tmp, f.Name), f.Data, 0644), "write dump")
	}
	local, err := sql.Open("sqlite3", "file:"+filepath.Join(tmp, "app.db"))
	if err != nil {
		return [32]byte{}, 0, err
	}
	defer local.Close()
	return baseHash(local)
}

func leaderOf(ctx context.Context, store client.NodeStore) (*client.NodeInfo, error) {
	cli, err := client.FindLeader(ctx, store)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	return cli.Leader(ctx)
}

// currentLeader asks the cluster (10 s at most) which node leads.
func currentLeader(store client.NodeStore) *node {
	ctx, cancel := ctxFor(10 * time.Second)
	defer cancel()
	info, err := leaderOf(ctx, store)
	must(err, "leader")
	return nodeByID(info.ID)
}

// newNode starts a node of program bin on a free loopback port. A free
// port may be taken again before the node binds it: it tries another,
// three times.
func newNode(id uint64, bin string) *node {
	n := &node{id: id, addr: freeAddr(), dir: filepath.Join(*workDir, fmt.Sprintf("node%d", id)), bin: bin}
	nodes = append(nodes, n)
	for try := 1; ; try++ {
		err := n.start()
		if err == nil {
			return n
		}
		if try == 3 {
			fail("%v", err)
		}
		n.addr = freeAddr()
	}
}

// transferTo hands the lead to node id and waits (20 s at most) until the
// cluster says it leads. A transfer fails while the node is still catching
// up (a voter just added): it is asked again.
func transferTo(store client.NodeStore, id uint64) {
	ctx, cancel := ctxFor(20 * time.Second)
	defer cancel()
	var last error
	for {
		info, err := leaderOf(ctx, store)
		if err == nil && info.ID == id {
			return
		}
		if err == nil {
			var cli *client.Client
			if cli, err = client.FindLeader(ctx, store); err == nil {
				err = cli.Transfer(ctx, id)
				cli.Close()
			}
		}
		if err != nil {
			last = err
		}
		if ctx.Err() != nil {
			fail("node %d did not take the lead in 20 s (%v)", id, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func nodeByID(id uint64) *node {
	for _, n := range nodes {
		if n.id == id {
			return n
		}
	}
	fail("no node %d", id)
	return nil
}

func main() {
	flag.Parse()
	if *nodeBin == "" || *workDir == "" {
		fmt.Fprintln(os.Stderr, "usage: check -node PATH -dir DIR [-latency MS]")
		os.Exit(2)
	}
	began := time.Now()
	time.AfterFunc(*limit, func() { fail("not done after %v", *limit) })

	// ---- The cluster: node 1 bootstraps, 2 and 3 join as voters --------
	var infos []client.NodeInfo
	for id := uint64(1); id <= 3; id++ {
		n := newNode(id, *nodeBin)
		infos = append(infos, client.NodeInfo{ID: id, Address: n.addr, Role: client.Voter})
	}
	defer func() {
		for _, n := range nodes {
			n.stop(syscall.SIGTERM)
		}
	}()
	store := client.NewInmemNodeStore()
	{
		ctx, cancel := ctxFor(20 * time.Second)
		must(store.Set(ctx, infos[:1]), "store")
		cli, err := client.FindLeader(ctx, store)
		must(err, "node 1 leading")
		for _, info := range infos[1:] {
			must(cli.Add(ctx, info), fmt.Sprintf("add node %d", info.ID))
		}
		members, err := cli.Cluster(ctx)
		must(err, "cluster")
		voters := 0
		for _, m := range members {
			if m.Role == client.Voter {
				voters++
			}
		}
		if voters != 3 {
			fail("cluster has %d voters, want 3: %v", voters, members)
		}
		cli.Close()
		must(store.Set(ctx, infos), "store")
		cancel()
		ok("3 voters on 127.0.0.1 (%s, %s, %s)", nodes[0].addr, nodes[1].addr, nodes[2].addr)
	}

	drv, err := driver.New(store,
		driver.WithConnectionTimeout(3*time.Second),
		driver.WithConnectionBackoffFactor(20*time.Millisecond),
		driver.WithConnectionBackoffCap(200*time.Millisecond))
	must(err, "driver")
	sql.Register("dqlite-sd", drv)
	db, err := sql.Open("dqlite-sd", "app.db")
	must(err, "open")
	defer db.Close()

	// ---- Schema, as a migration would ----------------------------------
	for _, s := range []string{
		`CREATE TABLE authors_data(id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE TABLE posts_data(id INTEGER PRIMARY KEY,
		   author_id INTEGER NOT NULL REFERENCES authors_data(id) ON DELETE CASCADE,
		   slug TEXT NOT NULL, body TEXT)`,
		`CREATE TABLE comments_data(id INTEGER PRIMARY KEY,
		   post_id INTEGER NOT NULL REFERENCES posts_data(id) ON DELETE CASCADE,
		   body TEXT)`,
		`CREATE TABLE probe(id INTEGER PRIMARY KEY, at TEXT)`,
		`CREATE TABLE events_data(id INTEGER PRIMARY KEY, name TEXT)`,
		`CREATE TABLE notes_data(id INTEGER PRIMARY KEY,
		   event_id INTEGER NOT NULL REFERENCES events_data(id) ON DELETE CASCADE, body TEXT)`,
		`CREATE VIRTUAL TABLE events USING softdelete(events_data, guard=on)`,
		`CREATE VIRTUAL TABLE notes USING softdelete(notes_data, guard=on)`,
		`CREATE VIRTUAL TABLE authors USING softdelete(authors_data, actor=deleted_by, guard=on)`,
		`CREATE VIRTUAL TABLE posts USING softdelete(posts_data, actor=deleted_by, guard=on)`,
		`CREATE VIRTUAL TABLE comments USING softdelete(comments_data, actor=deleted_by, guard=on)`,
		`CREATE VIRTUAL TABLE authors_trash USING softdelete(authors_data, show=deleted)`,
		`CREATE VIRTUAL TABLE posts_trash USING softdelete(posts_data, show=deleted)`,
		`CREATE VIRTUAL TABLE comments_trash USING softdelete(comments_data, show=deleted)`,
	} {
		exec1(db, s)
	}
	ok("schema: 5 base tables, 5 live and 3 trash softdelete tables, guard=on")
	expectInt(db, 1, "dqlite turns foreign keys on", "PRAGMA foreign_keys")

	// A data-changing function outside a transaction would change the
	// leader alone: refused. Inside BEGIN ... COMMIT it replicates.
	_, err = db.Exec(`SELECT sd_unique('posts', 'slug')`)
	expectErr(err, refusal("sd_unique", ""), "sd_unique as exec outside a transaction is refused")
	expectInt(db, 0, "and made no index",
		`SELECT count(*) FROM sqlite_master WHERE name = 'posts_data_slug_live_unique'`)
	{
		tx, err := db.Begin()
		must(err, "begin")
		name := queryText(tx, `SELECT sd_unique('posts', 'slug')`)
		must(tx.Commit(), "commit")
		if name.String != "posts_data_slug_live_unique" {
			fail("sd_unique returned %q", name.String)
		}
		ok("sd_unique('posts', 'slug') between BEGIN and COMMIT: %s", name.String)
	}
	if v := queryText(db, `SELECT sd_unique('posts', 'slug')`); v.String != "posts_data_slug_live_unique" {
		fail("sd_unique run again gave %v", v)
	}
	ok("sd_unique run again outside a transaction: the index is there, nothing to write")

	// ---- Data: 40 authors, 400 posts, 1,600 comments --------------------
	{
		tx, err := db.Begin()
		must(err, "begin")
		for a := 1; a <= 40; a++ {
			exec1(tx, `INSERT INTO authors(id, name) VALUES (?, ?)`, a, fmt.Sprintf("author %d", a))
		}
		exec1(tx, `INSERT INTO posts(id, author_id, slug, body)
		  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<400)
		  SELECT i, (i-1)/10+1, 'post-'||i, 'body of post '||i FROM n`)
		exec1(tx, `INSERT INTO comments(id, post_id, body)
		  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<1600)
		  SELECT i, (i-1)/4+1, 'comment '||i FROM n`)
		must(tx.Commit(), "commit")
	}
	expectInt(db, 2040, "rows inserted through the live tables",
		`SELECT (SELECT count(*) FROM authors)+(SELECT count(*) FROM posts)+(SELECT count(*) FROM comments)`)
	_, err = db.Exec(`INSERT INTO posts(author_id, slug) VALUES (1, 'post-1')`)
	expectErr(err, "UNIQUE constraint failed", "a live slug stays unique")

	// ---- Soft deletes, cascades, the actor ------------------------------
	ctx := context.Background()
	alice, err := db.Conn(ctx)
	must(err, "conn")
	if v := queryText(alice, `SELECT sd_actor('alice')`); v.String != "alice" {
		fail("sd_actor gave %v", v)
	}
	n := exec1(alice, `DELETE FROM comments WHERE id = 1`)
	if n != 1 {
		fail("deleting comment 1 changed %d rows", n)
	}
	exec1(alice, `DELETE FROM authors WHERE id IN (1, 2, 3)`)
	expectInt(db, 37, "live authors after deleting 3", `SELECT count(*) FROM authors`)
	expectInt(db, 370, "their posts cascaded", `SELECT count(*) FROM posts`)
	expectInt(db, 1480, "their comments cascaded", `SELECT count(*) FROM comments`)
	expectInt(db, 120, "every deleted comment in the trash, marked alice",
		`SELECT count(*) FROM comments_trash WHERE deleted_by = 'alice'`)
	opAuthors := queryInt(db, `SELECT DISTINCT deleted_at_op FROM authors_trash`)
	expectInt(db, 152, "sd_operations: the cascade is one operation of 3+30+119 rows",
		`SELECT sum(rows) FROM sd_operations WHERE op = ?`, opAuthors)
	expectInt(db, 2, "sd_operations: two operations",
		`SELECT count(DISTINCT op) FROM sd_operations WHERE actor = 'alice'`)

	// ---- Restore by statement: the operation, without zombies ----------
	n = exec1(db, `UPDATE authors_trash SET deleted_at = NULL WHERE deleted_at_op = ?`, opAuthors)
	if n != 3 {
		fail("undoing the operation matched %d authors, want 3", n)
	}
	ok("UPDATE authors_trash SET deleted_at = NULL WHERE deleted_at_op = ? matched 3")
	expectInt(db, 2039, "the cascade came back, comment 1 (deleted before) did not",
		`SELECT (SELECT count(*) FROM authors)+(SELECT count(*) FROM posts)+(SELECT count(*) FROM comments)`)
	expectInt(db, 1, "comment 1 is still in the trash", `SELECT count(*) FROM comments_trash WHERE id = 1`)

	// sd_restore as a query outside a transaction: refused, nothing changes,
	// the leader lives on. Between BEGIN and COMMIT it works.
	// (dqlite 1.11 sends an error met on its query path after the column
	// names, so the client reads a column name as the message; sent as
	// exec, the message arrives whole.)
	_, err = queryRowErr(db, `SELECT sd_restore('comments', 1)`)
	if err == nil {
		fail("sd_restore as a query outside a transaction succeeded")
	}
	if err.Error() != "sd_restore('comments', 1)" &&
		err.Error() != refusal("sd_restore", ", or restore with an UPDATE of a show=deleted table") {
		fail("sd_restore as a query outside a transaction: error %q", err.Error())
	}
	ok("sd_restore as a query outside a transaction is refused (the message reads %q)", err.Error())
	_, err = db.Exec(`SELECT sd_restore('comments', 1)`)
	expectErr(err, refusal("sd_restore", ", or restore with an UPDATE of a show=deleted table"),
		"sd_restore as exec outside a transaction is refused")
	_, err = db.Exec(`SELECT sd_purge('comments')`)
	expectErr(err, refusal("sd_purge", ", or purge with a DELETE on a show=deleted table"),
		"sd_purge as exec outside a transaction is refused")
	expectInt(db, 1, "nothing changed", `SELECT count(*) FROM comments_trash`)
	{
		tx, err := db.Begin()
		must(err, "begin")
		if v := queryInt(tx, `SELECT sd_restore('comments', 1)`); v != 1 {
			fail("sd_restore in a transaction gave %d", v)
		}
		must(tx.Commit(), "commit")
		ok("sd_restore('comments', 1) between BEGIN and COMMIT")
	}
	expectInt(db, 1600, "comment 1 is back", `SELECT count(*) FROM comments`)
	// A function inside a write statement needs no BEGIN: the statement is
	// a write, replicated as one.
	exec1(db, `DELETE FROM comments WHERE id = 2`)
	exec1(db, `INSERT INTO probe(at) SELECT 'restored '||sd_restore('comments', 2)`)
	expectInt(db, 1, "INSERT ... SELECT sd_restore(...) restores, as a write statement",
		`SELECT count(*) FROM comments WHERE id = 2`)
	{
		tx, err := db.Begin()
		must(err, "begin")
		if v := queryInt(tx, `SELECT sd_hard_delete('comments', 3)`); v != 1 {
			fail("sd_hard_delete in a transaction gave %d", v)
		}
		must(tx.Commit(), "commit")
	}
	expectInt(db, 0, "sd_hard_delete('comments', 3) between BEGIN and COMMIT removed the row",
		`SELECT count(*) FROM comments_data WHERE id = 3`)

	// ---- Unique keys over live rows, purge by statement -----------------
	exec1(db, `DELETE FROM posts WHERE id = 400`)
	exec1(db, `INSERT INTO posts(id, author_id, slug) VALUES (401, 40, 'post-400')`)
	ok("a deleted post's slug is free again")
	_, err = db.Exec(`UPDATE posts_trash SET deleted_at = NULL WHERE id = 400`)
	expectErr(err, "softdelete: cannot restore row 400 of posts: slug='post-400' is taken by "+
		"live row 401 (unique index posts_data_slug_live_unique)",
		"restoring it while its slug is taken is refused")
	n = exec1(db, `DELETE FROM posts_trash WHERE id = 400`)
	if n != 1 {
		fail("purge changed %d rows", n)
	}
	expectInt(db, 0, "DELETE FROM posts_trash purged the post and its comments",
		`SELECT count(*) FROM posts_data WHERE id = 400`)
	expectInt(db, 0, "its comments went with it (the purge cascade)",
		`SELECT count(*) FROM comments_data WHERE post_id = 400`)

	// ---- ROLLBACK leaves no trace ---------------------------------------
	{
		tx, err := db.Begin()
		must(err, "begin")
		exec1(tx, `DELETE FROM authors WHERE id = 10`)
		must(tx.Rollback(), "rollback")
		expectInt(db, 40, "a rolled-back delete left every author", `SELECT count(*) FROM authors`)
		expectInt(db, 0, "and no trash", `SELECT count(*) FROM authors_trash`)
	}

	// Deleted rows that stay deleted across the failover: 5 authors in
	// one operation, and 30 comments one by one, half of them by alice.
	exec1(alice, `DELETE FROM authors WHERE id BETWEEN 20 AND 24`)
	for c := 1001; c <= 1030; c++ {
		if c%2 == 0 {
			exec1(alice, `DELETE FROM comments WHERE id = ?`, c)
		} else {
			exec1(db, `DELETE FROM comments WHERE id = ?`, c)
		}
	}
	expectInt(db, 31, "31 operations in the trash",
		`SELECT count(DISTINCT op) FROM sd_operations WHERE tbl IN ('authors', 'posts', 'comments')`)

	// ---- The last operation before the failover, done on the leader -----
	const liveQuery = `SELECT (SELECT count(*) FROM authors)+(SELECT count(*) FROM posts)+` +
		`(SELECT count(*) FROM comments)`
	live := queryInt(db, liveQuery)
	exec1(alice, `DELETE FROM authors WHERE id = 7`)
	opLast := queryInt(db, `SELECT deleted_at_op FROM authors_trash WHERE id = 7`)
	expectInt(db, 11+40, "author 7 deleted with 10 posts and 40 comments",
		`SELECT sum(rows) FROM sd_operations WHERE op = ?`, opLast)

	before := takeSnapshot(db)
	ok("snapshot: %d base rows, %d operation rows", before.rows, before.ops)

	// ---- Kill the leader --------------------------------------------------
	old := currentLeader(store)
	// A writer that keeps inserting events with a note and soft-deleting
	// every other one (a cascade) while the leader dies: every write the
	// cluster acknowledged must be on the new leader.
	stopWriter := make(chan struct{})
	writerDone := make(chan []event)
	go writer(db, stopWriter, writerDone)
	waitSteps(10, "before the kill")

	killed := time.Now()
	must(old.cmd.Process.Signal(syscall.SIGKILL), "kill")
	var failover time.Duration
	for {
		ctx, cancel := ctxFor(2 * time.Second)
		_, err := db.ExecContext(ctx, `INSERT INTO probe(at) VALUES ('after failover')`)
		cancel()
		if err == nil {
			failover = time.Since(killed)
			break
		}
		if time.Since(killed) > 30*time.Second {
			fail("no write committed 30 s after the leader died: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	<-old.done
	ok("leader (node %d) killed; first write committed %.2f s later", old.id, failover.Seconds())
	leader := currentLeader(store)
	if leader == old {
		fail("the dead node leads")
	}

	waitSteps(atomic.LoadInt64(&writerSteps)+10, "after the failover")
	close(stopWriter)
	events := <-writerDone
	checkEvents(db, events)

	after := takeSnapshot(db)
	if after.base != before.base || after.rows != before.rows {
		fail("new leader's base tables differ: %d rows, want %d", after.rows, before.rows)
	}
	ok("new leader (node %d) has every committed row: %d rows, times, operation ids and actors equal",
		leader.id, after.rows)
	if after.opl != before.opl || after.ops != before.ops {
		fail("new leader's sd_operations differ: %d rows, want %d", after.ops, before.ops)
	}
	ok("new leader lists the same %d operation rows", after.ops)

	// The pinned connection lived on the dead leader: its actor is gone.
	{
		ctx, cancel := ctxFor(5 * time.Second)
		var v sql.NullString
		err := alice.QueryRowContext(ctx, `SELECT sd_actor()`).Scan(&v)
		cancel()
		if err == nil {
			fail("the connection to the dead leader still answers: actor %v", v)
		}
		alice.Close()
		ok("the connection to the dead leader fails: %v", shortErr(err))
		fresh, err := db.Conn(context.Background())
		must(err, "conn")
		if v := queryText(fresh, `SELECT sd_actor()`); v.Valid {
			fail("a new connection has actor %v", v)
		}
		fresh.Close()
		ok("the driver's new connection has no actor (sd_actor is per connection: set it again)")
	}

	// Undo, on the new leader, the operation done on the dead one.
	n = exec1(db, `UPDATE authors_trash SET deleted_at = NULL WHERE deleted_at_op = ?`, opLast)
	if n != 1 {
		fail("undo matched %d, want 1", n)
	}
	expectInt(db, live, "the dead leader's last operation undone on the new leader", liveQuery)
	// A delete through the new leader, with the actor set again.
	{
		conn, err := db.Conn(context.Background())
		must(err, "conn")
		queryText(conn, `SELECT sd_actor('bob')`)
		exec1(conn, `DELETE FROM authors WHERE id = 8`)
		conn.Close()
	}
	expectInt(db, 51, "a cascade on the new leader, by bob: 1 author, 10 posts, 40 comments",
		`SELECT sum(rows) FROM sd_operations WHERE actor = 'bob'`)
	expectInt(db, 40, "bob's name on the comments it reached",
		`SELECT count(*) FROM comments_trash WHERE deleted_by = 'bob'`)

	// ---- Restart the old node: it catches up ---------------------------
	restarted := time.Now()
	must(old.start(), "restart")
	want, wantRows, err := baseHash(db)
	must(err, "base tables")
	tmp := filepath.Join(*workDir, "dump")
	for {
		got, rows, err := dumpHash(old, tmp)
		if err == nil && got == want && rows == wantRows {
			ok("restarted node %d caught up in %.2f s: its own copy has the same %d rows",
				old.id, time.Since(restarted).Seconds(), rows)
			break
		}
		if time.Since(restarted) > 30*time.Second {
			fail("node %d not caught up after 30 s (%d rows, want %d; %v)", old.id, rows, wantRows, err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Hand it the lead: it serves softdelete (the module is on every voter).
	transferTo(store, old.id)
	ok("leadership moved back to node %d", old.id)
	n = exec1(db, `UPDATE authors_trash SET deleted_at = NULL WHERE deleted_at_op =
	  (SELECT deleted_at_op FROM authors_trash WHERE id = 8)`)
	if n != 1 {
		fail("undo on node %d matched %d", old.id, n)
	}
	expectInt(db, live, "bob's operation undone through node "+fmt.Sprint(old.id), liveQuery)
	final := takeSnapshot(db)
	for _, n := range nodes {
		deadline := time.Now().Add(20 * time.Second)
		for {
			got, rows, err := dumpHash(n, tmp)
			if err == nil && got == final.base {
				break
			}
			if time.Now().After(deadline) {
				fail("node %d differs from the leader (%d rows; %v)", n.id, rows, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	ok("all 3 nodes hold the same %d rows", final.rows)

	// ---- A voter without the module ------------------------------------
	// It replicates the pages like any node; once it leads, every statement
	// on a softdelete table fails there. Then it goes, and node 1 leads.
	{
		bare := newNode(4, *bareBin)
		ctx, cancel := ctxFor(20 * time.Second)
		cli, err := client.FindLeader(ctx, store)
		must(err, "leader")
		must(cli.Add(ctx, client.NodeInfo{ID: 4, Address: bare.addr, Role: client.Voter}), "add node 4")
		cli.Close()
		must(store.Set(ctx, append(infos, client.NodeInfo{ID: 4, Address: bare.addr})), "store")
		cancel()
		transferTo(store, 4)
		_, err = db.Exec(`DELETE FROM authors WHERE id = 9`)
		expectErr(err, "no such module: softdelete",
			"node 4, a voter without the module, leads: a softdelete table fails")
		expectInt(db, int64(final.rows), "its copy of the base tables is whole",
			`SELECT (SELECT count(*) FROM authors_data)+(SELECT count(*) FROM posts_data)+`+
				`(SELECT count(*) FROM comments_data)`)
		transferTo(store, old.id)
		ctx, cancel = ctxFor(20 * time.Second)
		cli, err = client.FindLeader(ctx, store)
		must(err, "leader")
		must(cli.Remove(ctx, 4), "remove node 4")
		cli.Close()
		must(store.Set(ctx, infos), "store")
		cancel()
		bare.stop(syscall.SIGTERM)
		exec1(db, `DELETE FROM authors WHERE id = 9`)
		expectInt(db, 51, fmt.Sprintf("node 4 removed, node %d leads again: the same delete "+
			"cascades there (1 author, 10 posts, 40 comments)", old.id),
			`SELECT sum(rows) FROM sd_operations WHERE op = `+
				`(SELECT deleted_at_op FROM authors_trash WHERE id = 9)`)
	}

	fmt.Printf("dqlite: %d checks passed in %.1f s; failover %.2f s (latency setting %d ms); "+
		"%d rows and %d operation rows compared on the new leader, %d writes acknowledged "+
		"around the failover found there\n",
		nChecks, time.Since(began).Seconds(), failover.Seconds(), *latency, before.rows,
		before.ops, writesAcked)
}

// event is one writer step: what the cluster acknowledged of it.
type event struct {
	id                      int64
	inserted, noted, delete bool // acknowledged
	tried                   bool // the delete was sent
}

func writer(db *sql.DB, stop chan struct{}, done chan []event) {
	var evs []event
	try := func(query string, args ...interface{}) bool {
		ctx, cancel := ctxFor(2 * time.Second)
		defer cancel()
		_, err := db.ExecContext(ctx, query, args...)
		if err != nil {
			time.Sleep(10 * time.Millisecond)
		}
		return err == nil
	}
	for id := int64(1); ; id++ {
		select {
		case <-stop:
			done <- evs
			return
		default:
		}
		e := event{id: id}
		e.inserted = try(`INSERT INTO events(id, name) VALUES (?, ?)`, id, fmt.Sprintf("event %d", id))
		if e.inserted {
			e.noted = try(`INSERT INTO notes(id, event_id, body) VALUES (?, ?, 'note')`, id, id)
		}
		if e.inserted && e.noted && id%2 == 0 {
			e.tried = true
			e.delete = try(`DELETE FROM events WHERE id = ?`, id)
		}
		evs = append(evs, e)
		if e.inserted && e.noted && (!e.tried || e.delete) {
			atomic.AddInt64(&writerSteps, 1)
		}
	}
}

// writerSteps counts the writer's steps the cluster acknowledged whole.
var writerSteps int64

// waitSteps waits (30 s at most) until the writer has n whole steps.
func waitSteps(n int64, when string) {
	deadline := time.Now().Add(30 * time.Second)
	for atomic.LoadInt64(&writerSteps) < n {
		if time.Now().After(deadline) {
			fail("the writer made %d whole steps %s in 30 s, want %d",
				atomic.LoadInt64(&writerSteps), when, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkEvents: every acknowledged write of the writer is on the leader; an
// unacknowledged one may or may not be (it may have committed before the
// answer was lost), but a soft delete is whole or absent.
func checkEvents(db *sql.DB, evs []event) {
	acked, doubt := 0, 0
	for _, e := range evs {
		var n, notes, deleted, notesDeleted, sameOp int64
		ctx, cancel := ctxFor(10 * time.Second)
		err := db.QueryRowContext(ctx, `SELECT count(DISTINCT e.id), count(n.id),
		    count(DISTINCT e.deleted_at), count(n.deleted_at),
		    coalesce(sum(n.deleted_at_op IS e.deleted_at_op), 0)
		  FROM events_data e LEFT JOIN notes_data n ON n.event_id = e.id WHERE e.id = ?`,
			e.id).Scan(&n, &notes, &deleted, &notesDeleted, &sameOp)
		cancel()
		must(err, "events")
		if e.inserted {
			acked++
			if n != 1 {
				fail("acknowledged event %d is missing on the new leader", e.id)
			}
		}
		if e.noted {
			acked++
			if notes != 1 {
				fail("acknowledged note of event %d is missing on the new leader", e.id)
			}
		}
		if e.delete {
			acked++
			if deleted != 1 {
				fail("acknowledged delete of event %d is missing on the new leader", e.id)
			}
		}
		if !e.inserted || (!e.noted) || (e.tried && !e.delete) {
			doubt++
		}
		if deleted != notesDeleted || (deleted == 1 && sameOp != 1) {
			fail("event %d half deleted: event %d, note %d, same operation %d",
				e.id, deleted, notesDeleted, sameOp)
		}
		if !e.tried && deleted != 0 {
			fail("event %d deleted but never asked to be", e.id)
		}
	}
	var total int64
	ctx, cancel := ctxFor(10 * time.Second)
	must(db.QueryRowContext(ctx, `SELECT count(*) FROM events_data WHERE id > ?`,
		int64(len(evs))).Scan(&total), "events")
	cancel()
	if total != 0 {
		fail("%d events the writer never sent", total)
	}
	ok("%d writes acknowledged around the failover all on the new leader (%d steps, %d in doubt, "+
		"soft deletes whole)", acked, len(evs), doubt)
	writesAcked = acked
}

var writesAcked int

// refusal is the error of a data-changing function in a SELECT outside a
// transaction on a dqlite node.
func refusal(fn, form string) string {
	return "softdelete: " + fn + "() called by a SELECT outside a transaction is refused " +
		"on a dqlite node, which may run that SELECT as a read and never replicate its " +
		"changes: run it between BEGIN and COMMIT" + form
}

// queryRowErr runs a one-row query and returns its scan error.
func queryRowErr(db *sql.DB, query string) (sql.NullString, error) {
	ctx, cancel := ctxFor(10 * time.Second)
	defer cancel()
	var v sql.NullString
	err := db.QueryRowContext(ctx, query).Scan(&v)
	return v, err
}

func shortErr(err error) string {
	for errors.Unwrap(err) != nil {
		err = errors.Unwrap(err)
	}
	s := err.Error()
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}
