package indicators

import (
	"strings"
)

// Group is a built-in country group that parameters accept by name.
type Group struct {
	Name    string   `json:"name"`
	Title   string   `json:"title"`
	Members []string `json:"members"` // ISO3 codes
	Note    string   `json:"note"`    // how membership was chosen
}

// Group names.
const (
	GroupEAEU    = "EAEU"
	GroupCSTO    = "CSTO"
	GroupCIS     = "CIS"
	GroupFSU     = "FSU"
	GroupFSUCore = "FSU-CORE"
)

// groupTable is the membership of the built-in groups, as of 2024.
var groupTable = []Group{
	{
		Name: GroupEAEU, Title: "Eurasian Economic Union",
		Members: []string{"RUS", "BLR", "KAZ", "ARM", "KGZ"},
		Note:    "member states since 2015 (Armenia and Kyrgyzstan joined in 2015)",
	},
	{
		Name: GroupCSTO, Title: "Collective Security Treaty Organization",
		Members: []string{"RUS", "BLR", "KAZ", "ARM", "KGZ", "TJK"},
		Note:    "member states; Armenia froze its participation in 2024 but has not left, so it is kept; Uzbekistan left in 2012",
	},
	{
		Name: GroupCIS, Title: "Commonwealth of Independent States",
		Members: []string{"RUS", "BLR", "MDA", "ARM", "AZE", "KAZ", "KGZ", "TJK", "UZB"},
		Note:    "participating states; Turkmenistan (associate member since 2005) is excluded, Georgia left in 2009, Ukraine stopped participating in 2018",
	},
	{
		Name: GroupFSU, Title: "Former Soviet Union",
		Members: []string{"RUS", "ARM", "AZE", "BLR", "EST", "GEO", "KAZ", "KGZ", "LVA", "LTU", "MDA", "TJK", "TKM", "UKR", "UZB"},
		Note:    "the 15 successor states of the USSR",
	},
	{
		Name: GroupFSUCore, Title: "FSU core (the integration bloc)",
		Members: []string{"BLR", "MDA", "ARM", "AZE", "KAZ", "KGZ", "TJK", "TKM", "UZB"},
		Note:    "the FSU minus Russia, the Baltic states, Georgia and Ukraine: the bloc of the integration claim",
	},
}

func newGroups(c *Countries) map[string]Group {
	m := map[string]Group{}
	for _, g := range groupTable {
		for _, code := range g.Members {
			c.mustKnow(code)
		}
		m[normalizeName(g.Name)] = g
	}
	return m
}

// Groups returns the built-in groups in a stable order.
func (c *Countries) Groups() []Group {
	out := make([]Group, len(groupTable))
	for i, g := range groupTable {
		out[i] = g
		out[i].Members = append([]string(nil), g.Members...)
	}
	return out
}

// Group returns the group called name ("FSU-CORE", "fsu core", "eaeu").
func (c *Countries) Group(name string) (Group, bool) {
	g, ok := c.groups[normalizeName(name)]
	if ok {
		g.Members = append([]string(nil), g.Members...)
	}
	return g, ok
}

// Expand turns a comma-separated list of group names and country spellings
// ("FSU-CORE,TUR", "Korea, Rep., Türkiye") into codes, in order, without
// duplicates. Names that contain commas are recognised by trying the longest run
// of items first. An empty list gives nil; an unknown item is an EINVALID *Error
// naming it and suggesting close names.
func (c *Countries) Expand(list string) ([]string, error) {
	items := strings.Split(list, ",")
	var out []string
	seen := map[string]bool{}
	addCode := func(code string) {
		if !seen[code] {
			seen[code] = true
			out = append(out, code)
		}
	}
	for i := 0; i < len(items); {
		if strings.TrimSpace(items[i]) == "" {
			i++
			continue
		}
		codes, n, err := c.expandAt(items, i)
		if err != nil {
			return nil, err
		}
		for _, code := range codes {
			addCode(code)
		}
		i += n
	}
	return out, nil
}

// expandAt resolves the item at i, joined with up to two following items when the
// join is a known name; it returns the codes and how many items it used.
func (c *Countries) expandAt(items []string, i int) ([]string, int, error) {
	for n := min(3, len(items)-i); n >= 1; n-- {
		s := strings.Join(items[i:i+n], ",")
		if g, ok := c.groups[normalizeName(s)]; ok {
			return g.Members, n, nil
		}
		if code, ok := c.lookup(s); ok {
			return []string{code}, n, nil
		}
	}
	_, err := c.Resolve(items[i])
	return nil, 1, err
}

// ExpandCountries expands a list with the default registry (see Countries.Expand).
func ExpandCountries(list string) ([]string, error) { return DefaultCountries().Expand(list) }

// Groups returns the built-in country groups.
func Groups() []Group { return DefaultCountries().Groups() }
