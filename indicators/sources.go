package indicators

import (
	"regexp"
	"strings"
)

// publication is one source publication of the registry: the source texts it
// covers (matched by a pattern) and how a reader cites it.
type publication struct {
	match     *regexp.Regexp
	publisher string
	title     string
	url       string
}

// publications are the sources Clout's figures come from: those the seed
// names and those the importer's layouts write, first match wins (the WTO's
// figures carried by the WDI before the WDI, the mirror before DOTS). Press
// reports of one publisher's figures are one publication, each report a
// detail.
var publications = []publication{
	{regexp.MustCompile(`WTO merchandise trade`), "WTO", "Merchandise trade statistics, via World Bank World Development Indicators",
		"https://data.worldbank.org/indicator/TX.VAL.MRCH.CD.WT"},
	{regexp.MustCompile(`World Bank WDI|world-development-indicators|^World Bank, World Development Indicators`), "World Bank", "World Development Indicators",
		"https://databank.worldbank.org/source/world-development-indicators"},
	{regexp.MustCompile(`^World Bank, DataBank`), "World Bank", "DataBank", "https://databank.worldbank.org/"},
	{regexp.MustCompile(`^MIRROR: IMF DOTS`), "IMF", "Direction of Trade Statistics (partner-reported)",
		"https://data.imf.org/?sk=9d6028d4-f14a-464c-a2f2-59b2cd424b85"},
	{regexp.MustCompile(`^IMF DOTS \(Russia-reported\)`), "IMF", "Direction of Trade Statistics (Russia-reported)",
		"https://data.imf.org/?sk=9d6028d4-f14a-464c-a2f2-59b2cd424b85"},
	{regexp.MustCompile(`^IMF, Direction of Trade Statistics`), "IMF", "Direction of Trade Statistics",
		"https://data.imf.org/?sk=9d6028d4-f14a-464c-a2f2-59b2cd424b85"},
	{regexp.MustCompile(`^UN Comtrade`), "United Nations", "UN Comtrade database", "https://comtradeplus.un.org/"},
	{regexp.MustCompile(`^IEA/OECD(\.Stat-format natural gas imports|: imports reported by the partner)`), "IEA",
		"Natural gas imports by origin (importer-reported, OECD.Stat)", "https://www.iea.org/data-and-statistics/data-product/natural-gas-information"},
	{regexp.MustCompile(`^IEA/OECD: exports reported by the exporting`), "IEA",
		"Natural gas exports by destination (exporter-reported, OECD.Stat)", "https://www.iea.org/data-and-statistics/data-product/natural-gas-information"},
	{regexp.MustCompile(`^Our World in Data`), "Our World in Data", "Grapher data", "https://ourworldindata.org/"},
	{regexp.MustCompile(`^EPDK`), "EPDK (Energy Market Regulatory Authority of Türkiye)", "Natural gas market reports, as reported in the press",
		"https://www.epdk.gov.tr/"},
	{regexp.MustCompile(`^Gazprom`), "Gazprom", "Annual reports, as reported in the press", "https://www.gazprom.com/investors/"},
	{regexp.MustCompile(`^(Russian FCS|FCS )|Federal Customs Service`), "Federal Customs Service of Russia (FCS)",
		"Foreign trade statistics, as reported in the press", "https://customs.gov.ru/statistic"},
	{regexp.MustCompile(`^TurkStat`), "TurkStat (TÜİK)", "Foreign trade statistics, as reported in the press", "https://data.tuik.gov.tr/"},
	{regexp.MustCompile(`^China GACC`), "General Administration of Customs of China", "Trade statistics, as reported in the press",
		"http://english.customs.gov.cn/"},
	{regexp.MustCompile(`^Sputnik`), "Sputnik / RIA Novosti", "Analyses of customs and national trade statistics", "https://sputnikglobe.com/"},
	{regexp.MustCompile(`^(Putin|Kremlin|Russian (Deputy PM|MFA|Ambassador|Consul)|Overchuk)`), "Russian officials",
		"Statements on bilateral trade, as reported in the press", ""},
	{regexp.MustCompile(`^Azerbaijani|^Azernews`), "Azerbaijani officials", "Statements on bilateral trade, as reported in the press", ""},
	{regexp.MustCompile(`^(Turkish Trade Minister|Bolat)`), "Turkish officials", "Statements on bilateral trade, as reported in the press", ""},
	{regexp.MustCompile(`^DERIVED`), "", "Figures derived from the published ones (see the details)", ""},
}

var (
	// releaseOf finds the release a source text names: the importer's
	// ", release 2024-06", a World Bank
	// figure's file update date or the date of the commit that holds it.
	releaseOf = regexp.MustCompile(`(?:, release |Last Updated Date |last_updated |WB download |committed )(\d{4}(?:-\d{2})?)|@[0-9a-f]+ \((\d{4}-\d{2})-\d{2}\)`)
	// retrievedOf finds when the figures were fetched.
	retrievedOf = regexp.MustCompile(`(?:committed|created|WB download) (\d{4}-\d{2}(?:-\d{2})?)`)
	urlOf       = regexp.MustCompile(`https?://\S+`)
)

// CiteSource returns the citation of one source text: its publication in the
// registry with the release and retrieval date the text names, or, for a
// text the registry does not know, a citation titled by the text itself
// (with its first link). Details hold the text.
func CiteSource(text string) Citation {
	c := Citation{Details: []string{text}}
	for _, p := range publications {
		if p.match.MatchString(text) {
			c.Publisher, c.Title, c.URL = p.publisher, p.title, p.url
			break
		}
	}
	if c.Title == "" {
		c.Title = strings.Join(strings.Fields(urlOf.ReplaceAllString(text, "")), " ")
		c.Title = strings.TrimRight(c.Title, " ,;:")
		if c.Title == "" {
			c.Title = text
		}
		c.URL = strings.TrimRight(urlOf.FindString(text), ".,;)")
	}
	if m := releaseOf.FindStringSubmatch(text); m != nil {
		c.Vintage = m[1] + m[2] + " release" // one of the two is empty
	}
	if m := retrievedOf.FindStringSubmatch(text); m != nil {
		c.Retrieved = m[1]
	}
	return c
}

// Cite turns the source texts of a result into citations, one per source
// publication and release, in the order their first source text appears;
// each citation's Details are its source texts.
func Cite(sources []string) []Citation {
	var out []Citation
	at := map[string]int{}
	for _, s := range sources {
		c := CiteSource(s)
		k := c.Publisher + "\x00" + c.Title + "\x00" + c.Vintage
		i, seen := at[k]
		if !seen {
			at[k] = len(out)
			out = append(out, c)
			continue
		}
		if out[i].Retrieved == "" {
			out[i].Retrieved = c.Retrieved
		}
		out[i].Details = append(out[i].Details, s)
	}
	return out
}
