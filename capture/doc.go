// Package capture records the analyzer's event stream to a file and reads it
// back, so traffic seen by the proxy in staging can be linted later (in CI) and
// give the same findings it gave live.
//
// # Format
//
// A capture is JSON Lines. The first line is a Header:
//
//	{"format":"pgrmw-capture","version":1,"values":"hash","hash":"hmac-sha256-80","key_id":"…","capture":"…","part":0,"created":"…"}
//
// Every later line is one analyzer.Event in its JSON form, with three
// readability changes: "kind" is the event kind's name ("bind", "data_row"),
// "target" and "tx_status" are one-character strings ("S", "T"), and each
// parameter or column value is a JSON string when it is valid UTF-8, null for
// SQL NULL, or {"b64":"…"} for binary bytes. Readers must ignore fields they do
// not know; a new field never changes the meaning of an old one. The version
// changes only when an existing field does.
//
// # Values
//
// Values are sensitive, so Options.Values chooses what is written:
//
//   - "hash" (the default): every value is replaced by "h:" and the first 80
//     bits of HMAC-SHA256(key, value), hex encoded. This covers Bind
//     parameters, DataRow values and the literals inside SQL text (a literal
//     becomes a string literal holding its hash: `WHERE id = 42` is written
//     `WHERE id = 'h:…'`, equal to the hash of a bound "42"), except in
//     SET, RESET, SHOW, BEGIN and START TRANSACTION statements, whose literals
//     are configuration (isolation levels). Error details are dropped (they
//     quote key values); error messages, SQL comments and identifiers are
//     kept as they are. Equal values hash equal within one key, so row
//     identity survives; raw values are never written. The key comes from
//     Options.Key, or is random per capture; the header's key_id (a keyed
//     digest of a fixed string, not the key) tells whether two captures used
//     the same key.
//   - "raw": values are written as they are (after binary values are rewritten
//     to canonical text). Use only where the data is not sensitive.
//   - "none": every value is written as SQL NULL and every SQL literal as NULL;
//     only statement shapes remain, so rules that need row identity find
//     nothing.
//
// Binary-format values are first rewritten to their canonical text form by
// analyzer.Normalizer, so that a value sent in binary and the same value sent
// as text (or as a SQL literal) hash equal.
//
// Password messages are never captured: the proxy does not emit them as
// events, SessionStart carries startup parameters only, and the writer drops
// a "password" startup parameter should one ever appear.
//
// # Rotation
//
// With Options.RotateBytes > 0 the writer starts a new part once the current
// one has reached that size: the first part is FILE, the next FILE.1, FILE.2,
// and so on. Each part begins with its own header carrying the same "capture"
// id and its "part" number, so each part is readable on its own; lint reads
// the parts of one capture in part order whatever order they are given in.
//
// # Crashes
//
// Lines are written whole through a buffer that is flushed every second, on
// Flush and on Close. A proxy killed mid-write leaves a file whose complete
// lines all read; the reader reports an incomplete last line as ErrTruncated
// (a warning), while a malformed complete line in the middle is a *LineError
// naming the file and line.
package capture
