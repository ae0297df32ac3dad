package analyzer

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// A value source is a relation in an UPDATE's FROM (or a MERGE's USING)
// made of values the client sent: VALUES lists, unnest of array
// parameters, or a SELECT of parameters. Bulk writes join the target to it
// (UPDATE t SET c = v.c FROM (VALUES …) v(id, c) WHERE t.id = v.id), so its
// columns are client-computed values, and an equality of a target column
// with one of them names the rows written.
type valueSources map[string]map[string]sourceColumn // alias → column → values

// sourceColumn is one column of a value source: its value in each row, or
// one array parameter (unnest).
type sourceColumn struct {
	values []Operand
	array  bool
}

// add records n when it is a value source with an alias.
func (vs valueSources) add(n *pg_query.Node) valueSources {
	switch {
	case n.GetRangeSubselect() != nil:
		rs := n.GetRangeSubselect()
		alias := rs.GetAlias().GetAliasname()
		sel := rs.GetSubquery().GetSelectStmt()
		if alias == "" || sel == nil {
			return vs
		}
		cols := selectValueColumns(sel, aliasColumns(rs.GetAlias()))
		if len(cols) > 0 {
			if vs == nil {
				vs = valueSources{}
			}
			vs[alias] = cols
		}
	case n.GetRangeFunction() != nil:
		rf := n.GetRangeFunction()
		alias := rf.GetAlias().GetAliasname()
		names := aliasColumns(rf.GetAlias())
		if alias == "" || len(names) == 0 || len(rf.Functions) != 1 {
			return vs
		}
		items := rf.Functions[0].GetList().GetItems()
		if len(items) == 0 {
			return vs
		}
		fc := items[0].GetFuncCall()
		if fc == nil || funcName(fc) != "unnest" {
			return vs
		}
		cols := map[string]sourceColumn{}
		for i, arg := range fc.Args {
			if i >= len(names) {
				break
			}
			if o, ok := operandOf(arg); ok && o.Param > 0 {
				cols[names[i]] = sourceColumn{values: []Operand{o}, array: true}
			}
		}
		if len(cols) > 0 {
			if vs == nil {
				vs = valueSources{}
			}
			vs[alias] = cols
		}
	}
	return vs
}

// selectValueColumns reads the columns of VALUES (…), (…) or of a SELECT
// of plain values without FROM (SELECT $1 AS id, $2 AS balance), named by
// the alias's column list when it has one.
func selectValueColumns(sel *pg_query.SelectStmt, names []string) map[string]sourceColumn {
	cols := map[string]sourceColumn{}
	if len(sel.ValuesLists) > 0 {
		for i, name := range names {
			var col sourceColumn
			for _, row := range sel.ValuesLists {
				items := row.GetList().GetItems()
				if i >= len(items) {
					col.values = nil
					break
				}
				o, ok := operandOf(items[i])
				if !ok {
					col.values = nil
					break
				}
				col.values = append(col.values, o)
			}
			if len(col.values) > 0 {
				cols[name] = col
			}
		}
		return cols
	}
	if len(sel.FromClause) > 0 || sel.Op != pg_query.SetOperation_SETOP_NONE {
		return nil
	}
	for i, t := range sel.TargetList {
		rt := t.GetResTarget()
		o, ok := operandOf(rt.GetVal())
		if !ok {
			continue
		}
		name := rt.GetName()
		if i < len(names) {
			name = names[i]
		}
		if name != "" {
			cols[name] = sourceColumn{values: []Operand{o}}
		}
	}
	return cols
}

func aliasColumns(a *pg_query.Alias) []string {
	var out []string
	for _, c := range a.GetColnames() {
		out = append(out, c.GetString_().GetSval())
	}
	return out
}

func funcName(fc *pg_query.FuncCall) string {
	if len(fc.Funcname) == 0 {
		return ""
	}
	return strings.ToLower(fc.Funcname[len(fc.Funcname)-1].GetString_().GetSval())
}

// column returns the value-source column n refers to (alias.col).
func (vs valueSources) column(n *pg_query.Node) (sourceColumn, bool) {
	cr := columnOf(n)
	if cr == nil || len(vs) == 0 {
		return sourceColumn{}, false
	}
	qual, col, star := columnRefParts(cr)
	if star || qual == "" {
		return sourceColumn{}, false
	}
	c, ok := vs[qual][col]
	return c, ok
}

// referenced reports whether expression n uses a value-source column.
func (vs valueSources) referenced(n *pg_query.Node) bool {
	found := false
	if len(vs) == 0 {
		return false
	}
	walkColumnRefs(n, func(cr *pg_query.ColumnRef) {
		qual, col, _ := columnRefParts(cr)
		if _, ok := vs[qual][col]; ok {
			found = true
		}
	})
	return found
}

// predicate records target.col = source.col as a predicate naming the rows
// by the source's values; false when e is not such an equality.
func (vs valueSources) predicate(f *StatementFacts, e *pg_query.A_Expr, target, alias string) bool {
	if len(vs) == 0 || e.Kind != pg_query.A_Expr_Kind_AEXPR_OP {
		return false
	}
	l, r := e.Lexpr, e.Rexpr
	src, ok := vs.column(r)
	if !ok {
		l, r = r, l
		if src, ok = vs.column(r); !ok {
			return false
		}
	}
	cr := columnOf(l)
	if cr == nil {
		return false
	}
	qual, col, star := columnRefParts(cr)
	if star || col == "" || (qual != "" && qual != target && qual != alias) {
		return false
	}
	f.Predicates = append(f.Predicates, Predicate{Table: target, Column: col, Values: src.values, Array: src.array})
	return true
}
