package indicators

// ImportProblem is one error or warning of an import, with its place as the
// spreadsheet shows it: Row is 1-based, Column a letter ("D") or a header name.
type ImportProblem struct {
	File    string `json:"file,omitempty"`
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// PeriodRange is the first and last period of an import.
type PeriodRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ImportReport is what every import (dry run or not) says about a file: the layout
// detected, counts, and every warning and error (README "Spreadsheet layouts").
type ImportReport struct {
	Dataset     string `json:"dataset"`
	Version     int    `json:"version,omitempty"`
	DataVersion int64  `json:"data_version,omitempty"`
	DryRun      bool   `json:"dry_run"`
	File        string `json:"file,omitempty"`
	Size        int64  `json:"size,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	Layout      string `json:"layout"`
	// Member is the file read inside an archive (zip, gz), named in reports.
	Member string `json:"member,omitempty"`
	// Vintage is the file's own date (its release, as NormalizeVintage in
	// data/importer writes it: "2023-05"), given to its figures without one.
	Vintage string `json:"vintage,omitempty"`
	// OlderFigures counts figures older than the stored ones they would sit under.
	OlderFigures int             `json:"older_figures,omitempty"`
	Rows         int             `json:"rows"`
	Observations int             `json:"observations"`
	Missing      int             `json:"missing"`
	SkippedRows  int             `json:"skipped_rows"`
	Indicators   []string        `json:"indicators"`
	Countries    int             `json:"countries"`
	CountryCodes []string        `json:"country_codes,omitempty"`
	Periods      PeriodRange     `json:"periods"`
	Sample       []Observation   `json:"sample,omitempty"`
	Warnings     []ImportProblem `json:"warnings"`
	Errors       []ImportProblem `json:"errors"`
}

// OK reports whether the import has no errors.
func (r *ImportReport) OK() bool { return len(r.Errors) == 0 }
