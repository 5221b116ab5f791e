package indicators

import (
	"fmt"
	"slices"
	"strings"
)

// Flag qualifies an observation that is not a plain figure of a statistical
// release; readers must be told, since each weakens a conclusion drawn from it.
type Flag string

const (
	// FlagDerived: computed from other figures (the observation's note says which).
	FlagDerived Flag = "derived"
	// FlagLowerBound: the source says "more than X"; the true value is at least X.
	FlagLowerBound Flag = "lower_bound"
	// FlagStatement: an official's rounded quote rather than a statistical release.
	FlagStatement Flag = "statement"
	// FlagEstimate: an estimate or forecast by the source.
	FlagEstimate Flag = "estimate"
)

// allFlags are the known flags in display order.
var allFlags = []Flag{FlagDerived, FlagLowerBound, FlagStatement, FlagEstimate}

// KnownFlags returns every flag Clout knows, in display order.
func KnownFlags() []Flag { return slices.Clone(allFlags) }

// Label is the flag's wording for readers.
func (f Flag) Label() string {
	switch f {
	case FlagDerived:
		return "derived"
	case FlagLowerBound:
		return "lower bound"
	case FlagStatement:
		return "official statement"
	case FlagEstimate:
		return "estimate"
	}
	return string(f)
}

// ParseFlags reads a list of flags separated by commas, semicolons or spaces
// ("derived; lower_bound"); an unknown flag is an error naming it and the known ones.
func ParseFlags(s string) ([]Flag, error) {
	var out []Flag
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '|' }) {
		f := Flag(strings.ToLower(strings.ReplaceAll(strings.TrimSpace(part), "-", "_")))
		if !slices.Contains(allFlags, f) {
			names := make([]string, len(allFlags))
			for i, k := range allFlags {
				names[i] = string(k)
			}
			return nil, fmt.Errorf("unknown flag %q (flags: %s)", part, strings.Join(names, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b Flag) int { return slices.Index(allFlags, a) - slices.Index(allFlags, b) })
	return out, nil
}

// mergeFlags returns the union of a and b in display order (nil for none).
func mergeFlags(a, b []Flag) []Flag {
	var out []Flag
	for _, f := range allFlags {
		if slices.Contains(a, f) || slices.Contains(b, f) {
			out = append(out, f)
		}
	}
	for _, fs := range [][]Flag{a, b} { // flags this version does not know, kept as they are
		for _, f := range fs {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// flagsOf returns the union of the observations' flags.
func flagsOf(obs []Observation) []Flag {
	var out []Flag
	for _, o := range obs {
		out = mergeFlags(out, o.Flags)
	}
	return out
}
