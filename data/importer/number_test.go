package importer

import (
	"strings"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		hint    byte
		want    float64
		kind    numKind
		wantErr string
	}{
		{name: "integer", in: "470", want: 470},
		{name: "machine decimal", in: "1363755808.78006", want: 1363755808.78006},
		{name: "raw xlsx float", in: "9.9999999999999964", want: 9.9999999999999964},
		{name: "exponent", in: "1.5E+09", want: 1.5e9},
		{name: "small exponent", in: "2.5e-05", want: 2.5e-5},
		{name: "negative", in: "-12.5", want: -12.5},
		{name: "unicode minus", in: "−68,6", want: -68.6},
		{name: "decimal comma", in: "12,5", want: 12.5},
		{name: "leading zero decimal comma", in: "0,123", want: 0.123},
		{name: "long integer part decimal comma", in: "1234,567", want: 1234.567},
		{name: "space thousands", in: "1 234 567", want: 1234567},
		{name: "nbsp thousands decimal comma", in: "1\u00a0234,5", want: 1234.5},
		{name: "thin space thousands", in: "12\u2009345", want: 12345},
		{name: "narrow nbsp thousands", in: "12\u202f345,25", want: 12345.25},
		{name: "space thousands then comma with three digits", in: "1 234,567", want: 1234.567},
		{name: "comma thousands dot decimal", in: "1,234,567.89", want: 1234567.89},
		{name: "dot thousands comma decimal", in: "1.234.567,89", want: 1234567.89},
		{name: "several comma groups", in: "12,345,678", want: 12345678},
		{name: "several dot groups", in: "12.345.678", want: 12345678},
		{name: "dot with three digits is a decimal", in: "1.234", want: 1.234},
		{name: "comma three digits in comma csv", in: "1,234", hint: hintDot, want: 1234},
		{name: "comma three digits in semicolon csv", in: "1,234", hint: hintComma, want: 1.234},
		{name: "comma exponent", in: "1,5E+09", want: 1.5e9},
		{name: "surrounding spaces", in: "  42 ", want: 42},
		{name: "percent", in: "12.5%", want: 12.5, kind: numPercent},
		{name: "percent with space and comma", in: "12,5 %", want: 12.5, kind: numPercent},
		{name: "empty", in: "", kind: numMissing},
		{name: "spaces only", in: "   ", kind: numMissing},
		{name: "two dots", in: "..", kind: numMissing},
		{name: "hyphen", in: "-", kind: numMissing},
		{name: "en dash", in: "–", kind: numMissing},
		{name: "em dash", in: "—", kind: numMissing},
		{name: "n/a", in: "n/a", kind: numMissing},
		{name: "N/A", in: "N/A", kind: numMissing},
		{name: "NA", in: "NA", kind: numMissing},
		{name: "ambiguous comma", in: "1,234", wantErr: `"1,234" is ambiguous`},
		{name: "ambiguous dot in semicolon csv", in: "1.234", hint: hintComma, wantErr: `"1.234" is ambiguous`},
		{name: "bad groups", in: "12,3,4", wantErr: `"12,3,4" is not a number`},
		{name: "bad space groups", in: "12 34", wantErr: `"12 34" is not a number`},
		{name: "two decimal marks", in: "1.2.3,4", wantErr: "is not a number"},
		{name: "text", in: "abc", wantErr: `"abc" is not a number`},
		{name: "NaN", in: "NaN", wantErr: `"NaN" is not a number`},
		{name: "Inf", in: "Inf", wantErr: `"Inf" is not a number`},
		{name: "negative infinity", in: "-Infinity", wantErr: "is not a number"},
		{name: "overflow", in: "1e400", wantErr: `"1e400" is out of range`},
		{name: "currency", in: "$12", wantErr: "is not a number"},
		{name: "lone comma", in: ",", wantErr: "is not a number"},
		{name: "sign only", in: "+", wantErr: "is not a number"},
		{name: "trailing mark", in: "12,", wantErr: "is not a number"},
		{name: "percent sign only", in: "%", wantErr: "is not a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, kind, err := parseNumber(tc.in, tc.hint)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseNumber(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseNumber(%q): %v", tc.in, err)
			}
			if kind != tc.kind || got != tc.want {
				t.Fatalf("parseNumber(%q) = %v (kind %d), want %v (kind %d)", tc.in, got, kind, tc.want, tc.kind)
			}
		})
	}
}
