package indicators_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/biter777/countries"
	"github.com/clout-dev/clout/indicators"
)

func TestResolveCountry(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"alpha-3", "RUS", "RUS"},
		{"alpha-3 lower case", "tur", "TUR"},
		{"alpha-2", "RU", "RUS"},
		{"alpha-2 with spaces", "  az ", "AZE"},
		{"english name", "Germany", "DEU"},
		{"display name", "Russia", "RUS"},
		{"WB variant", "Russian Federation", "RUS"},
		{"Türkiye with diacritic", "Türkiye", "TUR"},
		{"Turkiye ascii", "Turkiye", "TUR"},
		{"Turkey", "turkey", "TUR"},
		{"IMF Türkiye", "Türkiye, Rep. of", "TUR"},
		{"Kyrgyz Republic", "Kyrgyz Republic", "KGZ"},
		{"IMF Kyrgyz", "Kyrgyz Rep.", "KGZ"},
		{"ISO Moldova", "Moldova, Republic of", "MDA"},
		{"IMF Moldova", "Moldova, Rep. of", "MDA"},
		{"WB Iran", "Iran, Islamic Rep.", "IRN"},
		{"WB Korea", "Korea, Rep.", "KOR"},
		{"WB North Korea", "Korea, Dem. People's Rep.", "PRK"},
		{"WB Egypt", "Egypt, Arab Rep.", "EGY"},
		{"WB Venezuela", "Venezuela, RB", "VEN"},
		{"IMF Venezuela", "Venezuela, Rep. Bolivariana de", "VEN"},
		{"WB Yemen", "Yemen, Rep.", "YEM"},
		{"WB Gambia", "Gambia, The", "GMB"},
		{"WB Bahamas", "Bahamas, The", "BHS"},
		{"WB DR Congo", "Congo, Dem. Rep.", "COD"},
		{"WB Congo", "Congo, Rep.", "COG"},
		{"WB Slovakia", "Slovak Republic", "SVK"},
		{"Czechia", "Czechia", "CZE"},
		{"Czech Republic", "Czech Republic", "CZE"},
		{"WB Laos", "Lao PDR", "LAO"},
		{"Viet Nam", "Viet Nam", "VNM"},
		{"WB Hong Kong", "Hong Kong SAR, China", "HKG"},
		{"WB Macao", "Macao SAR, China", "MAC"},
		{"WB Micronesia", "Micronesia, Fed. Sts.", "FSM"},
		{"WB St. Lucia", "St. Lucia", "LCA"},
		{"IMF China", "China, P.R.: Mainland", "CHN"},
		{"IMF Hong Kong", "China, P.R.: Hong Kong", "HKG"},
		{"IMF Netherlands", "Netherlands, The", "NLD"},
		{"IMF Azerbaijan", "Azerbaijan, Rep. of", "AZE"},
		{"IMF Kazakhstan", "Kazakhstan, Rep. of", "KAZ"},
		{"IMF Armenia", "Armenia, Rep. of", "ARM"},
		{"IMF Belarus", "Belarus, Rep. of", "BLR"},
		{"IMF Tajikistan", "Tajikistan, Rep. of", "TJK"},
		{"IMF Uzbekistan", "Uzbekistan, Rep. of", "UZB"},
		{"IMF Korea", "Korea, Rep. of", "KOR"},
		{"IMF Iran", "Iran, Islamic Rep. of", "IRN"},
		{"IMF Estonia", "Estonia, Rep. of", "EST"},
		{"IMF Serbia", "Serbia, Rep. of", "SRB"},
		{"IMF Poland", "Poland, Rep. of", "POL"},
		{"Cote d'Ivoire without accent", "Cote d'Ivoire", "CIV"},
		{"punctuation and case", "  KOREA   rep ", "KOR"},
		{"IMF code Russia", "922", "RUS"},
		{"IMF code Turkey", "186", "TUR"},
		{"IMF code World with zeros", "001", "WLD"},
		{"IMF code Poland", "964", "POL"},
		{"WB aggregate code", "ECS", "ECS"},
		{"WB aggregate name", "Europe & Central Asia", "ECS"},
		{"WB aggregate and spelled", "Europe and Central Asia", "ECS"},
		{"IMF World", "World", "WLD"},
		{"IMF Euro Area", "Euro Area", "EMU"},
		{"IMF EU", "European Union", "EUU"},
		{"IMF advanced", "Advanced Economies", "XAD"},
		{"IMF not specified", "Countries & Areas not specified", "XXN"},
		{"IMF Europe not specified keeps Clout code", "XEN", "XEN"},
		{"historical", "USSR", "SUN"},
		{"Kosovo UN code", "KSV", "XKX"},
		{"Romania old code", "ROM", "ROU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := indicators.ResolveCountry(tt.in)
			if err != nil {
				t.Fatalf("ResolveCountry(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ResolveCountry(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestResolveCountryUnknown(t *testing.T) {
	tests := []struct {
		name, in string
		suggest  string // must be among the suggestions; "" for none expected
	}{
		{"misspelt Kyrgyzstan", "Kyrgystan", "Kyrgyzstan"},
		{"misspelt Azerbaijan", "Azerbajan", "Azerbaijan"},
		{"misspelt Turkmenistan", "Turkmenstan", "Turkmenistan"},
		{"shared word", "Kazakh Republic of Steppes", "Kazakhstan"},
		{"unknown code", "QQQ", ""},
		{"IMF code we do not know", "999", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := indicators.ResolveCountry(tt.in)
			if indicators.ErrorCode(err) != indicators.EINVALID {
				t.Fatalf("ResolveCountry(%q) error = %v, want EINVALID", tt.in, err)
			}
			sug := indicators.DefaultCountries().Suggest(tt.in)
			if tt.suggest == "" {
				return
			}
			if !slices.Contains(sug, tt.suggest) {
				t.Fatalf("suggestions for %q = %v, want %q among them", tt.in, sug, tt.suggest)
			}
			if !strings.Contains(err.Error(), "did you mean "+sug[0]) {
				t.Errorf("error %q does not offer %q", err, sug[0])
			}
		})
	}
}

func TestEveryISOCountryResolves(t *testing.T) {
	reg := indicators.NewCountries()
	for _, c := range countries.All() {
		want := c.Alpha3()
		for _, in := range []string{c.Alpha3(), c.Alpha2(), c.String(), reg.Name(want), strings.ToLower(c.String())} {
			got, err := reg.Resolve(in)
			if err != nil || got != want {
				t.Errorf("Resolve(%q) = %q, %v; want %s", in, got, err, want)
			}
		}
		if reg.IsAggregate(want) {
			t.Errorf("IsAggregate(%s) = true for a country", want)
		}
	}
}

func TestCountryNamesAndAggregates(t *testing.T) {
	reg := indicators.DefaultCountries()
	names := map[string]string{
		"RUS": "Russia", "TUR": "Turkey", "AZE": "Azerbaijan", "KGZ": "Kyrgyzstan",
		"MDA": "Moldova", "WLD": "World", "ECS": "Europe & Central Asia", "XYZ": "XYZ",
	}
	for code, want := range names {
		if got := reg.Name(code); got != want {
			t.Errorf("Name(%s) = %q, want %q", code, got, want)
		}
	}
	for _, code := range []string{"WLD", "ECS", "EUU", "EMU", "HIC", "LMC", "SSF", "XAD", "XXN"} {
		if !reg.IsAggregate(code) {
			t.Errorf("IsAggregate(%s) = false", code)
		}
	}
	for _, code := range []string{"RUS", "SUN", "CHI", "XYZ"} {
		if reg.IsAggregate(code) {
			t.Errorf("IsAggregate(%s) = true", code)
		}
	}
	imf := map[int]string{922: "RUS", 186: "TUR", 912: "AZE", 911: "ARM", 913: "BLR", 915: "GEO",
		916: "KAZ", 917: "KGZ", 921: "MDA", 923: "TJK", 925: "TKM", 926: "UKR", 927: "UZB",
		939: "EST", 941: "LVA", 946: "LTU", 924: "CHN", 134: "DEU", 136: "ITA", 132: "FRA",
		138: "NLD", 111: "USA", 112: "GBR", 158: "JPN", 542: "KOR", 534: "IND", 964: "POL", 1: "WLD"}
	for n, want := range imf {
		if got, ok := reg.ByIMF(n); !ok || got != want {
			t.Errorf("ByIMF(%d) = %q, %v; want %s", n, got, ok, want)
		}
		if e, _ := reg.Lookup(want); e.IMF != n {
			t.Errorf("Lookup(%s).IMF = %d, want %d", want, e.IMF, n)
		}
	}
}

func TestExpandCountries(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"codes", "TUR,AZE", []string{"TUR", "AZE"}},
		{"group and country", "FSU-CORE,TUR", []string{"BLR", "MDA", "ARM", "AZE", "KAZ", "KGZ", "TJK", "TKM", "UZB", "TUR"}},
		{"duplicates removed", "EAEU, RUS, Russia, BLR", []string{"RUS", "BLR", "KAZ", "ARM", "KGZ"}},
		{"group name any case", "csto", []string{"RUS", "BLR", "KAZ", "ARM", "KGZ", "TJK"}},
		{"names with commas", "Korea, Rep., Türkiye, Iran, Islamic Rep. of", []string{"KOR", "TUR", "IRN"}},
		{"congo variants", "Congo, Dem. Rep.,Congo, Rep.", []string{"COD", "COG"}},
		{"spaces and empty items", " TUR , ,AZE ", []string{"TUR", "AZE"}},
		{"CIS", "CIS", []string{"RUS", "BLR", "MDA", "ARM", "AZE", "KAZ", "KGZ", "TJK", "UZB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := indicators.ExpandCountries(tt.in)
			if err != nil {
				t.Fatalf("ExpandCountries(%q): %v", tt.in, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ExpandCountries(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestExpandCountriesError(t *testing.T) {
	_, err := indicators.ExpandCountries("FSU-CORE,Kyrgystan,TUR")
	if indicators.ErrorCode(err) != indicators.EINVALID {
		t.Fatalf("error = %v, want EINVALID", err)
	}
	for _, want := range []string{`"Kyrgystan"`, "Kyrgyzstan"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %s", err, want)
		}
	}
}

func TestGroups(t *testing.T) {
	reg := indicators.DefaultCountries()
	sizes := map[string]int{"EAEU": 5, "CSTO": 6, "CIS": 9, "FSU": 15, "FSU-CORE": 9}
	for name, n := range sizes {
		g, ok := reg.Group(name)
		if !ok || len(g.Members) != n {
			t.Errorf("Group(%s) = %v members, %v; want %d", name, len(g.Members), ok, n)
		}
	}
	fsu, _ := reg.Group("FSU")
	core, _ := reg.Group("FSU-CORE")
	for _, c := range core.Members {
		if !slices.Contains(fsu.Members, c) {
			t.Errorf("FSU-CORE member %s not in FSU", c)
		}
	}
	for _, c := range []string{"RUS", "EST", "LVA", "LTU", "GEO", "UKR"} {
		if slices.Contains(core.Members, c) {
			t.Errorf("FSU-CORE contains %s", c)
		}
	}
	core.Members[0] = "XXX" // a copy: the registry must not change
	if again, _ := reg.Group("FSU-CORE"); again.Members[0] != "BLR" {
		t.Errorf("Group returned shared slice; registry changed to %v", again.Members)
	}
}
