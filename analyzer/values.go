package analyzer

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Type OIDs whose binary form Normalizer turns into text.
const (
	oidBool        = 16
	oidBytea       = 17
	oidName        = 19
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidOID         = 26
	oidJSON        = 114
	oidFloat4      = 700
	oidFloat8      = 701
	oidBPChar      = 1042
	oidVarchar     = 1043
	oidDate        = 1082
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidNumeric     = 1700
	oidUUID        = 2950
	oidJSONB       = 3802
	oidInt4Array   = 1007
	oidInt8Array   = 1016
	oidTextArray   = 1009
	oidUUIDArray   = 2951
	oidVarchArray  = 1015
)

var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// binaryToText converts a binary-format value of type oid to PostgreSQL's
// text form. Unknown types (or malformed values) become `\x` + hex, which is
// stable, so equal values stay equal.
func binaryToText(oid uint32, v []byte) []byte {
	if v == nil {
		return nil
	}
	if s, ok := decodeBinary(oid, v); ok {
		return []byte(s)
	}
	return []byte(`\x` + hex.EncodeToString(v))
}

func decodeBinary(oid uint32, v []byte) (string, bool) {
	switch oid {
	case oidInt2:
		if len(v) == 2 {
			return strconv.FormatInt(int64(int16(binary.BigEndian.Uint16(v))), 10), true
		}
	case oidInt4:
		if len(v) == 4 {
			return strconv.FormatInt(int64(int32(binary.BigEndian.Uint32(v))), 10), true
		}
	case oidOID:
		if len(v) == 4 {
			return strconv.FormatUint(uint64(binary.BigEndian.Uint32(v)), 10), true
		}
	case oidInt8:
		if len(v) == 8 {
			return strconv.FormatInt(int64(binary.BigEndian.Uint64(v)), 10), true
		}
	case oidBool:
		if len(v) == 1 {
			if v[0] != 0 {
				return "t", true
			}
			return "f", true
		}
	case oidText, oidVarchar, oidBPChar, oidName, oidJSON:
		return string(v), true
	case oidJSONB:
		if len(v) >= 1 && v[0] == 1 {
			return string(v[1:]), true
		}
	case oidFloat4:
		if len(v) == 4 {
			return strconv.FormatFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(v))), 'g', -1, 32), true
		}
	case oidFloat8:
		if len(v) == 8 {
			return strconv.FormatFloat(math.Float64frombits(binary.BigEndian.Uint64(v)), 'g', -1, 64), true
		}
	case oidUUID:
		if len(v) == 16 {
			h := hex.EncodeToString(v)
			return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
		}
	case oidDate:
		if len(v) == 4 {
			days := int32(binary.BigEndian.Uint32(v))
			return pgEpoch.AddDate(0, 0, int(days)).Format("2006-01-02"), true
		}
	case oidTimestamp, oidTimestamptz:
		if len(v) == 8 {
			us := int64(binary.BigEndian.Uint64(v))
			t := pgEpoch.Add(time.Duration(us) * time.Microsecond)
			s := t.Format("2006-01-02 15:04:05.999999")
			if oid == oidTimestamptz {
				s += "+00"
			}
			return s, true
		}
	case oidNumeric:
		return decodeNumeric(v)
	case oidInt4Array, oidInt8Array, oidTextArray, oidUUIDArray, oidVarchArray:
		return decodeArray(v)
	}
	return "", false
}

// decodeNumeric reads the binary numeric: ndigits, weight, sign, dscale,
// then base-10000 digits.
func decodeNumeric(v []byte) (string, bool) {
	if len(v) < 8 {
		return "", false
	}
	ndigits := int(binary.BigEndian.Uint16(v[0:]))
	weight := int(int16(binary.BigEndian.Uint16(v[2:])))
	sign := binary.BigEndian.Uint16(v[4:])
	dscale := int(binary.BigEndian.Uint16(v[6:]))
	if len(v) != 8+2*ndigits {
		return "", false
	}
	switch sign {
	case 0xC000:
		return "NaN", true
	case 0xD000:
		return "Infinity", true
	case 0xF000:
		return "-Infinity", true
	}
	n := new(big.Int)
	base := big.NewInt(10000)
	for i := 0; i < ndigits; i++ {
		n.Mul(n, base)
		n.Add(n, big.NewInt(int64(binary.BigEndian.Uint16(v[8+2*i:]))))
	}
	// The value is n * 10000^(weight-ndigits+1); print with dscale decimals.
	exp := 4 * (weight - ndigits + 1)
	digits := n.String()
	if n.Sign() == 0 {
		digits = "0"
		exp = 0
	}
	var intPart, frac string
	if exp >= 0 {
		intPart = digits + strings.Repeat("0", exp)
	} else {
		point := len(digits) + exp
		if point <= 0 {
			intPart = "0"
			frac = strings.Repeat("0", -point) + digits
		} else {
			intPart, frac = digits[:point], digits[point:]
		}
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	if len(frac) > dscale {
		frac = frac[:dscale]
	} else {
		frac += strings.Repeat("0", dscale-len(frac))
	}
	s := intPart
	if dscale > 0 {
		s += "." + frac
	}
	if sign == 0x4000 {
		s = "-" + s
	}
	return s, true
}

// decodeArray reads a one-dimensional binary array of a known element type
// into PostgreSQL's text form {a,b,c}.
func decodeArray(v []byte) (string, bool) {
	if len(v) < 12 {
		return "", false
	}
	ndim := binary.BigEndian.Uint32(v[0:])
	elem := binary.BigEndian.Uint32(v[8:])
	if ndim == 0 {
		return "{}", true
	}
	if ndim != 1 || len(v) < 20 {
		return "", false
	}
	n := int(binary.BigEndian.Uint32(v[12:]))
	p := 20
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i < n; i++ {
		if p+4 > len(v) {
			return "", false
		}
		l := int(int32(binary.BigEndian.Uint32(v[p:])))
		p += 4
		if i > 0 {
			b.WriteByte(',')
		}
		if l < 0 {
			b.WriteString("NULL")
			continue
		}
		if p+l > len(v) {
			return "", false
		}
		s, ok := decodeBinary(elem, v[p:p+l])
		if !ok {
			return "", false
		}
		if elem == oidText || elem == oidVarchar {
			s = `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
		}
		b.WriteString(s)
		p += l
	}
	b.WriteByte('}')
	return b.String(), true
}

// arrayElements splits a text array literal {a,"b",NULL} into its elements
// (one dimension; quotes and backslashes handled).
// ArrayElements splits a one-dimensional array in PostgreSQL's text form
// ({1,2}, {"a b",c}) into its elements; nil when s is not one.
func ArrayElements(s string) []string { return arrayElements(s) }

func arrayElements(s string) []string {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil
	}
	body := s[1 : len(s)-1]
	var out []string
	var cur strings.Builder
	quoted, inQuote := false, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(body):
			i++
			cur.WriteByte(body[i])
		case c == '"':
			inQuote = !inQuote
			quoted = true
		case c == ',' && !inQuote:
			out = append(out, elemValue(cur.String(), quoted))
			cur.Reset()
			quoted = false
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 || quoted || len(out) > 0 {
		out = append(out, elemValue(cur.String(), quoted))
	}
	return out
}

func elemValue(s string, quoted bool) string {
	if quoted {
		return s
	}
	return strings.TrimSpace(s)
}
