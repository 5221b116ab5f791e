package dashboard

import "github.com/clout-dev/clout/indicators"

// defaultCharts is the built-in chart catalogue.
func defaultCharts() []indicators.Chart { return indicators.Charts() }
