package indicators_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name, in string
		want     []indicators.Flag
		err      string // part of the error; "" for none
	}{
		{name: "empty", in: ""},
		{name: "one", in: "derived", want: []indicators.Flag{indicators.FlagDerived}},
		{name: "separators, case and dashes", in: "Lower-Bound; estimate, derived",
			want: []indicators.Flag{indicators.FlagDerived, indicators.FlagLowerBound, indicators.FlagEstimate}},
		{name: "repeated once", in: "statement|statement", want: []indicators.Flag{indicators.FlagStatement}},
		{name: "unknown", in: "derived, guess", err: `unknown flag "guess" (flags: derived, lower_bound, statement, estimate)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := indicators.ParseFlags(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseFlags(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("ParseFlags(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFlagLabels(t *testing.T) {
	known := indicators.KnownFlags()
	if len(known) != 4 || known[0] != indicators.FlagDerived {
		t.Fatalf("KnownFlags() = %v", known)
	}
	known[0] = "changed" // a copy: the caller cannot change Clout's list
	if indicators.KnownFlags()[0] != indicators.FlagDerived {
		t.Fatal("KnownFlags returns its own slice")
	}
	for f, want := range map[indicators.Flag]string{
		indicators.FlagLowerBound: "lower bound",
		indicators.FlagStatement:  "official statement",
		"other":                   "other",
	} {
		if got := f.Label(); got != want {
			t.Errorf("%q.Label() = %q, want %q", f, got, want)
		}
	}
}
