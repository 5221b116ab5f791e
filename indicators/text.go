package indicators

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on the texts Clout stores and shows. Every text reaches pages, API
// answers and exports of anonymous readers, so each has a length limit (in
// characters) and a character rule; the importer, the CLI and the forms all
// check them with the functions below.
const (
	// MaxCodeLen bounds an indicator code, which chart parameters and URLs carry.
	MaxCodeLen = 64
	// MaxVintageLen bounds a vintage, the name of a source's release ("2023-05").
	MaxVintageLen = 40
	// MaxCellLen is the most characters a spreadsheet cell holds (Excel's own
	// limit); a longer cell is no spreadsheet's.
	MaxCellLen = 32767
)

// Text is a kind of free text Clout stores: each has a name for messages, a
// length limit and whether it may span lines.
type Text uint8

// The kinds of free text.
const (
	DatasetName Text = iota + 1 // a dataset's name (shown in lists and URLs)
	Label                       // a country or series name read from a cell, a chart or claim label
	Unit                        // an observation's unit ("million m3")
	Source                      // an observation's source ("World Bank, WDI")
	Note                        // an observation's note; may span lines
	FileName                    // an imported file's name
	Statement                   // a claim's quoted statement; may span lines
	Title                       // where a claim was made (an article's title)
	Link                        // a claim's source URL
)

type textSpec struct {
	name      string
	max       int
	multiline bool
}

func (t Text) spec() textSpec {
	switch t {
	case DatasetName:
		return textSpec{"dataset name", 100, false}
	case Label:
		return textSpec{"label", 200, false}
	case Unit:
		return textSpec{"unit", 100, false}
	case Source:
		return textSpec{"source", 1000, false}
	case Note:
		return textSpec{"note", 2000, true}
	case FileName:
		return textSpec{"file name", 255, false}
	case Statement:
		return textSpec{"statement", 2000, true}
	case Title:
		return textSpec{"title", 300, false}
	case Link:
		return textSpec{"link", 2000, false}
	}
	panic(fmt.Sprintf("indicators: unknown kind of text %d", t))
}

// String names the kind of text.
func (t Text) String() string { return t.spec().name }

// Max is the kind's length limit in characters.
func (t Text) Max() int { return t.spec().max }

// CheckText returns an EINVALID error naming the kind of text if s is too long
// or holds a character no text of that kind may: invalid UTF-8, control
// characters (line breaks and tabs only in a note) and the bidirectional
// overrides that make text display other than it reads. A dataset name must
// not be empty; other texts may.
func CheckText(kind Text, s string) error {
	spec := kind.spec()
	if kind == DatasetName && strings.TrimSpace(s) == "" {
		return Errorf(EINVALID, "the %s is empty", spec.name)
	}
	if err := checkLength(spec.name, s, spec.max); err != nil {
		return err
	}
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, "%s %s is not valid UTF-8 text", spec.name, quoteClipped(s))
	}
	for i, c := range s {
		if spec.multiline && (c == '\n' || c == '\t' || c == '\r') {
			continue
		}
		if unicode.IsControl(c) || isBidiControl(c) {
			return Errorf(EINVALID, "%s %s holds the control character U+%04X at character %d", spec.name, quoteClipped(s), c, utf8.RuneCountInString(s[:i])+1)
		}
	}
	return nil
}

// IsIndicatorCode reports whether s is an indicator code: 1 to MaxCodeLen ASCII
// letters, digits, '.', '_' and '-'. The rule is the charts' (a chart's
// indicator parameter accepts exactly these), so every code the importer
// stores can be charted, and a code is the same text in a URL as on a page.
func IsIndicatorCode(s string) bool {
	return s != "" && len(s) <= MaxCodeLen && strings.IndexFunc(s, func(c rune) bool {
		return !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')
	}) < 0
}

// CheckIndicatorCode returns an EINVALID error saying why s is not an indicator
// code (IsIndicatorCode), or nil.
func CheckIndicatorCode(s string) error {
	switch {
	case s == "":
		return Errorf(EINVALID, "indicator code is empty")
	case IsIndicatorCode(s):
		return nil
	}
	if err := checkLength("indicator code", s, MaxCodeLen); err != nil {
		return err
	}
	return Errorf(EINVALID, "%s is not an indicator code: only letters A-Z, digits, '.', '_' and '-' (e.g. %s)", quoteClipped(s), PopulationCode)
}

// IsVintage reports whether s can name a vintage: 1 to MaxVintageLen
// letters, digits, '.', '_', '-' and single spaces between words
// ("2023-05", "WDI April 2024"), other than the words a chart's vintage
// parameter reads as the newest. That parameter accepts exactly these.
func IsVintage(s string) bool {
	if s == "" || strings.EqualFold(s, "newest") || strings.EqualFold(s, Latest) || utf8.RuneCountInString(s) > MaxVintageLen || s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
		return false
	}
	return strings.IndexFunc(s, func(c rune) bool {
		return !(unicode.IsLetter(c) || unicode.IsDigit(c) || c == '.' || c == '_' || c == '-' || c == ' ')
	}) < 0
}

// CheckVintage returns an EINVALID error saying why s cannot name a vintage
// (IsVintage), or nil.
func CheckVintage(s string) error {
	if IsVintage(s) {
		return nil
	}
	if err := checkLength("vintage", s, MaxVintageLen); err != nil {
		return err
	}
	return Errorf(EINVALID, "%s is not a vintage: letters, digits, '.', '_', '-' and single spaces, not \"newest\" or \"latest\" (e.g. 2023-05)", quoteClipped(s))
}

// CheckCell returns an EINVALID error if a spreadsheet cell is longer than any
// spreadsheet cell can be (MaxCellLen).
func CheckCell(s string) error {
	if len(s) <= MaxCellLen {
		return nil // bytes ≥ characters: the cheap test first
	}
	return checkLength("cell", s, MaxCellLen)
}

func checkLength(what, s string, max int) error {
	if len(s) <= max {
		return nil
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Errorf(EINVALID, "%s %s is %d characters long, over the limit of %d", what, quoteClipped(s), n, max)
	}
	return nil
}

// isBidiControl reports the characters that override or isolate text
// direction: in a label they make it display other than it reads.
func isBidiControl(c rune) bool {
	return c >= '\u202A' && c <= '\u202E' || c >= '\u2066' && c <= '\u2069'
}

// quoteClipped quotes the first characters of s for a message, so that a
// message about a huge text stays short.
func quoteClipped(s string) string {
	const n = 24
	if utf8.RuneCountInString(s) <= n {
		return fmt.Sprintf("%q", s)
	}
	i := 0
	for j := range s {
		if i == n {
			return fmt.Sprintf("%q…", s[:j])
		}
		i++
	}
	return fmt.Sprintf("%q", s)
}
