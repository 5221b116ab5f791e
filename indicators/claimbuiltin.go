package indicators

import "strings"

// ArticleUnderTest is where the built-in claims were said: the article whose
// statements Clout was built to check (quoted in the README). Its title, date
// and link are not recorded in Clout's sources, so the source names it only;
// fill in Date and URL when they are known rather than guessing them.
var ArticleUnderTest = ClaimSource{Title: "Article under test"}

// Built-in claim ids.
const (
	ClaimTradeShare = "turkey-azerbaijan-under-5pct-trade"
	ClaimGasFall    = "gas-turkey-fell-70pct"
	ClaimGDPGain    = "fsu-core-adds-32pct-gdp-ppp"
	ClaimPopGain    = "fsu-core-adds-69pct-population"
)

// BuiltinClaims returns the article's four claims, freshly allocated.
//
// The margins: "under 5%" is a sharp line in the statement, with a borderline
// band of a quarter point for rounding in the sources; "~70%" is read as a fall
// of at least 68% (±2), with 2 more points of borderline; "~32%" and "~69%"
// are read as ±2 points (the article rounds to whole percent and the figures
// move by that much between vintages), with half a point of borderline.
func BuiltinClaims() []Claim {
	each := func(fs ...Frequency) ClaimPeriods { return ClaimPeriods{Every: fs} }
	return []Claim{
		{
			ID:     ClaimTradeShare,
			Text:   "Turkey and Azerbaijan together are under 5% of Russia's foreign trade",
			Said:   ArticleUnderTest,
			Metric: ClaimMetric{Chart: ChartTradeShare, Params: Params{"partners": "TUR,AZE"}, Figure: FigureCombinedShare, Unit: "%"},
			Test:   ClaimTest{Kind: TestLess, Threshold: 5}, Margin: 0.25, Periods: each(Annual),
			Caveats: []string{
				"From 2021 Russian customs publish no partner table: the share is the quoted Turkey–Russia and Azerbaijan–Russia turnover over Russia's total from each source (WTO, Russian customs, IMF mirror), so the range spans Russian-side and partner-side figures.",
				"Several bilateral figures from 2021 are officials' rounded statements, and 2023 and 2024 also rest on lower bounds (\"more than X\").",
				"Turkey alone has been above 5% of Russia's goods turnover since 2022 under every source found.",
			},
		},
		{
			ID:     ClaimGasFall,
			Text:   "Russia's gas exports to Turkey fell ~70% year on year in early 2020",
			Said:   ArticleUnderTest,
			Metric: ClaimMetric{Chart: ChartGasExports, Params: Params{"destinations": "TUR"}, Figure: FigureYoYChange, Unit: "%"},
			Test:   ClaimTest{Kind: TestFallAtLeast, Threshold: 70, Tolerance: 2}, Margin: 2, Periods: each(Monthly, Annual),
			Caveats: []string{
				"The statement is about early 2020; it is judged on every month and full year with figures to show how exceptional such a fall is.",
				"The April 2019 baseline is derived from the published April 2020 change (470 / (1 − 0.6857)), so April 2020's −68.6% is the published change, not an independent check.",
				"Monthly figures after 2020 are sparse (Turkish regulator EPDK reports quoted in the press); the 2024 annual volume is approximate (35% of Turkey's imports).",
			},
		},
		{
			ID:     ClaimGDPGain,
			Text:   "Integrating the ex-Soviet republics other than the Baltics, Georgia and Ukraine would raise Russia's economic weight by ~32% (GDP at PPP)",
			Said:   ArticleUnderTest,
			Metric: ClaimMetric{Chart: ChartIntegrationGain, Params: Params{"bloc": GroupFSUCore, "measure": "gdp-ppp"}, Figure: FigureBlocRatio, Unit: "%"},
			Test:   ClaimTest{Kind: TestApprox, Threshold: 32, Tolerance: 2}, Margin: 0.5, Periods: each(Annual),
			Caveats: []string{
				"GDP at PPP in the 2026-07 World Bank vintage is derived as GDP per capita (PPP) × population.",
				"Vintages disagree: 2019 is 30.6% in the 2023-05 vintage and 32.5% in the 2026-07 one (the ICP 2021 PPP revision).",
				"Turkmenistan has figures only in the newer vintage; without it the ratio is about 2 points lower.",
			},
		},
		{
			ID:     ClaimPopGain,
			Text:   "Integrating the ex-Soviet republics other than the Baltics, Georgia and Ukraine would raise Russia's demographic weight by ~69% (population)",
			Said:   ArticleUnderTest,
			Metric: ClaimMetric{Chart: ChartIntegrationGain, Params: Params{"bloc": GroupFSUCore, "measure": "population"}, Figure: FigureBlocRatio, Unit: "%"},
			Test:   ClaimTest{Kind: TestApprox, Threshold: 69, Tolerance: 2}, Margin: 0.5, Periods: each(Annual),
			Caveats: []string{
				"Russia's population shrinks while Central Asia's grows, so the ratio rises every year: 71.1% in 2021, 74.5% in 2024.",
			},
		},
	}
}

// ClaimByID returns the claim with the given id, or an ENOTFOUND *Error listing
// the ids.
func ClaimByID(cs []Claim, id string) (Claim, error) {
	ids := make([]string, len(cs))
	for i, c := range cs {
		if c.ID == id {
			return c, nil
		}
		ids[i] = c.ID
	}
	return Claim{}, Errorf(ENOTFOUND, "unknown claim %q (claims: %s)", id, strings.Join(ids, ", "))
}
