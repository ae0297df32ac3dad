package analyzer

import (
	"math/big"
	"strings"
)

// versionNames are column names (or _-separated suffixes) used for
// optimistic locking.
var versionNames = []string{"version", "lockversion", "lock_version", "rowversion", "row_version", "revision", "rev", "etag", "optlock", "xmin"}

// IsVersionColumn reports whether a column name looks like an optimistic
// lock version (version, lock_version, post_version, rowVersion, xmin…). It
// is on the hot path of every UPDATE, hence no regexp.
func IsVersionColumn(col string) bool {
	for _, n := range versionNames {
		if len(col) < len(n) || !strings.EqualFold(col[len(col)-len(n):], n) {
			continue
		}
		if len(col) == len(n) {
			return true
		}
		prev := col[len(col)-len(n)-1]
		first := col[len(col)-len(n)]
		if prev == '_' || (first >= 'A' && first <= 'Z') {
			return true
		}
	}
	return false
}

// IsSuccessor reports whether written is the integer read + 1.
func IsSuccessor(read, written string) bool {
	r, ok1 := new(big.Int).SetString(read, 10)
	w, ok2 := new(big.Int).SetString(written, 10)
	if !ok1 || !ok2 {
		return false
	}
	return new(big.Int).Sub(w, r).Cmp(big.NewInt(1)) == 0
}

// versionLike reports whether a column that an UPDATE both checks in WHERE
// (against expected) and sets behaves as a version every writer advances,
// so that checking it detects any concurrent write to the row: it is named
// as one, advanced in SQL (version = version + 1, now()), stamped with the
// current time (Hibernate's timestamp @Version), or set to the checked
// value + 1. Any other checked column is a compare-and-set of its own value
// (Hibernate's OptimisticLockType.DIRTY/ALL): it detects concurrent changes
// of that column only.
func versionLike(e *Execution, set SetTarget, expected []string) bool {
	if set.Relative || set.Increment || set.ServerSide || set.VersionName || lastChangeStamp(e, set) {
		return true
	}
	v, ok := e.Value(set.Value)
	if !ok {
		return false
	}
	if isUUID(v) {
		// A fresh random token per write (ASP.NET's ConcurrencyStamp,
		// hand-rolled etags) works as a version.
		return true
	}
	for _, x := range expected {
		// A capture that hashes parameters hides whether the value
		// advanced by one: take it as the version it most often is.
		if IsSuccessor(x, v) || IsHiddenValue(x) || IsHiddenValue(v) {
			return true
		}
	}
	return false
}

// isTokenName: column names used for a concurrency token or version that
// IsVersionColumn's suffixes miss (ConcurrencyStamp, concurrency_token,
// row_stamp, version_id, version_number…). Decided once per statement text
// (SetTarget.VersionName; facts are cached).
func isTokenName(col string) bool {
	c := strings.ToLower(col)
	return strings.Contains(c, "concurrency") || strings.Contains(c, "version") || strings.HasSuffix(c, "stamp") ||
		strings.HasSuffix(c, "token")
}

// isUUID reports whether v is a UUID in its usual text form, or as 32 hex
// digits (uuid4().hex, SQLAlchemy's version_id_generator recipe).
func isUUID(v string) bool {
	if len(v) == 32 {
		for i := 0; i < len(v); i++ {
			if c := v[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
		return true
	}
	if len(v) != 36 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// IsHiddenValue reports whether v is a hashed parameter ("h:" and hex, as a
// capture in hash mode records values) rather than the value itself.
func IsHiddenValue(v string) bool {
	if len(v) < 4 || v[0] != 'h' || v[1] != ':' {
		return false
	}
	for _, c := range v[2:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
