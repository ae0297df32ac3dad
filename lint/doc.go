// Package lint is the offline driver: it reads recorded traffic (the proxy's
// captures, PostgreSQL server logs) and findings files, feeds the events
// through the same analyzer the proxy runs live, and renders the findings for
// people (text) and machines (json, sarif, github annotations), with
// baselines and exit codes for CI.
//
// It knows nothing about sockets; input kinds are recognised from their
// content, never from file names: a capture by its header line, a jsonlog or
// csvlog by its first record, a findings file by its "rule" fields, anything
// else is read as a stderr log (whose log_line_prefix is recognised from its
// first lines). Gzipped files are read through.
//
// Inputs of one stream kind share one analyzer, so cross-session rules see
// every session: all captures together, all server logs together. The parts
// of a rotated capture are read in part order whatever order they are given
// in.
//
// # In CI
//
// Start PostgreSQL with statement logging, run the tests against it, lint
// its log. With the official container image:
//
//	docker run -d --name pg -p 5432:5432 -e POSTGRES_PASSWORD=postgres postgres:16 \
//	  -c log_statement=all -c log_connections=on -c log_disconnections=on \
//	  -c log_timezone=UTC -c 'log_line_prefix=%m [%p] %c %e %q%v %u@%d %a '
//	# … run the test suite against postgres://postgres:postgres@localhost:5432/postgres …
//	docker logs pg > postgres.log 2>&1
//	pgrmw lint --format github postgres.log                            # annotations, exit 1 on warnings
//	pgrmw lint --format sarif --out pgrmw.sarif --fail-on none postgres.log  # for code scanning
//
// Exit status: 0 when no finding is at or above --fail-on (default
// warning), 1 when one is, 2 for usage errors and unreadable or malformed
// inputs (a malformed line in the middle names the file and line; with
// --keep-going it is skipped with a warning; an incomplete last line is
// always only a warning). To adopt pgrmw on a codebase with findings:
// `pgrmw lint --write-baseline pgrmw-baseline.json …` once, commit the file,
// then `pgrmw lint --baseline pgrmw-baseline.json …` fails only on new code
// paths (fingerprints).
package lint
