package importer

import "testing"

// TestDataBankTimeInRows covers the DataBank export with time in rows and one
// column per series, as csv (with its footnotes) and as xlsx.
func TestDataBankTimeInRows(t *testing.T) {
	runLayoutCases(t, []layoutCase{
		{
			name: "DataBank csv, time in rows", file: "databank_rows.csv", layout: "databank-rows", observations: 4, missing: 2, skipped: 3,
			data: func(testing.TB) []byte {
				return csvText(
					`Time,Time Code,Country Name,Country Code,"Population, total [SP.POP.TOTL]","GDP, PPP (current international $) [NY.GDP.MKTP.PP.CD]"`,
					`2019,YR2019,Armenia,ARM,2957731,41234567890.5`,
					`2020,YR2020,Armenia,ARM,2963234,..`,
					`2019,YR2019,Europe & Central Asia,ECS,921000000,`,
					",,,,,",
					"Data from database: World Development Indicators,,,,,",
					"Last Updated: 05/10/2023,,,,,")
			},
			obs: []want{
				{k: key("SP.POP.TOTL", "ARM", "", "2020"), v: 2963234, source: "DataBank"},
				{k: key("NY.GDP.MKTP.PP.CD", "ARM", "", "2019"), v: 41234567890.5},
				{k: key("SP.POP.TOTL", "ECS", "", "2019"), v: 921e6},
			},
			warnings: []string{"1 World Bank aggregates stored under their codes (ECS)"},
		},
		{
			name: "DataBank xlsx, time in rows, time code only", file: "databank_rows.xlsx", layout: "databank-rows", observations: 2, skipped: 1,
			data: func(tb testing.TB) []byte {
				return MustXLSX(tb, sheet{name: "Data", rows: [][]any{
					{"Time", "Time Code", "Country Name", "Country Code", "Population, total [SP.POP.TOTL]"},
					{nil, "YR2019", "Kyrgyz Republic", "KGZ", 6456900},
					{2020, "YR2020", "Kyrgyz Republic", "KGZ", 6591600},
					{"Last Updated: 05/10/2023"},
				}})
			},
			obs: []want{{k: key("SP.POP.TOTL", "KGZ", "", "2019"), v: 6456900}},
		},
	})
}
