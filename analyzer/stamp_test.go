package analyzer

import (
	"testing"
	"time"
)

func TestLastChangeStamp(t *testing.T) {
	sent := time.Date(2026, 11, 25, 18, 47, 30, 0, time.UTC)
	exec := func(v string) *Execution {
		return &Execution{Sent: sent, Args: [][]byte{[]byte(v)}}
	}
	for _, tc := range []struct {
		column, value string
		want          bool
	}{
		{"updatedAt", "1999-01-01", true}, // by name, whatever the value
		{"updated_at", "x", true},
		{"last_modified_date", "x", true},
		{"balance", "250", false},
		{"seen", "2026-11-25 18:47:29.361 +00:00", true}, // Sequelize
		{"seen", "2026-11-25 18:47:31.204156", true},     // ActiveRecord, naive UTC
		{"seen", "2026-11-25T19:47:31.2+01:00", true},    // ISO 8601 with zone
		{"seen", "2026-11-25 18:47:31+00", true},         // PostgreSQL's own output
		{"seen", "2026-11-25 18:57:31+00", false},        // ten minutes off
		{"expires", "2026-12-25 18:47:31+00", false},     // read + 30 days
		{"seen", "2026-11-25", false},                    // a date is not a stamp of now
		{"note", "2026-11-25 18:47 meeting", false},
	} {
		got := lastChangeStamp(exec(tc.value), SetTarget{Column: tc.column, StampName: isStampName(tc.column), Value: Operand{Param: 1}})
		if got != tc.want {
			t.Errorf("lastChangeStamp(%s = %q) = %v, want %v", tc.column, tc.value, got, tc.want)
		}
	}
}
