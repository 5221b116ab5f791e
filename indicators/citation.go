package indicators

// Citation is a source as a reader cites it: "IMF, Direction of Trade
// Statistics (Russia-reported), 2022 release", with the link, the vintage and
// the date it was retrieved. Details are the source texts of the figures it
// covers (files, commits, notes), shown behind a disclosure.
type Citation struct {
	Publisher string   `json:"publisher"`
	Title     string   `json:"title"`
	URL       string   `json:"url,omitempty"`
	Vintage   string   `json:"vintage,omitempty"`
	Retrieved string   `json:"retrieved,omitempty"`
	Details   []string `json:"details"`
}

// Text is the citation in one line: publisher, title and vintage.
func (c Citation) Text() string {
	s := c.Title
	if c.Publisher != "" {
		s = c.Publisher + ", " + s
	}
	if c.Vintage != "" {
		s += ", " + c.Vintage
	}
	return s
}
