package indicators_test

import (
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// BenchmarkResolveCountry measures resolution as an importer calls it once per row.
func BenchmarkResolveCountry(b *testing.B) {
	reg := indicators.DefaultCountries()
	for _, in := range []string{"RUS", "Russian Federation", "Türkiye, Rep. of", "922"} {
		b.Run(in, func(b *testing.B) {
			for b.Loop() {
				if _, err := reg.Resolve(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
