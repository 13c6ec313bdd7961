// main.go -- softdelete from Go with database/sql and mattn/go-sqlite3.
//
// Every connection the pool opens loads the extension: the driver is
// registered under its own name with the extension in its list. Run with
// examples/go/run.sh (an offline GOPATH build over Debian's packages).
package main

import (
	"database/sql"
	"fmt"
	"os"

	"github.com/mattn/go-sqlite3"
)

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "go example:", err)
		os.Exit(1)
	}
}

func expect(what string, got, want int64) {
	if got != want {
		fmt.Fprintf(os.Stderr, "go example: %s: got %d, want %d\n", what, got, want)
		os.Exit(1)
	}
}

func count(db *sql.DB, q string) int64 {
	var n int64
	check(db.QueryRow(q).Scan(&n))
	return n
}

func main() {
	lib := os.Getenv("SOFTDELETE_LIB") // the extension, without its suffix
	sql.Register("sqlite3_softdelete", &sqlite3.SQLiteDriver{
		Extensions: []string{lib},
	})
	db, err := sql.Open("sqlite3_softdelete", os.Args[1]+"?_foreign_keys=1")
	check(err)
	defer db.Close()
	db.SetMaxOpenConns(4)

	for _, s := range []string{
		`CREATE TABLE users_data(id INTEGER PRIMARY KEY, name TEXT)`,
		`CREATE TABLE posts_data(id INTEGER PRIMARY KEY, title TEXT,
		   author_id INTEGER REFERENCES users_data(id) ON DELETE CASCADE)`,
		`CREATE VIRTUAL TABLE users USING softdelete(users_data)`,
		`CREATE VIRTUAL TABLE posts USING softdelete(posts_data)`,
		`CREATE VIRTUAL TABLE posts_trash USING softdelete(posts_data, show=deleted)`,
		`INSERT INTO users VALUES (1, 'ada'), (2, 'bob')`,
		`INSERT INTO posts VALUES (1, 'Engines', 1), (2, 'Notes', 1), (3, 'Hello', 2)`,
	} {
		_, err = db.Exec(s)
		check(err)
	}

	// A DELETE soft-deletes, with its cascade.
	_, err = db.Exec(`DELETE FROM users WHERE id = 1`)
	check(err)
	expect("live posts", count(db, `SELECT count(*) FROM posts`), 1)
	expect("rows kept", count(db, `SELECT count(*) FROM posts_data`), 3)
	expect("trash", count(db, `SELECT count(*) FROM posts_trash`), 2)

	// Several connections at once: each has the module.
	tx1, err := db.Begin()
	check(err)
	var n int64
	check(tx1.QueryRow(`SELECT count(*) FROM users`).Scan(&n))
	expect("users on a second connection", count(db, `SELECT count(*) FROM users`), n)
	check(tx1.Rollback())

	// Restore the user, and exactly what its deletion took with it.
	var restored int64
	check(db.QueryRow(`SELECT sd_restore('users', 1)`).Scan(&restored))
	expect("restored rows", restored, 3)
	expect("live posts after restore", count(db, `SELECT count(*) FROM posts`), 3)
	fmt.Println("go example: soft delete, cascade, trash and restore through database/sql: ok")
}
