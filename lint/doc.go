// Package lint is the offline driver: it reads recorded traffic (the proxy's
// captures, PostgreSQL server logs) and findings files, feeds the events
// through the same analyzer the proxy runs live, and renders the findings for
// people (text) and machines (json, sarif, github annotations), with
// baselines and exit codes for CI.
//
// It knows nothing about sockets; input kinds are recognised from their first
// lines, never from file names.
package lint
