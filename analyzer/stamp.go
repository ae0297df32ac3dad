package analyzer

import (
	"strings"
	"time"
)

// stampNames are the columns ORMs and frameworks keep as "time of the last
// change" (ActiveRecord and Django updated_at/auto_now, Sequelize
// updatedAt, Spring Data @LastModifiedDate, Hibernate @UpdateTimestamp,
// GORM UpdatedAt…), lower-cased with '_' removed.
var stampNames = map[string]bool{
	"updatedat": true, "updatedon": true, "updated": true, "updatetime": true, "updatedtime": true,
	"updatedate": true, "updateddate": true, "dateupdated": true, "lastupdated": true, "lastupdate": true,
	"lastupdatedat": true, "modifiedat": true, "modifiedon": true, "modified": true, "modifytime": true,
	"modifiedtime": true, "modifieddate": true, "datemodified": true, "lastmodified": true,
	"lastmodifiedat": true, "lastmodifieddate": true, "lastmodifiedtime": true, "gmtmodified": true,
	"changedat": true, "changedon": true, "lastchanged": true, "mtime": true, "touchedat": true,
}

// isStampName reports whether a column is named as a last-change
// timestamp. It runs once per statement text (facts are cached).
func isStampName(col string) bool {
	return stampNames[strings.ToLower(strings.ReplaceAll(col, "_", ""))]
}

// stampSlack is how far a written timestamp may be from the time the
// statement was sent and still be "now" as the client computed it.
const stampSlack = 2 * time.Minute

// lastChangeStamp reports whether a SET writes a last-change timestamp: a
// column named as one, or a timestamp value that is the current time when
// the statement was sent. Such a value does not depend on anything read, so
// it is not a read-modify-write of that column.
func lastChangeStamp(e *Execution, set SetTarget) bool {
	if set.StampName {
		return true
	}
	if e.Sent.IsZero() {
		return false
	}
	v, ok := e.Value(set.Value)
	if !ok || len(v) < len("2006-01-02 15:04") || v[4] != '-' || v[7] != '-' {
		return false
	}
	return isCurrentTime(v, e.Sent)
}

var zonedLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999 Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
}

var naiveLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// isCurrentTime: v, a timestamp in PostgreSQL's or ISO 8601 text form, is
// within stampSlack of now. A timestamp without a zone is taken as UTC or
// as this machine's local time (the usual settings of an application).
func isCurrentTime(v string, now time.Time) bool {
	near := func(t time.Time) bool {
		d := t.Sub(now)
		return d > -stampSlack && d < stampSlack
	}
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return near(t)
		}
	}
	for _, l := range naiveLayouts {
		if t, err := time.Parse(l, v); err == nil {
			if near(t) {
				return true
			}
			if lt, err := time.ParseInLocation(l, v, time.Local); err == nil {
				return near(lt)
			}
			return false
		}
	}
	return false
}
