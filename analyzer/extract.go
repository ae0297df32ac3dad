package analyzer

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// parseFacts parses sql (one or more statements) with pg_query and extracts
// the facts of each statement.
func parseFacts(sql string) ([]*StatementFacts, error) {
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return nil, err
	}
	out := make([]*StatementFacts, 0, len(tree.Stmts))
	for _, raw := range tree.Stmts {
		text := stmtText(sql, raw)
		f := &StatementFacts{Text: text, Suppress: parseSuppressions(text), Advisory: advisoryOf(text)}
		extractStmt(f, raw.Stmt)
		out = append(out, f)
	}
	if len(out) == 0 {
		// Only comments or semicolons: nothing runs.
		return out, nil
	}
	// Suppression comments before the first statement belong to it.
	if len(tree.Stmts) > 0 && tree.Stmts[0].StmtLocation > 0 {
		out[0].Suppress = append(out[0].Suppress, parseSuppressions(sql[:tree.Stmts[0].StmtLocation])...)
	}
	return out, nil
}

func stmtText(sql string, raw *pg_query.RawStmt) string {
	start := int(raw.StmtLocation)
	end := len(sql)
	if raw.StmtLen > 0 {
		end = start + int(raw.StmtLen)
	}
	if start < 0 || start > len(sql) || end > len(sql) || end < start {
		return strings.TrimSpace(sql)
	}
	return strings.TrimSpace(sql[start:end])
}

func extractStmt(f *StatementFacts, n *pg_query.Node) {
	switch {
	case n.GetSelectStmt() != nil:
		f.Kind = StmtSelect
		extractSelect(f, n.GetSelectStmt())
	case n.GetUpdateStmt() != nil:
		f.Kind = StmtUpdate
		extractUpdate(f, n.GetUpdateStmt())
	case n.GetInsertStmt() != nil:
		f.Kind = StmtInsert
		extractInsert(f, n.GetInsertStmt())
	case n.GetDeleteStmt() != nil:
		f.Kind = StmtDelete
		d := n.GetDeleteStmt()
		f.ModifyingCTE = hasModifyingCTE(d.WithClause)
		addRangeVar(f, d.Relation)
		f.Target = d.Relation.GetRelname()
		for _, u := range d.UsingClause {
			addFromItem(f, u)
		}
		collectPredicates(f, d.WhereClause, f.Target)
		f.Returning = len(d.ReturningList) > 0
	case n.GetTransactionStmt() != nil:
		extractTransaction(f, n.GetTransactionStmt())
	case n.GetVariableSetStmt() != nil:
		extractSet(f, n.GetVariableSetStmt())
	case n.GetDiscardStmt() != nil:
		f.Kind = StmtReset
		if n.GetDiscardStmt().Target == pg_query.DiscardMode_DISCARD_ALL {
			f.Deallocate, f.CloseCursor = "*", "*"
		}
	case n.GetPrepareStmt() != nil:
		f.Prepare = innerStatement(f, n.GetPrepareStmt().Name, n.GetPrepareStmt().Query)
	case n.GetDeclareCursorStmt() != nil:
		// Django's iterator(), psycopg named cursors, SQLAlchemy's
		// stream_results read through server-side cursors.
		f.Declare = innerStatement(f, n.GetDeclareCursorStmt().Portalname, n.GetDeclareCursorStmt().Query)
	case n.GetFetchStmt() != nil:
		f.FetchCursor = n.GetFetchStmt().Portalname
	case n.GetClosePortalStmt() != nil:
		f.CloseCursor = n.GetClosePortalStmt().Portalname
		if f.CloseCursor == "" {
			f.CloseCursor = "*"
		}
	case n.GetExecuteStmt() != nil:
		x := n.GetExecuteStmt()
		f.ExecuteName = x.Name
		for _, a := range x.Params {
			o, _ := operandOf(a) // an expression argument stays unknown
			f.ExecuteArgs = append(f.ExecuteArgs, o)
		}
	case n.GetDeallocateStmt() != nil:
		d := n.GetDeallocateStmt()
		f.Deallocate = d.Name
		if d.Isall || d.Name == "" {
			f.Deallocate = "*"
		}
	case n.GetLockStmt() != nil:
		extractLock(f, n.GetLockStmt())
	case n.GetMergeStmt() != nil:
		extractMerge(f, n.GetMergeStmt())
	}
}

// innerStatement reads the statement a PREPARE name AS … or a DECLARE name
// CURSOR FOR … names: its facts are what a later EXECUTE or FETCH runs.
func innerStatement(f *StatementFacts, name string, query *pg_query.Node) *PreparedSQL {
	inner := &StatementFacts{Suppress: f.Suppress, Advisory: f.Advisory}
	extractStmt(inner, query)
	text, err := pg_query.Deparse(&pg_query.ParseResult{Stmts: []*pg_query.RawStmt{{Stmt: query}}})
	if err != nil {
		text = f.Text
	}
	inner.Text = text
	return &PreparedSQL{Name: name, Inner: inner}
}

// Table lock modes of LOCK TABLE, as pg_query numbers them (lockdefs.h).
const (
	shareLockMode           = 5 // SHARE
	accessExclusiveLockMode = 8 // ACCESS EXCLUSIVE
)

// extractLock records the tables a LOCK TABLE closes to other writers.
// SHARE and every stronger mode conflict with ROW EXCLUSIVE, the lock an
// UPDATE takes, so while it is held no other session changes the table: a
// read-modify-write under it cannot lose an update (two SHARE holders that
// both write deadlock instead). Weaker modes let writers through.
func extractLock(f *StatementFacts, l *pg_query.LockStmt) {
	if l.Mode < shareLockMode || l.Mode > accessExclusiveLockMode {
		return
	}
	for _, r := range l.Relations {
		if name := r.GetRangeVar().GetRelname(); name != "" {
			f.TableLocks = append(f.TableLocks, name)
		}
	}
}

func hasModifyingCTE(w *pg_query.WithClause) bool {
	if w == nil {
		return false
	}
	for _, c := range w.Ctes {
		q := c.GetCommonTableExpr().GetCtequery()
		if q.GetUpdateStmt() != nil || q.GetInsertStmt() != nil || q.GetDeleteStmt() != nil || q.GetMergeStmt() != nil {
			return true
		}
	}
	return false
}

// modifyingCTEFacts folds the UPDATEs inside WITH into f, so that
// `WITH u AS (UPDATE … RETURNING …) SELECT …` is seen as the write it is.
func modifyingCTEFacts(f *StatementFacts, w *pg_query.WithClause) {
	if w == nil {
		return
	}
	for _, c := range w.Ctes {
		q := c.GetCommonTableExpr().GetCtequery()
		if u := q.GetUpdateStmt(); u != nil && f.Target == "" {
			inner := &StatementFacts{}
			extractUpdate(inner, u)
			f.Kind = StmtUpdate
			f.Target = inner.Target
			f.Tables = append(f.Tables, inner.Tables...)
			f.Sets = inner.Sets
			f.Predicates = inner.Predicates
			f.Returning = true
		}
	}
}

func addRangeVar(f *StatementFacts, rv *pg_query.RangeVar) {
	if rv == nil {
		return
	}
	f.Tables = append(f.Tables, TableRef{Schema: rv.Schemaname, Name: rv.Relname, Alias: rv.GetAlias().GetAliasname()})
}

func addFromItem(f *StatementFacts, n *pg_query.Node) {
	switch {
	case n.GetRangeVar() != nil:
		addRangeVar(f, n.GetRangeVar())
	case n.GetJoinExpr() != nil:
		j := n.GetJoinExpr()
		addFromItem(f, j.Larg)
		addFromItem(f, j.Rarg)
		// Join conditions are collected with the WHERE clause later.
	}
}

func joinQuals(n *pg_query.Node, out []*pg_query.Node) []*pg_query.Node {
	if j := n.GetJoinExpr(); j != nil {
		if j.Quals != nil {
			out = append(out, j.Quals)
		}
		out = joinQuals(j.Larg, out)
		out = joinQuals(j.Rarg, out)
	}
	return out
}

func extractSelect(f *StatementFacts, s *pg_query.SelectStmt) {
	if s.Op != pg_query.SetOperation_SETOP_NONE && s.Op != pg_query.SetOperation_SET_OPERATION_UNDEFINED {
		// UNION & co.: take the first branch's shape; good enough for reads.
		if s.Larg != nil {
			extractSelect(f, s.Larg)
		}
		return
	}
	f.ModifyingCTE = hasModifyingCTE(s.WithClause)
	ctes := readCTEs(s.WithClause)
	for _, from := range s.FromClause {
		addReadSource(f, from, ctes)
	}
	single := ""
	if len(f.Tables) == 1 {
		single = f.Tables[0].Name
	}
	for _, t := range s.TargetList {
		rt := t.GetResTarget()
		if rt == nil {
			continue
		}
		if cr := rt.Val.GetColumnRef(); cr != nil {
			qual, col, star := columnRefParts(cr)
			table := single
			if qual != "" {
				table = f.TableOf(qual)
			}
			f.Targets = append(f.Targets, SelectTarget{Table: table, Column: col, Star: star})
			f.addRead(table, col, star)
			continue
		}
		f.Targets = append(f.Targets, SelectTarget{})
		walkColumnRefs(rt.Val, func(cr *pg_query.ColumnRef) {
			qual, col, star := columnRefParts(cr)
			table := single
			if qual != "" {
				table = f.TableOf(qual)
			}
			f.addRead(table, col, star)
		})
	}
	for _, lc := range s.LockingClause {
		l := lc.GetLockingClause()
		if l == nil {
			continue
		}
		strength := lockStrength(l.Strength)
		wait := l.WaitPolicy
		if len(l.LockedRels) == 0 {
			for _, t := range f.Tables {
				f.Locks = append(f.Locks, TableLock{Table: t.Name, Strength: strength,
					NoWait: wait == pg_query.LockWaitPolicy_LockWaitError, SkipLocked: wait == pg_query.LockWaitPolicy_LockWaitSkip})
			}
			continue
		}
		for _, r := range l.LockedRels {
			name := r.GetRangeVar().GetRelname()
			if t := f.TableOf(name); t != "" {
				name = t
			}
			f.Locks = append(f.Locks, TableLock{Table: name, Strength: strength,
				NoWait: wait == pg_query.LockWaitPolicy_LockWaitError, SkipLocked: wait == pg_query.LockWaitPolicy_LockWaitSkip})
		}
	}
	quals := []*pg_query.Node{s.WhereClause}
	for _, from := range s.FromClause {
		quals = joinQuals(from, quals)
	}
	for _, q := range quals {
		collectPredicates(f, q, single)
	}
	modifyingCTEFacts(f, s.WithClause)
}

// readCTEs extracts the plain SELECTs of a WITH clause by name, so a query
// reading through them (WITH u AS (SELECT … FROM users WHERE id = $1)
// SELECT … FROM u) is seen as the read of the table they read. Recursive
// CTEs and data-modifying ones (see modifyingCTEFacts) are left out.
func readCTEs(w *pg_query.WithClause) map[string]*StatementFacts {
	if w == nil || w.Recursive {
		return nil
	}
	var out map[string]*StatementFacts
	for _, c := range w.Ctes {
		cte := c.GetCommonTableExpr()
		inner := subqueryFacts(cte.GetCtequery())
		if inner == nil {
			continue
		}
		if out == nil {
			out = map[string]*StatementFacts{}
		}
		out[cte.GetCtename()] = inner
	}
	return out
}

// addReadSource adds a FROM item of a SELECT. A subquery or CTE stands for
// the table it reads: its predicates name the rows, and its alias resolves
// to that table, as Sequelize's findOne with include and limit (FROM
// (SELECT … FROM "users" AS "User" WHERE "User"."id" = 42 LIMIT 1) AS
// "User" LEFT OUTER JOIN …) and hand-written CTEs read.
func addReadSource(f *StatementFacts, n *pg_query.Node, ctes map[string]*StatementFacts) {
	switch {
	case n.GetRangeVar() != nil:
		rv := n.GetRangeVar()
		if inner, ok := ctes[rv.Relname]; ok && rv.Schemaname == "" {
			alias := rv.GetAlias().GetAliasname()
			if alias == "" {
				alias = rv.Relname
			}
			addDerived(f, inner, alias)
			return
		}
		addRangeVar(f, rv)
	case n.GetJoinExpr() != nil:
		j := n.GetJoinExpr()
		addReadSource(f, j.Larg, ctes)
		addReadSource(f, j.Rarg, ctes)
	case n.GetRangeSubselect() != nil:
		rs := n.GetRangeSubselect()
		if inner := subqueryFacts(rs.GetSubquery()); inner != nil {
			addDerived(f, inner, rs.GetAlias().GetAliasname())
		}
	}
}

// subqueryFacts extracts the facts of a SELECT used as a subquery or CTE;
// nil for any other statement.
func subqueryFacts(n *pg_query.Node) *StatementFacts {
	sel := n.GetSelectStmt()
	if sel == nil {
		return nil
	}
	inner := &StatementFacts{}
	extractSelect(inner, sel)
	return inner
}

// addDerived folds the facts of a subquery or CTE read under alias into f.
func addDerived(f *StatementFacts, inner *StatementFacts, alias string) {
	if len(inner.Tables) == 1 {
		t := inner.Tables[0]
		f.Tables = append(f.Tables, TableRef{Schema: t.Schema, Name: t.Name, Alias: alias})
	} else {
		f.Tables = append(f.Tables, inner.Tables...)
	}
	f.Predicates = append(f.Predicates, inner.Predicates...)
	f.Locks = append(f.Locks, inner.Locks...)
}

func (f *StatementFacts) addRead(table, col string, star bool) {
	if table == "" {
		// Ambiguous column of a join: count it as read from every table.
		for _, t := range f.Tables {
			f.addRead(t.Name, col, star)
		}
		return
	}
	for i := range f.Reads {
		if f.Reads[i].Table == table {
			if star {
				f.Reads[i].All = true
			} else if !containsString(f.Reads[i].Columns, col) {
				f.Reads[i].Columns = append(f.Reads[i].Columns, col)
			}
			return
		}
	}
	r := TableRead{Table: table, All: star}
	if !star {
		r.Columns = []string{col}
	}
	f.Reads = append(f.Reads, r)
}

func lockStrength(s pg_query.LockClauseStrength) LockStrength {
	switch s {
	case pg_query.LockClauseStrength_LCS_FORKEYSHARE:
		return LockForKeyShare
	case pg_query.LockClauseStrength_LCS_FORSHARE:
		return LockForShare
	case pg_query.LockClauseStrength_LCS_FORNOKEYUPDATE:
		return LockForNoKeyUpdate
	case pg_query.LockClauseStrength_LCS_FORUPDATE:
		return LockForUpdate
	}
	return LockNone
}

// columnRefParts splits a column reference into qualifier (alias or table;
// schema dropped), column and star.
func columnRefParts(cr *pg_query.ColumnRef) (qual, col string, star bool) {
	var names []string
	for _, fld := range cr.Fields {
		if fld.GetAStar() != nil {
			star = true
			continue
		}
		names = append(names, fld.GetString_().GetSval())
	}
	switch {
	case star && len(names) >= 1:
		return names[len(names)-1], "", true
	case star:
		return "", "", true
	case len(names) == 1:
		return "", names[0], false
	case len(names) >= 2:
		return names[len(names)-2], names[len(names)-1], false
	}
	return "", "", false
}

// walkColumnRefs calls fn for each column reference in the subtree, using
// protobuf reflection so that every expression node type is covered.
func walkColumnRefs(n *pg_query.Node, fn func(*pg_query.ColumnRef)) {
	if n == nil {
		return
	}
	walkMessage(n.ProtoReflect(), fn)
}

// hasClientValue reports whether an expression contains a parameter or a
// literal: a value the client supplied, as opposed to one PostgreSQL
// computes by itself (now(), DEFAULT, another column, a sub-select).
func hasClientValue(n *pg_query.Node) bool {
	if n == nil {
		return false
	}
	found := false
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		if found {
			return
		}
		switch m.Interface().(type) {
		case *pg_query.ParamRef, *pg_query.A_Const:
			found = true
			return
		case *pg_query.TypeName:
			return // typmods such as numeric(12,2) are constants but not values
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if fd.Kind() != protoreflect.MessageKind {
				return true
			}
			if fd.IsList() {
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					walk(l.Get(i).Message())
				}
				return !found
			}
			walk(v.Message())
			return !found
		})
	}
	walk(n.ProtoReflect())
	return found
}

func walkMessage(m protoreflect.Message, fn func(*pg_query.ColumnRef)) {
	if cr, ok := m.Interface().(*pg_query.ColumnRef); ok {
		fn(cr)
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				walkMessage(l.Get(i).Message(), fn)
			}
			return true
		}
		walkMessage(v.Message(), fn)
		return true
	})
}

// operandOf reads a parameter or literal, through casts and unary minus.
func operandOf(n *pg_query.Node) (Operand, bool) {
	if n == nil {
		return Operand{}, false
	}
	if tc := n.GetTypeCast(); tc != nil {
		return operandOf(tc.Arg)
	}
	if p := n.GetParamRef(); p != nil {
		return Operand{Param: int(p.Number)}, true
	}
	if c := n.GetAConst(); c != nil {
		if c.Isnull {
			return Operand{IsLiteral: true, Null: true}, true
		}
		switch {
		case c.GetIval() != nil:
			return Operand{IsLiteral: true, Literal: itoa(int64(c.GetIval().Ival))}, true
		case c.GetFval() != nil:
			return Operand{IsLiteral: true, Literal: c.GetFval().Fval}, true
		case c.GetSval() != nil:
			return Operand{IsLiteral: true, Literal: c.GetSval().Sval}, true
		case c.GetBoolval() != nil:
			if c.GetBoolval().Boolval {
				return Operand{IsLiteral: true, Literal: "t"}, true
			}
			return Operand{IsLiteral: true, Literal: "f"}, true
		case c.GetBsval() != nil:
			return Operand{IsLiteral: true, Literal: c.GetBsval().Bsval}, true
		}
		// Integer zero has no Val set.
		return Operand{IsLiteral: true, Literal: "0"}, true
	}
	if e := n.GetAExpr(); e != nil && e.Kind == pg_query.A_Expr_Kind_AEXPR_OP && e.Lexpr == nil && opName(e) == "-" {
		o, ok := operandOf(e.Rexpr)
		o.Negate = !o.Negate
		return o, ok
	}
	return Operand{}, false
}

func opName(e *pg_query.A_Expr) string {
	if len(e.Name) == 0 {
		return ""
	}
	return e.Name[len(e.Name)-1].GetString_().GetSval()
}

// collectPredicates gathers column equalities through AND chains.
func collectPredicates(f *StatementFacts, n *pg_query.Node, defaultTable string) {
	walkEqualities(n, func(e *pg_query.A_Expr) { equalityPredicate(f, e, defaultTable) })
}

// collectWritePredicates is collectPredicates for the rows an UPDATE or
// MERGE writes, where a column may also be equated with a value source's.
func collectWritePredicates(f *StatementFacts, n *pg_query.Node, alias string, sources valueSources) {
	walkEqualities(n, func(e *pg_query.A_Expr) {
		if !sources.predicate(f, e, f.Target, alias) {
			equalityPredicate(f, e, f.Target)
		}
	})
}

// walkEqualities calls fn for each "=" (and IN, = ANY) conjunct of n.
func walkEqualities(n *pg_query.Node, fn func(*pg_query.A_Expr)) {
	if n == nil {
		return
	}
	if b := n.GetBoolExpr(); b != nil {
		if b.Boolop == pg_query.BoolExprType_AND_EXPR {
			for _, a := range b.Args {
				walkEqualities(a, fn)
			}
		}
		return
	}
	if e := n.GetAExpr(); e != nil && opName(e) == "=" {
		fn(e)
	}
}

// equalityPredicate records col = value, col IN (…), col = ANY(…).
func equalityPredicate(f *StatementFacts, e *pg_query.A_Expr, defaultTable string) {
	colNode, valNode := e.Lexpr, e.Rexpr
	if columnOf(colNode) == nil {
		colNode, valNode = valNode, colNode
	}
	cr := columnOf(colNode)
	if cr == nil {
		return
	}
	qual, col, star := columnRefParts(cr)
	if star || col == "" {
		return
	}
	table := defaultTable
	if qual != "" {
		table = f.TableOf(qual)
	}
	p := Predicate{Table: table, Column: col}
	switch e.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		// IS NOT DISTINCT FROM: a NULL-safe equality (EF Core, hand-written
		// checks of nullable tokens); with a value it names rows as = does.
		o, ok := operandOf(valNode)
		if !ok {
			return
		}
		p.Values = []Operand{o}
	case pg_query.A_Expr_Kind_AEXPR_IN:
		for _, item := range valNode.GetList().GetItems() {
			o, ok := operandOf(item)
			if !ok {
				return
			}
			p.Values = append(p.Values, o)
		}
	case pg_query.A_Expr_Kind_AEXPR_OP_ANY:
		if arr := valNode.GetAArrayExpr(); arr != nil {
			for _, item := range arr.Elements {
				o, ok := operandOf(item)
				if !ok {
					return
				}
				p.Values = append(p.Values, o)
			}
			break
		}
		o, ok := operandOf(valNode)
		if !ok {
			return
		}
		p.Values = []Operand{o}
		p.Array = true
	default:
		return
	}
	if len(p.Values) > 0 {
		f.Predicates = append(f.Predicates, p)
	}
}

func columnOf(n *pg_query.Node) *pg_query.ColumnRef {
	if n == nil {
		return nil
	}
	if tc := n.GetTypeCast(); tc != nil {
		return columnOf(tc.Arg)
	}
	return n.GetColumnRef()
}

func extractUpdate(f *StatementFacts, u *pg_query.UpdateStmt) {
	f.ModifyingCTE = hasModifyingCTE(u.WithClause)
	addRangeVar(f, u.Relation)
	f.Target = u.Relation.GetRelname()
	alias := u.Relation.GetAlias().GetAliasname()
	var sources valueSources
	for _, from := range u.FromClause {
		addFromItem(f, from)
		sources = sources.add(from)
	}
	addSets(f, u.TargetList, alias, sources)
	quals := []*pg_query.Node{u.WhereClause}
	for _, from := range u.FromClause {
		quals = joinQuals(from, quals)
	}
	for _, q := range quals {
		collectWritePredicates(f, q, alias, sources)
	}
	f.Returning = len(u.ReturningList) > 0
}

// addSets classifies the assignments of an UPDATE (or of MERGE's WHEN
// MATCHED THEN UPDATE). A value taken from a value source is one the
// client computed.
func addSets(f *StatementFacts, targets []*pg_query.Node, alias string, sources valueSources) {
	for _, t := range targets {
		rt := t.GetResTarget()
		if rt == nil {
			continue
		}
		val := rt.Val
		if m := val.GetMultiAssignRef(); m != nil {
			// (a, b) = (SELECT …) / ROW(…): take element Colno of a row.
			if row := m.Source.GetRowExpr(); row != nil && int(m.Colno) <= len(row.Args) {
				val = row.Args[m.Colno-1]
			} else {
				val = m.Source
			}
		}
		set := setTarget(rt.Name, val, f.Target, alias, false)
		if set.ServerSide && !set.Relative && sources.referenced(val) {
			set.ServerSide = false
		}
		f.Sets = append(f.Sets, set)
	}
}

// extractMerge reads MERGE as the UPDATE its WHEN MATCHED THEN UPDATE
// branch is: the rows joined to the source, the assignments of that branch
// and its AND condition as part of the row's predicate (a version check).
// A MERGE without such a branch only inserts or deletes.
func extractMerge(f *StatementFacts, m *pg_query.MergeStmt) {
	f.ModifyingCTE = hasModifyingCTE(m.WithClause)
	addRangeVar(f, m.Relation)
	if rv := m.SourceRelation.GetRangeVar(); rv != nil {
		addRangeVar(f, rv)
	}
	f.Returning = len(m.ReturningList) > 0
	var upd *pg_query.MergeWhenClause
	for _, n := range m.MergeWhenClauses {
		w := n.GetMergeWhenClause()
		if w != nil && w.MatchKind == pg_query.MergeMatchKind_MERGE_WHEN_MATCHED && w.CommandType == pg_query.CmdType_CMD_UPDATE {
			upd = w
			break
		}
	}
	if upd == nil {
		return
	}
	f.Kind = StmtUpdate
	f.Target = m.Relation.GetRelname()
	alias := m.Relation.GetAlias().GetAliasname()
	sources := valueSources(nil).add(m.SourceRelation)
	addSets(f, upd.TargetList, alias, sources)
	for _, q := range []*pg_query.Node{m.JoinCondition, upd.Condition} {
		collectWritePredicates(f, q, alias, sources)
	}
}

// setTarget classifies one assignment. With excluded, a reference to
// EXCLUDED.col is not a reference to the row's own value.
func setTarget(col string, val *pg_query.Node, table, alias string, excluded bool) SetTarget {
	s := SetTarget{Column: col, StampName: isStampName(col), VersionName: IsVersionColumn(col) || isTokenName(col)}
	if o, ok := operandOf(val); ok {
		s.Value = o
		return s
	}
	s.ServerSide = !hasClientValue(val)
	walkColumnRefs(val, func(cr *pg_query.ColumnRef) {
		qual, c, _ := columnRefParts(cr)
		if excluded && strings.EqualFold(qual, "excluded") {
			// EXCLUDED.col is the value the client tried to insert.
			s.ServerSide = false
			return
		}
		if c != col {
			return
		}
		if qual == "" || qual == table || (alias != "" && qual == alias) {
			s.Relative = true
		}
	})
	if e := val.GetAExpr(); e != nil && s.Relative && opName(e) == "+" {
		if cr := columnOf(e.Lexpr); cr != nil {
			if _, ok := operandOf(e.Rexpr); ok {
				s.Increment = true
			}
		}
	}
	return s
}

func extractInsert(f *StatementFacts, ins *pg_query.InsertStmt) {
	f.ModifyingCTE = hasModifyingCTE(ins.WithClause)
	addRangeVar(f, ins.Relation)
	f.Target = ins.Relation.GetRelname()
	f.Returning = len(ins.ReturningList) > 0
	for _, c := range ins.Cols {
		f.InsertColumns = append(f.InsertColumns, c.GetResTarget().GetName())
	}
	if sel := ins.SelectStmt.GetSelectStmt(); sel != nil && len(sel.ValuesLists) > 0 {
		for _, v := range sel.ValuesLists[0].GetList().GetItems() {
			o, _ := operandOf(v)
			f.InsertValues = append(f.InsertValues, o)
		}
	}
	oc := ins.OnConflictClause
	if oc == nil || oc.Action != pg_query.OnConflictAction_ONCONFLICT_UPDATE {
		return
	}
	f.OnConflictUpdate = true
	for _, e := range oc.GetInfer().GetIndexElems() {
		if name := e.GetIndexElem().GetName(); name != "" {
			f.ConflictColumns = append(f.ConflictColumns, name)
		}
	}
	alias := ins.Relation.GetAlias().GetAliasname()
	for _, t := range oc.TargetList {
		rt := t.GetResTarget()
		if rt == nil {
			continue
		}
		f.Sets = append(f.Sets, setTarget(rt.Name, rt.Val, f.Target, alias, true))
	}
	// The conflicting row is identified by the inserted values of the
	// conflict columns. ON CONFLICT ON CONSTRAINT name does not say which
	// columns the constraint covers (no catalog here): the inserted columns
	// the update leaves alone stand in for them, as the key columns of an
	// upsert are never the ones it updates.
	keyCols := f.ConflictColumns
	if len(keyCols) == 0 && oc.GetInfer().GetConname() != "" {
		for _, ic := range f.InsertColumns {
			if _, set := f.SetOf(ic); !set {
				keyCols = append(keyCols, ic)
			}
		}
	}
	// Every VALUES row is an upsert of its own row (Rails' upsert_all,
	// Django's bulk_create with update_conflicts).
	var rows [][]*pg_query.Node
	if sel := ins.SelectStmt.GetSelectStmt(); sel != nil {
		for _, r := range sel.ValuesLists {
			rows = append(rows, r.GetList().GetItems())
		}
	}
	for _, c := range keyCols {
		for i, ic := range f.InsertColumns {
			if ic != c {
				continue
			}
			var vals []Operand
			for _, r := range rows {
				if i >= len(r) {
					continue
				}
				if o, ok := operandOf(r[i]); ok {
					vals = append(vals, o)
				}
			}
			if len(vals) > 0 {
				f.Predicates = append(f.Predicates, Predicate{Table: f.Target, Column: c, Values: vals})
			}
		}
	}
}

func extractTransaction(f *StatementFacts, t *pg_query.TransactionStmt) {
	switch t.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		f.Kind = StmtBegin
		f.Isolation = isolationOption(t.Options)
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
		f.Kind = StmtCommit
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		f.Kind = StmtRollback
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		f.Kind = StmtSavepoint
		f.Savepoint = t.SavepointName
	case pg_query.TransactionStmtKind_TRANS_STMT_RELEASE:
		f.Kind = StmtRelease
		f.Savepoint = t.SavepointName
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		f.Kind = StmtRollbackTo
		f.Savepoint = t.SavepointName
	case pg_query.TransactionStmtKind_TRANS_STMT_PREPARE:
		f.Kind = StmtPrepareTransaction
	}
}

func isolationOption(opts []*pg_query.Node) Isolation {
	for _, o := range opts {
		d := o.GetDefElem()
		if d == nil || d.Defname != "transaction_isolation" {
			continue
		}
		if op, ok := operandOf(d.Arg); ok && op.IsLiteral {
			return ParseIsolation(op.Literal)
		}
	}
	return IsolationDefault
}

func extractSet(f *StatementFacts, v *pg_query.VariableSetStmt) {
	name := strings.ToLower(v.Name)
	switch v.Kind {
	case pg_query.VariableSetKind_VAR_SET_MULTI:
		switch name {
		case "transaction":
			f.Kind = StmtSetTransaction
			f.Isolation = isolationOption(v.Args)
		case "session characteristics":
			f.Kind = StmtSetSession
			f.Isolation = isolationOption(v.Args)
		}
	case pg_query.VariableSetKind_VAR_SET_VALUE:
		if name != "default_transaction_isolation" && name != "transaction_isolation" {
			return
		}
		if name == "transaction_isolation" || v.IsLocal {
			// SET LOCAL default_… only affects later transactions of this
			// one (none); transaction_isolation is the current one.
			if name == "default_transaction_isolation" {
				return
			}
			f.Kind = StmtSetTransaction
		} else {
			f.Kind = StmtSetSession
		}
		if len(v.Args) > 0 {
			if op, ok := operandOf(v.Args[0]); ok {
				if op.IsLiteral {
					f.Isolation = ParseIsolation(op.Literal)
				} else {
					f.IsolationParam = op.Param
				}
			}
		}
	case pg_query.VariableSetKind_VAR_RESET, pg_query.VariableSetKind_VAR_SET_DEFAULT:
		if name == "default_transaction_isolation" {
			f.Kind = StmtReset
		}
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		f.Kind = StmtReset
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
