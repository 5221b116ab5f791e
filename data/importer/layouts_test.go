package importer

import (
	"strings"
	"testing"

	"github.com/clout-dev/clout/indicators"
)

// want is one observation a layout test expects in the store.
type want struct {
	k      indicators.Key
	v      float64
	unit   string
	source string // substring; "" = not checked
}

// layoutCase is one file imported through the real importer into a real store,
// with what the report and the store must then say.
type layoutCase struct {
	name         string
	file         string
	data         func(testing.TB) []byte
	format       string
	sum          bool
	layout       string
	observations int
	missing      int
	skipped      int // -1: not checked
	obs          []want
	warnings     []string
	indicator    string // Request.Indicator
}

func TestLayouts(t *testing.T) {
	tests := []layoutCase{
		{
			name: "tidy csv", file: "gas.csv", layout: "tidy", observations: 4, missing: 1, skipped: 0,
			data: func(testing.TB) []byte {
				return csvText(
					"indicator,country,partner,period,value,unit,source",
					"SP.POP.TOTL,Russian Federation,,2019,144406261,persons,WDI",
					"NATGAS_EXP_MCM,RUS,Türkiye,2020-04,470,million m3,EPDK monthly report",
					"NATGAS_EXP_MCM,RUS,TUR,2019-04,1498,million m3,EPDK monthly report",
					`TXG_FOB_USD,RU,AZ,2020,"2,345",US$,DOTS`,
					"NY.GDP.MKTP.PP.CD,Kyrgyz Republic,,2020-Q1,..,,",
				)
			},
			obs: []want{
				{k: key("SP.POP.TOTL", "RUS", "", "2019"), v: 144406261, unit: "persons", source: "WDI"},
				{k: key("NATGAS_EXP_MCM", "RUS", "TUR", "2020-04"), v: 470, unit: "million m3", source: "EPDK"},
				{k: key("TXG_FOB_USD", "RUS", "AZE", "2020"), v: 2345, unit: "US$"},
			},
		},
		{
			name: "tidy xlsx with header aliases and a README sheet", file: "template.xlsx", layout: "tidy", observations: 3, skipped: 0,
			data: func(tb testing.TB) []byte {
				return MustXLSX(tb,
					sheet{name: "README", rows: [][]any{{"How to fill this template"}, {"indicator", "country", "period", "value"}}},
					sheet{name: "Data", rows: [][]any{
						{"Series Code", "ISO3", "Counterpart", "Year", "OBS_VALUE", "Unit"},
						{"TMG_CIF_USD", "RUS", "Azerbaijan, Rep. of", 2019, 795.5e6, "US$"},
						{"TMG_CIF_USD", "RUS", "China, P.R.: Mainland", 2019, "54 123 000 000", "US$"},
						{"SP.POP.TOTL", "Moldova, Republic of", nil, "2019.0", 2664000, "persons"},
					}})
			},
			obs: []want{
				{k: key("TMG_CIF_USD", "RUS", "AZE", "2019"), v: 795.5e6, unit: "US$"},
				{k: key("TMG_CIF_USD", "RUS", "CHN", "2019"), v: 54123e6, unit: "US$"},
				{k: key("SP.POP.TOTL", "MDA", "", "2019"), v: 2664000},
			},
		},
		{
			name: "tidy semicolon csv with BOM, decimal comma and no-break spaces", file: "kaz.csv", layout: "tidy", observations: 3,
			data: func(testing.TB) []byte {
				return []byte("\ufeffindicator;country;year;value;unit\r\n" +
					"SP.POP.TOTL;KAZ;2019;18\u00a0513\u00a0930;persons\r\n" +
					"NY.GDP.MKTP.PP.CD;KAZ;2019;1 234,5;\r\n" +
					"NY.GDP.MKTP.PP.CD;KAZ;2020;12,5%;\r\n")
			},
			obs: []want{
				{k: key("SP.POP.TOTL", "KAZ", "", "2019"), v: 18513930},
				{k: key("NY.GDP.MKTP.PP.CD", "KAZ", "", "2019"), v: 1234.5},
				{k: key("NY.GDP.MKTP.PP.CD", "KAZ", "", "2020"), v: 12.5, unit: "%"},
			},
			warnings: []string{"1 values written with a percent sign", "more than one unit"},
		},
		{
			name: "tidy tab-delimited", file: "pop.tsv", layout: "tidy", observations: 2,
			data: func(testing.TB) []byte {
				return csvText("indicator\tcountry\ttime\tvalue", "SP.POP.TOTL\tTurkiye\t2019\t83429607", "SP.POP.TOTL\tTJK\t2019\t9321023")
			},
			obs: []want{{k: key("SP.POP.TOTL", "TUR", "", "2019"), v: 83429607}},
		},
		{
			name: "wide csv", file: "pop_wide.csv", layout: "wide", observations: 5, missing: 1,
			data: func(testing.TB) []byte {
				return csvText("indicator,country,unit,2018,2019,2020",
					"SP.POP.TOTL,ARM,persons,2951776,2957731,2963234",
					"SP.POP.TOTL,Azerbaijan,persons,9939800,10024283,")
			},
			obs: []want{{k: key("SP.POP.TOTL", "AZE", "", "2019"), v: 10024283, unit: "persons"}},
		},
		{
			name: "wide xlsx with monthly and quarterly columns", file: "gas_monthly.xlsx", layout: "wide", observations: 4,
			data: func(tb testing.TB) []byte {
				return MustXLSX(tb, sheet{name: "Gas", rows: [][]any{
					{"Country", "Partner", "Indicator", "2020-03", "2020M04", "2020Q2"},
					{"RUS", "TUR", "NATGAS_EXP_MCM", 1300, 470, nil},
					{"RUS", "DEU", "NATGAS_EXP_MCM", nil, nil, "12 000"},
					{"RUS", "ITA", "NATGAS_EXP_MCM", nil, "–", 5000},
				}})
			},
			missing: 5,
			obs: []want{
				{k: key("NATGAS_EXP_MCM", "RUS", "TUR", "2020-04"), v: 470},
				{k: key("NATGAS_EXP_MCM", "RUS", "DEU", "2020-Q2"), v: 12000},
			},
		},
		{
			name: "World Bank bulk csv", file: "API_SP.POP.TOTL_DS2_en_csv_v2_1.csv", layout: "worldbank", observations: 5, missing: 4, skipped: 2,
			data: func(testing.TB) []byte {
				return []byte("\ufeff\"Data Source\",\"World Development Indicators\",\n\n\"Last Updated Date\",\"2023-05-10\",\n\n" +
					"\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",\"2019\",\"2020\",\"2021\",\n" +
					"\"Armenia\",\"ARM\",\"Population, total\",\"SP.POP.TOTL\",\"2957731\",\"2963234\",\"\",\n" +
					"\"Europe & Central Asia\",\"ECS\",\"Population, total\",\"SP.POP.TOTL\",\"921000000\",\"\",\"\",\n" +
					"\"World\",\"WLD\",\"Population, total\",\"SP.POP.TOTL\",\"7.7E+09\",\"7800000000\",\"\",\n")
			},
			obs: []want{
				// The file's "Last Updated Date" is its figures' vintage.
				{k: vkey(key("SP.POP.TOTL", "ARM", "", "2020"), "2023-05"), v: 2963234, source: "World Bank"},
				{k: vkey(key("SP.POP.TOTL", "WLD", "", "2019"), "2023-05"), v: 7.7e9},
				{k: vkey(key("SP.POP.TOTL", "ECS", "", "2019"), "2023-05"), v: 921e6},
			},
			warnings: []string{"2 World Bank aggregates stored under their codes (ECS, WLD)"},
		},
		{
			name: "DataBank csv with footnotes", file: "databank.csv", layout: "databank", observations: 3, missing: 1, skipped: 4,
			data: func(testing.TB) []byte {
				return csvText(
					"Series Name,Series Code,Country Name,Country Code,2018 [YR2018],2019 [YR2019]",
					`"Population, total",SP.POP.TOTL,Armenia,ARM,2951776,2957731`,
					`"GDP, PPP (current international $)",NY.GDP.MKTP.PP.CD,Armenia,ARM,..,41234567890.5`,
					",,,,,", ",,,,,",
					"Data from database: World Development Indicators,,,,,",
					"Last Updated: 05/10/2023,,,,,")
			},
			obs: []want{{k: key("NY.GDP.MKTP.PP.CD", "ARM", "", "2019"), v: 41234567890.5, source: "DataBank"}},
		},
		{
			name: "DataBank xlsx with a metadata sheet", file: "databank.xlsx", layout: "databank", observations: 2, missing: 2, skipped: 2,
			data: func(tb testing.TB) []byte {
				return MustXLSX(tb,
					sheet{name: "Data", rows: [][]any{
						{"Country Name", "Country Code", "Series Name", "Series Code", "2019 [YR2019]", "2020 [YR2020]"},
						{"Turkmenistan", "TKM", "GDP, PPP (current international $)", "NY.GDP.MKTP.PP.CD", 98.5e9, ".."},
						{"Kyrgyz Republic", "KGZ", "GDP, PPP (current international $)", "NY.GDP.MKTP.PP.CD", 35.1e9, ".."},
						{},
						{"Data from database: World Development Indicators"},
						{"Last Updated: 05/10/2023"},
					}},
					sheet{name: "Series - Metadata", rows: [][]any{
						{"Code", "License Type", "Indicator Name", "Long definition", "Source"},
						{"NY.GDP.MKTP.PP.CD", "CC BY-4.0", "GDP, PPP (current international $)", "PPP GDP is ...", "ICP"},
					}})
			},
			obs:      []want{{k: key("NY.GDP.MKTP.PP.CD", "KGZ", "", "2019"), v: 35.1e9}},
			warnings: []string{`sheet "Series - Metadata" has no recognised table header`},
		},
		{
			name: "IMF DOTS export", file: "dots.csv", layout: "dots", observations: 4, missing: 2, skipped: 1,
			data: func(testing.TB) []byte {
				return csvText(
					`"Country Name","Country Code","Indicator Name","Indicator Code","Counterpart Country Name","Counterpart Country Code","Attribute","2019","2020",`,
					`"Russian Federation","922","Goods, Value of Exports, Free on board (FOB), US Dollars","TXG_FOB_USD","Turkey","186","Value","25360000000","18230000000",`,
					`"Russian Federation","922","Goods, Value of Exports, Free on board (FOB), US Dollars","TXG_FOB_USD","Turkey","186","Status","E","",`,
					`"Russian Federation","922","Goods, Value of Imports, Cost, Insurance, Freight (CIF), US Dollars","TMG_CIF_USD","Azerbaijan, Rep. of","912","Value","795000000","",`,
					`"Russian Federation","922","Goods, Value of Exports, Free on board (FOB), US Dollars","TXG_FOB_USD","World","001","Value","419721000000","",`,
				)
			},
			obs: []want{
				{k: key("TXG_FOB_USD", "RUS", "TUR", "2020"), v: 18230000000, unit: "US$", source: "IMF"},
				{k: key("TMG_CIF_USD", "RUS", "AZE", "2019"), v: 795e6},
				{k: key("TXG_FOB_USD", "RUS", "WLD", "2019"), v: 419721e6},
			},
		},
		{
			name: "IMF data portal report xlsx", file: "IMF_DOTS_report.xlsx", layout: "imfreport", observations: 24, missing: 7, skipped: -1,
			data: imfReportFixture,
			obs: []want{
				{k: key("TXG_FOB_USD", "RUS", "WLD", "2019"), v: 419721e6, unit: "US$"},
				{k: key("TXG_FOB_USD", "RUS", "AUS", "2018"), v: 10e6},
				{k: key("TXG_FOB_USD", "RUS", "NLD", "2019"), v: 42825.828663e6},
				{k: key("TXG_FOB_USD", "RUS", "CHN", "2020"), v: 49060.5e6},
				{k: key("TXG_FOB_USD", "RUS", "XAD", "2019"), v: 211322.5e6},
				{k: key("TXG_FOB_USD", "RUS", "XSF", "2019"), v: 1000e6},
				{k: key("TXG_FOB_USD", "RUS", "CSK", "2018"), v: 7e6},
				{k: key("TMG_CIF_USD", "RUS", "TUR", "2020"), v: 4500.25e6},
				{k: key("TMG_CIF_USD", "RUS", "EUU", "2019"), v: 88000e6},
			},
			warnings: []string{"IMF area aggregates stored under their codes", "2 repeated observations", "US Dollars, Millions"},
		},
		{
			name: "UN Comtrade legacy csv", file: "comtrade.csv", layout: "comtrade", observations: 3, skipped: 1,
			data: func(testing.TB) []byte {
				return csvText(
					"Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,2nd Partner Code,2nd Partner,2nd Partner ISO,Customs Proc. Code,Customs,Mode of Transport Code,Mode of Transport,Commodity Code,Commodity,Qty Unit Code,Qty Unit,Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg),Gross weight (kg),Trade Value (US$),CIF Trade Value (US$),FOB Trade Value (US$),Flag",
					"HS,2019,2019,2019,0,0,2,Export,643,Russian Federation,RUS,792,Turkey,TUR,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,25360000000,,,0",
					"HS,2019,2019,2019,0,0,1,Import,643,Russian Federation,RUS,792,Turkey,TUR,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,5780000000,,,0",
					"HS,2019,2019,2019,0,0,2,Export,643,Russian Federation,RUS,0,World,WLD,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,419721000000,,,0",
					"HS,2019,2019,2019,0,0,3,Re-Export,643,Russian Federation,RUS,792,Turkey,TUR,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,1000,,,0",
				)
			},
			obs: []want{
				{k: key("TXG_FOB_USD", "RUS", "TUR", "2019"), v: 25360000000, unit: "US$", source: "UN Comtrade"},
				{k: key("TMG_CIF_USD", "RUS", "TUR", "2019"), v: 5780000000},
				{k: key("TXG_FOB_USD", "RUS", "WLD", "2019"), v: 419721000000},
			},
			warnings: []string{"1 re-export and re-import rows skipped"},
		},
		{
			name: "UN Comtrade+ monthly csv", file: "comtradeplus.csv", layout: "comtrade", observations: 2,
			data: func(testing.TB) []byte {
				return csvText(
					"typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode,cmdCode,cmdDesc,aggrLevel,isLeaf,qtyUnitCode,qty,netWgt,cifvalue,fobvalue,primaryValue,isReported,isAggregate",
					"C,M,20200401,2020,4,202004,643,RUS,Russian Federation,X,Export,792,TUR,Türkiye,0,W00,World,H5,TOTAL,All Commodities,0,false,-1,0,0,,1234567.5,1234567.5,true,false",
					"C,M,20200401,2020,4,202004,643,RUS,Russian Federation,M,Import,0,W00,World,0,W00,World,H5,TOTAL,All Commodities,0,false,-1,0,0,7654321,,7654321,true,false",
				)
			},
			obs: []want{
				{k: key("TXG_FOB_USD", "RUS", "TUR", "2020-04"), v: 1234567.5},
				{k: key("TMG_CIF_USD", "RUS", "WLD", "2020-04"), v: 7654321},
			},
		},
		{
			name: "IEA gas imports by origin, CSVY front matter", file: "iea_gas.csv", layout: "oecd", observations: 2, missing: 1,
			data: func(testing.TB) []byte {
				return csvText("---", "name: natural gas imports", "source: IEA Natural Gas Information", "---",
					"ORIGIN,Origin,PRODUCT,Product,COUNTRY,Country,TIME,Time,Value,Flag Codes,Flags",
					"RUSSIA,Russian Federation,NATGAS,Natural gas,DEU,Germany,2019,2019,56300,,",
					"RUS,Russia,NATGAS,Natural gas,TUR,Turkey,2020,2020,16200,e,Estimated value",
					"RUS,Russia,NATGAS,Natural gas,ITA,Italy,2020,2020,..,,",
				)
			},
			obs: []want{
				{k: key("NATGAS_EXP_MCM", "RUS", "DEU", "2019"), v: 56300, unit: "million m3", source: "mirror"},
				{k: key("NATGAS_EXP_MCM", "RUS", "TUR", "2020"), v: 16200},
			},
		},
		{
			name: "OECD.Stat code-label pairs", file: "oecd.csv", layout: "oecd", observations: 1,
			data: func(testing.TB) []byte {
				return csvText("LOCATION,Country,SUBJECT,Subject,MEASURE,Measure,TIME,Time,Unit Code,Unit,Value,Flag Codes,Flags",
					"TUR,Turkey,GDP,Gross domestic product,USD_CAP,US dollars per capita,2019,2019,USD,US Dollar,9127.3,,")
			},
			obs: []want{{k: key("GDP.USD_CAP", "TUR", "", "2019"), v: 9127.3, unit: "US Dollar"}},
		},
		{
			name: "forced wide on a World Bank file", file: "wb.csv", format: "wide", layout: "wide", observations: 1,
			data: func(testing.TB) []byte {
				return csvText(`"Country Name","Country Code","Indicator Name","Indicator Code","2019",`,
					`"Armenia","ARM","Population, total","SP.POP.TOTL","2957731",`)
			},
			obs: []want{{k: key("SP.POP.TOTL", "ARM", "", "2019"), v: 2957731}},
		},
	}
	runLayoutCases(t, tests)
}

// runLayoutCases imports each case's file and checks the report and the store.
func runLayoutCases(t *testing.T, tests []layoutCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkLayoutCase(t, tc) })
	}
}

func checkLayoutCase(t *testing.T, tc layoutCase) {
	st := MustOpenStore(t)
	im := New(st, Options{})
	req := Request{FileName: tc.file, Data: tc.data(t), Format: tc.format, SumCommodities: tc.sum, Indicator: tc.indicator}
	dry := req
	dry.DryRun = true
	dryRep := MustImport(t, im, dry)
	rep := MustImport(t, im, req)
	if dryRep.Layout != rep.Layout || dryRep.Observations != rep.Observations || dryRep.Missing != rep.Missing ||
		dryRep.SkippedRows != rep.SkippedRows || len(dryRep.Warnings) != len(rep.Warnings) {
		t.Errorf("dry run reports %s %d obs %d missing %d skipped %d warnings; the import %s %d %d %d %d",
			dryRep.Layout, dryRep.Observations, dryRep.Missing, dryRep.SkippedRows, len(dryRep.Warnings),
			rep.Layout, rep.Observations, rep.Missing, rep.SkippedRows, len(rep.Warnings))
	}
	if rep.Layout != tc.layout {
		t.Errorf("layout = %q, want %q", rep.Layout, tc.layout)
	}
	if rep.Observations != tc.observations || rep.Missing != tc.missing {
		t.Errorf("observations, missing = %d, %d; want %d, %d", rep.Observations, rep.Missing, tc.observations, tc.missing)
	}
	if tc.skipped >= 0 && rep.SkippedRows != tc.skipped {
		t.Errorf("skipped rows = %d, want %d", rep.SkippedRows, tc.skipped)
	}
	if rep.Version != 1 || rep.Dataset != DatasetName(tc.file) {
		t.Errorf("dataset %q version %d, want %q version 1", rep.Dataset, rep.Version, DatasetName(tc.file))
	}
	stored := MustObservations(t, st, indicators.Query{})
	if len(stored) != tc.observations {
		t.Errorf("store holds %d observations, want %d", len(stored), tc.observations)
	}
	for _, w := range tc.obs {
		o, ok := find(stored, w.k)
		switch {
		case !ok:
			t.Errorf("no observation %+v in the store", w.k)
		case o.Value != w.v:
			t.Errorf("%+v = %v, want %v", w.k, o.Value, w.v)
		case w.unit != "" && o.Unit != w.unit:
			t.Errorf("%+v unit = %q, want %q", w.k, o.Unit, w.unit)
		case w.source != "" && !strings.Contains(o.Source, w.source):
			t.Errorf("%+v source = %q, want it to mention %q", w.k, o.Source, w.source)
		}
	}
	for _, w := range tc.warnings {
		if !hasProblem(rep.Warnings, w) {
			t.Errorf("no warning %q in %+v", w, rep.Warnings)
		}
	}
}

// imfReportFixture reproduces the IMF data portal report "Exports and Imports by
// Areas and Countries": a table starting in column B, title rows above it, a
// header of years, IMF spellings, aggregates, a repeated row, a country that no
// longer exists, and a Memorandum Items block.
func imfReportFixture(tb testing.TB) []byte {
	years := []any{nil, nil, "2018", "2019", "2020"}
	return MustXLSX(tb,
		sheet{name: "Exports, FOB", rows: [][]any{
			{},
			{nil, "Exports, FOB to Partner Countries"},
			{},
			{nil, "Russian Federation"},
			{nil, "US Dollars, Millions"},
			{},
			years,
			{nil, "Australia", 9.9999999999999964, 7.2030000000000003, nil},
			{nil, "World", 443100.5, 419721.0, 333500.0},
			{nil, "Advanced Economies", 250000.0, 211322.5, 180000.0},
			{nil, "Netherlands, The", 44000.0, 42825.828663, 25000.0},
			{nil, "Australia", 9.9999999999999964, 7.2030000000000003, nil},
			{nil, "China, P.R.: Mainland", 56000.0, 57000.0, 49060.5},
			{nil, "Sub-Saharan Africa", 900.0, 1000.0, nil},
			{nil, "Czechoslovakia", 7.0},
			{nil, "Memorandum Items"},
		}},
		sheet{name: "Imports, CIF", rows: [][]any{
			{},
			{nil, "Imports, CIF from Partner Countries"},
			{},
			{nil, "Russian Federation"},
			{nil, "US Dollars, Millions"},
			{},
			years,
			{nil, "Turkey", 4000.0, 4200.0, 4500.25},
			{nil, "Azerbaijan, Rep. of", 700.0, "", 810.0},
			{nil, "Memorandum Items"},
			{nil, "European Union", 90000.0, 88000.0, nil},
		}},
	)
}
