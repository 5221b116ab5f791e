package importer

import (
	"testing"
)

// TestIEAGasLayouts covers the IEA Natural Gas Information downloads: exports by
// DESTINATION and imports by ORIGIN both become exporter → partner, and the
// IEA's aggregates are kept with one warning, not refused.
func TestIEAGasLayouts(t *testing.T) {
	runLayoutCases(t, []layoutCase{
		{
			name: "IEA gas exports by destination", file: "iea_gas_exports.csv", layout: "oecd", observations: 5, missing: 1,
			data: func(testing.TB) []byte {
				return csvText(
					"COUNTRY,Country,DESTINATION,Destination,PRODUCT,Product,TIME,Time,UNIT,Unit,Value,Flag Codes,Flags",
					"RUSSIA,Russian Federation,GERMANY,Germany,NATGAS,Natural gas,2019,2019,MCM,Million cubic metres,56300,,",
					"RUSSIA,Russian Federation,GERMANY,Germany,NATGAS,Natural gas,2020,2020,MCM,Million cubic metres,50100,,",
					"RUSSIA,Russian Federation,TURKEY,Turkey,NATGAS,Natural gas,2020,2020,MCM,Million cubic metres,16200,e,Estimated value",
					"RUSSIA,Russian Federation,OECDEUR,OECD Europe,NATGAS,Natural gas,2020,2020,MCM,Million cubic metres,150000,,",
					"RUSSIA,Russian Federation,OTO,Others,NATGAS,Natural gas,2020,2020,MCM,Million cubic metres,1200,,",
					"RUSSIA,Russian Federation,ITALY,Italy,NATGAS,Natural gas,2020,2020,MCM,Million cubic metres,..,,",
				)
			},
			obs: []want{
				{k: key("NATGAS_EXP_MCM", "RUS", "DEU", "2019"), v: 56300, unit: "million m3", source: "exporting country"},
				{k: key("NATGAS_EXP_MCM", "RUS", "DEU", "2020"), v: 50100},
				{k: key("NATGAS_EXP_MCM", "RUS", "XOE", "2020"), v: 150000},
				{k: key("NATGAS_EXP_MCM", "RUS", "XOO", "2020"), v: 1200},
			},
			warnings: []string{"2 IEA/OECD aggregates stored under their codes (XOE, XOO)"},
		},
		{
			name: "IEA gas exports, one destination per exporter", file: "iea_gas_exports_one.csv", layout: "oecd", observations: 2,
			data: func(testing.TB) []byte {
				return csvText(
					"COUNTRY,Country,DESTINATION,Destination,PRODUCT,Product,TIME,Time,Value",
					"RUSSIA,Russian Federation,CHINA,China,NATGAS,Natural gas,2020,2020,4100",
					"NORWAY,Norway,GERMANY,Germany,NATGAS,Natural gas,2020,2020,31000",
				)
			},
			obs: []want{
				{k: key("NATGAS_EXP_MCM", "RUS", "CHN", "2020"), v: 4100, unit: "million m3"},
				{k: key("NATGAS_EXP_MCM", "NOR", "DEU", "2020"), v: 31000},
			},
		},
		{
			name: "IEA gas imports by origin with the IEA's aggregates", file: "iea_gas_imports.csv", layout: "oecd", observations: 6,
			data: func(testing.TB) []byte {
				return csvText(
					"COUNTRY,Country,ORIGIN,Origin,PRODUCT,Product,TIME,Time,Value,Flag Codes,Flags",
					"GERMANY,Germany,RUSSIA,Russian Federation,NATGAS,Natural gas,2020,2020,50100,,",
					"GERMANY,Germany,OTO,Others,NATGAS,Natural gas,2020,2020,900,,",
					"EU28,European Union - 28,RUSSIA,Russian Federation,NATGAS,Natural gas,2019,2019,166000,,",
					"IEATOT,IEA Total,RUSSIA,Russian Federation,NATGAS,Natural gas,2019,2019,190000,,",
					"OECDTOT,OECD Total,RUSSIA,Russian Federation,NATGAS,Natural gas,2019,2019,195000,,",
					"TURKEY,Turkey,NSP,Non-specified,NATGAS,Natural gas,2020,2020,300,,",
				)
			},
			obs: []want{
				{k: key("NATGAS_EXP_MCM", "RUS", "DEU", "2020"), v: 50100, source: "mirror"},
				{k: key("NATGAS_EXP_MCM", "XOO", "DEU", "2020"), v: 900},
				{k: key("NATGAS_EXP_MCM", "RUS", "XE8", "2019"), v: 166000},
				{k: key("NATGAS_EXP_MCM", "RUS", "XIE", "2019"), v: 190000},
				{k: key("NATGAS_EXP_MCM", "RUS", "XOT", "2019"), v: 195000},
			},
			warnings: []string{"4 IEA/OECD aggregates stored under their codes (XE8, XIE, XOO, XOT)"},
		},
	})
}
