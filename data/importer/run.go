package importer

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/clout-dev/clout/indicators"
	"github.com/xuri/excelize/v2"
)

// run is the state of one import: where the reader is, what it found, and the
// batches on their way to the store. It is used by one goroutine at a time.
type run struct {
	ctx    context.Context
	im     *Importer
	req    Request
	parsed parsedFile // the file read: req's, or the one inside its archive
	rep    *indicators.ImportReport
	forced *layout // nil: detect
	kind   fileKind

	// place
	sheet    string
	sheetIdx uint16
	sheets   []string
	colNames []string // csv: header names, used to name columns in problems
	isCSV    bool
	hint     byte // decimal mark implied by the csv delimiter
	layouts  []string
	header   indicators.ImportProblem // where the first table's header is
	textCol  [nTextFields]int         // per text field: its column in the current table, or -1
	lastOK   [nTextFields]string      // per text field: the last text that passed
	badText  map[textKey]string       // texts that failed, with their error
	// skippedBelow counts the rows below a header that were skipped (notes,
	// attribute rows), not the title rows above it.
	skippedBelow int

	// problems
	errs     []indicators.ImportProblem
	moreErrs int
	counted  []*countedWarning
	countIdx map[string]*countedWarning

	// caches, so that a million rows cost a few map look-ups each and no allocation
	strs      map[string]string
	lastStr   string // the text str interned or found last
	countries map[string]countryResult
	periods   map[string]periodResult
	ids       map[string]uint32

	// what was found
	keys        keySet
	flags       []uint8  // per interned id: seen as indicator, country, partner
	unitOf      []string // per indicator id: the first unit seen
	ctyList     []string
	aggSeen     map[string]bool
	unitWarned  map[string]bool
	memoInd     string // the previous row's indicator and country, whose ids are
	memoCty     string // looked up again for nearly every row
	memoIndID   uint32
	memoCtyID   uint32
	minP, maxP  indicators.Period
	cells       int64
	fileVintage string // the file's own date (NormalizeVintage), for figures without one

	// pipeline
	batch     []indicators.Observation
	out, free chan []indicators.Observation
	failed    *indicators.Error
	lastProg  time.Time
	bytes     func() int64
}

// countedWarning is a warning said once with how often it happened.
type countedWarning struct {
	format string // with one %d for the count
	n      int
	first  indicators.ImportProblem
}

type countryResult struct {
	code string
	err  string
	agg  bool
}

type periodResult struct {
	p   indicators.Period
	err string
}

// obsKey is an observation's identity in 20 bytes (interned ids), so a million keys
// fit in a few tens of MiB.
type obsKey struct {
	ind, cty, par uint32
	per           int32
	vin           uint32 // the vintage's interned id (0 for none)
}

type seen struct {
	row   int32
	sheet uint16
	v     float64
}

func newRun(ctx context.Context, im *Importer, req Request, parsed parsedFile, rep *indicators.ImportReport, forced *layout, kind fileKind) *run {
	return &run{
		ctx: ctx, im: im, req: req, parsed: parsed, rep: rep, forced: forced, kind: kind,
		countIdx: map[string]*countedWarning{}, strs: map[string]string{},
		countries: map[string]countryResult{}, periods: map[string]periodResult{},
		ids: map[string]uint32{"": 0}, flags: []uint8{0}, unitOf: []string{""}, keys: keySet{late: map[obsKey]seen{}},
		aggSeen: map[string]bool{}, unitWarned: map[string]bool{}, badText: map[textKey]string{},
		textCol: noTextCols(),
	}
}

// source returns the ObservationSource the store pulls from: the parser runs in
// its own goroutine and passes full batches through a channel, so parsing and
// storing overlap. If the file has any error the source returns it after the
// parse, and the store rolls back.
func (r *run) source() indicators.ObservationSource {
	return func(yield func([]indicators.Observation) error) error {
		ctx, cancel := context.WithCancel(r.ctx)
		defer cancel()
		const inFlight = 4
		r.out = make(chan []indicators.Observation, inFlight)
		r.free = make(chan []indicators.Observation, inFlight)
		for range inFlight - 1 {
			r.free <- make([]indicators.Observation, 0, batchSize)
		}
		r.batch = make([]indicators.Observation, 0, batchSize)
		done := make(chan error, 1)
		go func() {
			defer close(r.out)
			done <- r.parseSafely(ctx)
		}()
		var yerr error
		for b := range r.out {
			if yerr == nil {
				if yerr = yield(b); yerr != nil {
					cancel()
				}
			}
			r.free <- b[:0]
		}
		perr := <-done
		switch {
		case yerr != nil: // the store failed first; the parser only saw the cancellation
			return yerr
		case perr != nil:
			return perr
		}
		// Inside the store's write transaction, so the warnings reach the stored
		// report; the store reads the other datasets on another connection.
		if err := r.checkOlderVintage(ctx); err != nil {
			r.failed = err.(*indicators.Error)
			return err
		}
		r.addOverlapWarnings(ctx)
		return nil
	}
}

// parseSafely parses the file and turns a panic (a bug, or a file excelize chokes
// on) into an error, so one bad upload cannot bring the server down.
func (r *run) parseSafely(ctx context.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			// A panic is a bug (ours or a library's): EINTERNAL, and the fuzz
			// target fails on it.
			err = indicators.Errorf(indicators.EINTERNAL, "%s could not be read (panic: %v)", displayName(r.req.FileName), p)
		}
		r.finishReport()
		if err == nil {
			err = r.verdict()
		}
		if e, ok := err.(*indicators.Error); ok {
			r.failed = e
		}
	}()
	if err := r.parse(ctx); err != nil {
		return err
	}
	if len(r.errs) == 0 && len(r.batch) > 0 {
		return r.send(ctx)
	}
	return nil
}

// verdict is the error that rejects the import, or nil.
func (r *run) verdict() error {
	if len(r.errs) == 0 && r.rep.Observations == 0 {
		// A table without figures would replace the dataset with nothing:
		// almost always the wrong file.
		r.sheet = r.header.Sheet
		switch {
		case r.rep.Rows > 0:
			r.errorf(0, -1, "no figures: every value cell of the table is empty or missing (%d missing)", r.rep.Missing)
		case r.skippedBelow > 0:
			r.errorf(r.header.Row, -1, "no observations: the %s table under this header has no rows of figures (%d rows skipped)", r.rep.Layout, r.skippedBelow)
		default:
			r.errorf(r.header.Row, -1, "no observations: the %s table under this header has no rows", r.rep.Layout)
		}
		r.rep.Errors = append(r.rep.Errors[:0], r.errs...)
	}
	if len(r.errs) == 0 {
		return nil
	}
	first := r.errs[0]
	n := len(r.errs) + r.moreErrs
	what := "1 error"
	if n > 1 {
		what = fmt.Sprintf("%d errors", n)
	}
	return &indicators.Error{
		Code:    indicators.EINVALID,
		Message: fmt.Sprintf("%s: %s, nothing imported (first: %s)", displayName(r.req.FileName), what, placeText(first)),
		Details: r.rep.Errors,
	}
}

// placeText formats a problem as `sheet "Data" row 7 column D: message`.
func placeText(p indicators.ImportProblem) string {
	var b strings.Builder
	if p.Sheet != "" {
		fmt.Fprintf(&b, "sheet %q ", p.Sheet)
	}
	if p.Row > 0 {
		fmt.Fprintf(&b, "row %d ", p.Row)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, "column %s ", p.Column)
	}
	s := strings.TrimSpace(b.String())
	if s == "" {
		return p.Message
	}
	return s + ": " + p.Message
}

// send hands the current batch to the store goroutine and takes an empty one.
func (r *run) send(ctx context.Context) error {
	select {
	case r.out <- r.batch:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case r.batch = <-r.free:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// place returns a problem located at row and column index col (-1: none).
func (r *run) place(row, col int, msg string) indicators.ImportProblem {
	return indicators.ImportProblem{File: r.req.FileName, Sheet: r.sheet, Row: row, Column: clip(r.colName(col), indicators.MaxCodeLen), Message: msg}
}

// colName names column i: its letter in a workbook, its header in a csv.
func (r *run) colName(i int) string {
	if i < 0 {
		return ""
	}
	if r.isCSV && i < len(r.colNames) && r.colNames[i] != "" {
		return r.colNames[i]
	}
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return fmt.Sprint(i + 1)
	}
	return name
}

// errorf records an error at row, column col; every error is kept (up to the cap).
func (r *run) errorf(row, col int, format string, args ...any) {
	if len(r.errs) >= r.im.opts.MaxErrors {
		r.moreErrs++
		return
	}
	r.errs = append(r.errs, r.place(row, col, fmt.Sprintf(format, args...)))
}

// warnf records a warning said once.
func (r *run) warnf(row, col int, format string, args ...any) {
	r.rep.Warnings = append(r.rep.Warnings, r.place(row, col, fmt.Sprintf(format, args...)))
}

// count records one occurrence of a warning said once with its count; format has
// one %d.
func (r *run) count(row, col int, format string) {
	w := r.countIdx[format]
	if w == nil {
		w = &countedWarning{format: format, first: r.place(row, col, "")}
		r.countIdx[format] = w
		r.counted = append(r.counted, w)
	}
	w.n++
}

// str interns s: repeated indicator, unit and source texts share one string, and
// no string keeps a whole csv record alive.
func (r *run) str(s string) string {
	// "" and the text interned last (the same indicator or source on row after
	// row) need no map lookup.
	if s == "" || s == r.lastStr {
		return s
	}
	if t, ok := r.strs[s]; ok {
		r.lastStr = t
		return t
	}
	t := strings.Clone(s)
	r.strs[t] = t
	r.lastStr = t
	return t
}

// id returns the dense number of an interned code (0 for "").
func (r *run) id(s string) uint32 {
	if s == "" {
		return 0
	}
	if n, ok := r.ids[s]; ok {
		return n
	}
	n := uint32(len(r.ids))
	r.ids[s] = n
	r.flags = append(r.flags, 0)
	r.unitOf = append(r.unitOf, "")
	return n
}

// Flags kept per id.
const (
	seenIndicator uint8 = 1 << iota
	seenCountry
	seenPartner
)

// country resolves a country cell (cached per distinct text). ok is false after an
// error was recorded.
func (r *run) country(raw string, row, col int) (string, bool) {
	res, hit := r.countries[raw]
	if !hit {
		res = r.resolve(raw)
		r.countries[strings.Clone(raw)] = res
	}
	if res.err != "" {
		r.errorf(row, col, "%s", res.err)
		return "", false
	}
	return res.code, true
}

func (r *run) resolve(raw string) countryResult {
	s := trimSpace(raw)
	if s == "" {
		return countryResult{err: "country is empty"}
	}
	if err := indicators.CheckText(indicators.Label, s); err != nil {
		return countryResult{err: "country: " + indicators.ErrorMessage(err)}
	}
	code, err := r.im.opts.Countries.Resolve(s)
	if err != nil {
		return countryResult{err: indicators.ErrorMessage(err)}
	}
	return countryResult{code: r.str(code), agg: r.im.opts.Countries.IsAggregate(code)}
}

// period parses a period cell (cached per distinct text).
func (r *run) period(raw string, row, col int) (indicators.Period, bool) {
	res, hit := r.periods[raw]
	if !hit {
		res = parsePeriodCell(raw)
		r.periods[strings.Clone(raw)] = res
	}
	if res.err != "" {
		r.errorf(row, col, "%s", res.err)
		return indicators.Period{}, false
	}
	return res.p, true
}

// value parses a value cell. ok is false for a missing value (counted) or an error
// (recorded); pct reports a percent sign.
func (r *run) value(raw string, row, col int) (v float64, pct, ok bool) {
	v, kind, err := parseNumber(raw, r.hint)
	switch {
	case err != nil:
		r.errorf(row, col, "%s", err.Error())
		return 0, false, false
	case kind == numMissing:
		r.rep.Missing++
		return 0, false, false
	}
	return v, kind == numPercent, true
}

// emit validates one observation's identity and queues it for the store.
func (r *run) emit(o indicators.Observation, row, col int) {
	if o.Indicator == "" {
		r.errorf(row, -1, "indicator is empty")
		return
	}
	if o.Vintage == "" && r.fileVintage != "" {
		o.Vintage, o.Source = r.fileVintage, r.vintageSource(o.Source)
	}
	if !r.textsOK(&o, row) {
		return
	}
	if o.Indicator != r.memoInd {
		r.memoInd, r.memoIndID = o.Indicator, r.id(o.Indicator)
	}
	if o.Country != r.memoCty {
		r.memoCty, r.memoCtyID = o.Country, r.id(o.Country)
	}
	k := obsKey{r.memoIndID, r.memoCtyID, r.id(o.Partner), packPeriod(o.Period), r.id(o.Vintage)}
	if prev, dup := r.keys.add(k, seen{row: int32(row), sheet: r.sheetIdx, v: o.Value}); dup {
		r.duplicate(o, prev, row, col)
		return
	}
	r.note(o, k)
	if len(r.errs) > 0 {
		return // the import is rejected: keep validating, stop feeding the store
	}
	r.batch = append(r.batch, o)
	if len(r.batch) == cap(r.batch) {
		if err := r.send(r.ctx); err != nil {
			r.errorf(row, -1, "import stopped: %v", err)
		}
	}
}

// The texts of an observation that the domain bounds (indicators/text.go).
const (
	textIndicator = iota
	textUnit
	textSource
	textNote
	textVintage
	nTextFields
)

// noTextCols is textCol before a layout names its columns.
func noTextCols() [nTextFields]int { return [nTextFields]int{-1, -1, -1, -1, -1} }

type textKey struct {
	field int
	s     string
}

// textColumner is a mapper that knows the columns of an observation's texts,
// so that an error about one names its column.
type textColumner interface {
	textColumns() [nTextFields]int
}

// textsOK checks an observation's texts against the domain's bounds: the
// indicator code is one a chart can be asked for, unit, source and note are
// bounded and hold no control characters, the vintage is one a chart can
// select. A failure is an error at the row (and the text's column); each
// text is checked once unless it alternates with others.
func (r *run) textsOK(o *indicators.Observation, row int) bool {
	ok := true
	for f, s := range [nTextFields]string{o.Indicator, o.Unit, o.Source, o.Note, o.Vintage} {
		if s == "" || s == r.lastOK[f] {
			continue
		}
		k := textKey{f, s}
		msg, bad := r.badText[k]
		if !bad {
			if err := checkTextField(f, s); err != nil {
				msg, bad = indicators.ErrorMessage(err), true
				r.badText[k] = msg
			}
		}
		if bad {
			r.errorf(row, r.textCol[f], "%s", msg)
			ok = false
			continue
		}
		r.lastOK[f] = s
	}
	return ok
}

func checkTextField(field int, s string) error {
	switch field {
	case textIndicator:
		return indicators.CheckIndicatorCode(s)
	case textUnit:
		return indicators.CheckText(indicators.Unit, s)
	case textSource:
		return indicators.CheckText(indicators.Source, s)
	case textNote:
		return indicators.CheckText(indicators.Note, s)
	}
	return indicators.CheckVintage(s)
}

func (r *run) duplicate(o indicators.Observation, prev seen, row, col int) {
	where := fmt.Sprintf("row %d", prev.row)
	if int(prev.sheet) < len(r.sheets) && r.sheets[prev.sheet] != r.sheet {
		where = fmt.Sprintf("sheet %q row %d", r.sheets[prev.sheet], prev.row)
	}
	if prev.v == o.Value {
		r.count(row, col, "%d repeated observations with the same value as an earlier row kept once")
		return
	}
	partner := ""
	if o.Partner != "" {
		partner = " partner " + o.Partner
	}
	vintage := ""
	if o.Vintage != "" {
		vintage = " (vintage " + o.Vintage + ")"
	}
	r.errorf(row, col, "%s %s%s %s%s is also given at %s with a different value", o.Indicator, o.Country, partner, o.Period, vintage, where)
}

// note adds an accepted observation to the report's counts; per-id flags make
// this a few slice reads per row.
func (r *run) note(o indicators.Observation, k obsKey) {
	rep := r.rep
	rep.Observations++
	if len(rep.Sample) < sampleSize {
		rep.Sample = append(rep.Sample, o)
	}
	switch {
	case r.flags[k.ind]&seenIndicator == 0:
		r.flags[k.ind] |= seenIndicator
		rep.Indicators = append(rep.Indicators, o.Indicator)
		r.unitOf[k.ind] = o.Unit
	case r.unitOf[k.ind] != o.Unit && !r.unitWarned[o.Indicator]:
		r.unitWarned[o.Indicator] = true
		r.warnf(0, -1, "indicator %s has more than one unit in this file (%q and %q)", o.Indicator, r.unitOf[k.ind], o.Unit)
	}
	if r.flags[k.cty]&seenCountry == 0 {
		r.flags[k.cty] |= seenCountry
		r.ctyList = append(r.ctyList, o.Country)
		if r.im.opts.Countries.IsAggregate(o.Country) {
			r.aggSeen[o.Country] = true
		}
	}
	if k.par != 0 && r.flags[k.par]&seenPartner == 0 {
		r.flags[k.par] |= seenPartner
		if o.Partner != "WLD" && r.im.opts.Countries.IsAggregate(o.Partner) {
			r.aggSeen[o.Partner] = true
		}
	}
	if r.minP.IsZero() || o.Period.Before(r.minP) {
		r.minP = o.Period
	}
	if r.maxP.IsZero() || r.maxP.Before(o.Period) {
		r.maxP = o.Period
	}
}

// packPeriod packs a period into an int32 map key.
func packPeriod(p indicators.Period) int32 {
	return int32(p.Year)<<8 | int32(p.Freq)<<5 | int32(p.Sub)
}

func unpackPeriod(n int32) indicators.Period {
	return indicators.Period{Year: int(n >> 8), Freq: indicators.Frequency(n >> 5 & 7), Sub: int(n & 31)}
}

// finishReport fills the report's summary fields from what the run found.
func (r *run) finishReport() {
	rep := r.rep
	rep.Layout = strings.Join(r.layouts, "+")
	codes := append([]string(nil), r.ctyList...)
	sort.Strings(codes)
	rep.Countries, rep.CountryCodes = len(codes), codes
	if !r.minP.IsZero() {
		rep.Periods = indicators.PeriodRange{From: r.minP.String(), To: r.maxP.String()}
	}
	if n := len(r.aggSeen); n > 0 {
		rep.Warnings = append(rep.Warnings, indicators.ImportProblem{File: r.req.FileName,
			Message: fmt.Sprintf("%d %s stored under their codes (%s)", n, r.aggregateNoun(), listSome(r.aggSeen, 8))})
	}
	for _, w := range r.counted {
		p := w.first
		p.Message = fmt.Sprintf(w.format, w.n)
		rep.Warnings = append(rep.Warnings, p)
	}
	r.counted = nil
	rep.Errors = append(rep.Errors[:0], r.errs...)
	if r.moreErrs > 0 {
		rep.Errors = append(rep.Errors, indicators.ImportProblem{File: r.req.FileName, Message: fmt.Sprintf("... and %d more errors", r.moreErrs)})
	}
	r.progress(true)
}

func (r *run) aggregateNoun() string {
	for _, l := range r.layouts {
		switch l {
		case "worldbank", "databank", "databank-rows":
			return "World Bank aggregates"
		case "dots", "imfreport":
			return "IMF area aggregates"
		case "oecd":
			return "IEA/OECD aggregates"
		case "comtrade":
			return "UN Comtrade special areas"
		}
	}
	return "aggregates (regions, groups)"
}

func listSome(set map[string]bool, n int) string {
	all := make([]string, 0, len(set))
	for k := range set {
		all = append(all, k)
	}
	sort.Strings(all)
	if len(all) > n {
		return strings.Join(all[:n], ", ") + ", ..."
	}
	return strings.Join(all, ", ")
}

// progress reports progress to the caller at most every ProgressGap (and at the end).
func (r *run) progress(final bool) {
	fn := r.im.opts.Progress
	if fn == nil {
		return
	}
	now := r.im.opts.Now()
	if !final && now.Sub(r.lastProg) < r.im.opts.ProgressGap {
		return
	}
	r.lastProg = now
	p := Progress{Total: r.rep.Size, Rows: int64(r.rep.Rows), Sheet: r.sheet}
	if r.bytes != nil {
		p.Bytes = r.bytes()
	}
	if final {
		p.Bytes = p.Total
	}
	fn(p)
}

// addOverlapWarnings asks the store which other datasets give the same keys.
func (r *run) addOverlapWarnings(ctx context.Context) {
	st := r.im.store
	if st == nil || r.keys.len() == 0 {
		return
	}
	if !r.othersExist(ctx) {
		return
	}
	totals, err := st.Overlaps(ctx, r.rep.Dataset, importKeys{r})
	if err != nil {
		r.warnf(0, -1, "could not check overlaps with other datasets: %s", indicators.ErrorMessage(err))
		return
	}
	dss := make([]string, 0, len(totals))
	for ds := range totals {
		dss = append(dss, ds)
	}
	sort.Strings(dss)
	for _, ds := range dss {
		if n := totals[ds]; n > 0 {
			r.warnf(0, -1, "%d observations are also in dataset %q; this import takes precedence", n, ds)
		}
	}
}

// importKeys is the import's keys as an indicators.KeySet, for Overlaps.
type importKeys struct{ r *run }

func (k importKeys) Len() int { return k.r.keys.len() }

func (k importKeys) Contains(key indicators.Key) bool {
	ids := k.r.ids
	ind, ok1 := ids[key.Indicator]
	cty, ok2 := ids[key.Country]
	par, ok3 := ids[key.Partner]
	vin, ok4 := ids[key.Vintage]
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return false
	}
	return k.r.keys.has(obsKey{ind, cty, par, packPeriod(key.Period), vin})
}

func (k importKeys) All() iter.Seq[indicators.Key] {
	byID := make([]string, len(k.r.ids))
	for s, n := range k.r.ids {
		byID[n] = s
	}
	return func(yield func(indicators.Key) bool) {
		for o := range k.r.keys.all() {
			if !yield(indicators.Key{Indicator: byID[o.ind], Country: byID[o.cty], Partner: byID[o.par],
				Period: unpackPeriod(o.per), Vintage: byID[o.vin]}) {
				return
			}
		}
	}
}

// othersExist reports whether any other dataset holds observations, so that the
// first import into an empty store skips the overlap query.
func (r *run) othersExist(ctx context.Context) bool {
	dss, err := r.im.store.Datasets(ctx)
	if err != nil {
		return true
	}
	for _, d := range dss {
		if d.Name != r.rep.Dataset && d.Observations > 0 {
			return true
		}
	}
	return false
}

// parsePeriodCell parses a period, refusing an Excel date serial (a date cell read
// raw, e.g. 43922), which would otherwise read as a strange year and month.
func parsePeriodCell(raw string) periodResult {
	t := trimSpace(raw)
	if n, err := strconv.Atoi(t); err == nil && len(t) == 5 && n > 0 {
		d := excelEpoch.AddDate(0, 0, n)
		return periodResult{err: fmt.Sprintf("%s is an Excel date (%s): write the period as text, e.g. %s or %d",
			t, d.Format("2006-01-02"), d.Format("2006-01"), d.Year())}
	}
	p, err := indicators.ParsePeriod(raw)
	if err != nil {
		return periodResult{err: indicators.ErrorMessage(err)}
	}
	return periodResult{p: p}
}

// excelEpoch is day 0 of Excel's 1900 date system (with its leap-year quirk).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
