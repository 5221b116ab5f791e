package indicators

// Params are a chart's parameters as given (URL query, CLI --param k=v): name → value.
// Lists are comma-separated ("TUR,AZE"); country lists take ISO3 codes, other
// country spellings and group names mixed ("FSU-CORE,TUR").
type Params map[string]string

// ParamSpec describes one chart parameter for forms, docs and validation.
type ParamSpec struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"` // year | countries | country | number | int | enum | period | indicator
	Default string   `json:"default"`
	Help    string   `json:"help"`
	Options []string `json:"options,omitempty"` // for enum
}

// Chart is one of the built-in charts (README "Charts and parameters"). It is pure: callers fetch the
// observations that Query asks for (from a Store) and pass them to Compute.
type Chart interface {
	ID() string
	Title() string
	Params() []ParamSpec
	// Query returns what to read from the store for p; a bad parameter is an
	// *Error with code EINVALID whose message names the parameter.
	Query(p Params) (Query, error)
	// Compute turns the observations into the chart's result.
	Compute(p Params, obs []Observation) (*Result, error)
}

// Column is a column of a result table.
type Column struct {
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"`
}

// Table is exactly what a chart plots, row by row: the accessible data view and the
// CSV/XLSX export. Cells are string, float64 or nil (missing).
type Table struct {
	Columns []Column `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// Result is a computed chart: its resolved parameters, a data-computed one-line
// statement, the plotted table, coverage notes (what is missing, never shown as 0),
// the sources of the observations used, and a chart-specific Detail
// (*TradeShareResult, *GasExportsResult, *IntegrationGainResult, *SeriesResult,
// *MapResult) that the option builders draw.
type Result struct {
	Chart     string   `json:"chart"`
	Title     string   `json:"title"`
	Subtitle  string   `json:"subtitle"`
	Statement string   `json:"statement"`
	Params    Params   `json:"params"`
	Table     Table    `json:"table"`
	Coverage  []string `json:"coverage"`
	Sources   []string `json:"sources"`
	// Citations are the sources as a reader cites them, one per publication.
	Citations   []Citation `json:"citations"`
	DataVersion int64      `json:"data_version"`
	Detail      any        `json:"detail"`
	// Vintage is the vintage the result shows: the one asked for, or "" for the
	// newest of each figure. Vintages are those its figures come from (oldest
	// first), VintagesAvailable those of every figure read, and VintageDiffs say
	// where vintages disagree and by how much.
	Vintage           string        `json:"vintage"`
	Vintages          []string      `json:"vintages"`
	VintagesAvailable []string      `json:"vintages_available"`
	VintageDiffs      []VintageDiff `json:"vintage_diffs"`
	// Flags are those of the figures the result uses (derived, lower bound,
	// statement, estimate), and Flagged those figures, for pages and exports to
	// show beside the numbers.
	Flags   []Flag        `json:"flags"`
	Flagged []Observation `json:"flagged"`
}

// VintageDiff is one computed figure that differs between vintages of its
// inputs: e.g. the 2019 GDP PPP ratio, 30.6% in the 2023-05 vintage and 32.5% in
// 2026-07.
type VintageDiff struct {
	What   string         `json:"what"`
	Period string         `json:"period"`
	Unit   string         `json:"unit"`
	Values []VintageValue `json:"values"` // oldest vintage first
	Spread float64        `json:"spread"` // largest minus smallest value
}

// VintageValue is a figure as computed from one vintage.
type VintageValue struct {
	Vintage string  `json:"vintage"`
	Value   float64 `json:"value"`
}
