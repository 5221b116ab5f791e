package importer

import "testing"

// TestOWIDLayout covers Our World in Data's grapher CSV as downloaded: titled
// indicator columns, OWID's own codes, and regions without a code.
func TestOWIDLayout(t *testing.T) {
	runLayoutCases(t, []layoutCase{
		{
			name: "OWID grapher csv", file: "population.csv", layout: "owid", observations: 7, missing: 1, skipped: 2,
			data: func(testing.TB) []byte {
				return csvText(
					`Entity,Code,Year,Population (historical estimates),Share of the world population (%)`,
					`Armenia,ARM,2019,2957731,0.038`,
					`Armenia,ARM,2020,2963234,`,
					`Kosovo,OWID_KOS,2020,1775378,0.023`,
					`World,OWID_WRL,2020,7820206000,100`,
					`Asia,,2020,4663086500,59.6`,
					`High-income countries,,2020,1250000000,16`,
				)
			},
			obs: []want{
				{k: key("OWID.POPULATION", "ARM", "", "2019"), v: 2957731, unit: "historical estimates", source: "Our World in Data"},
				{k: key("OWID.SHARE_OF_THE_WORLD_POPULATION", "XKX", "", "2020"), v: 0.023, unit: "%"},
				{k: key("OWID.POPULATION", "WLD", "", "2020"), v: 7820206000},
			},
			warnings: []string{`2 columns named by a title are stored under codes made from it: "Population (historical estimates)" → OWID.POPULATION`,
				"2 rows of OWID regions and groups without an ISO code (Asia...) skipped"},
		},
		{
			name: "Clout's own OWID export, indicator code as the column", file: "series.owid.csv", layout: "owid", observations: 2,
			data: func(testing.TB) []byte {
				return csvText("Entity,Code,Year,SP.POP.TOTL", "Armenia,ARM,2019,2957731", "Türkiye,TUR,2019,83429607")
			},
			obs: []want{{k: key("SP.POP.TOTL", "TUR", "", "2019"), v: 83429607}},
		},
	})
}
